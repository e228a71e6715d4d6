"""The catalogue app's settings: `settings.CATALOGUE`.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

from core.env import env_bool

__all__ = ["CATALOGUE"]

# Service catalogue (catalogue/): one-time notices are rendered in the background per version.
CATALOGUE = {"PRERENDER_NOTICES": env_bool("PRERENDER_NOTICES", True)}
