"""Reading settings from the environment: the helpers every settings module uses.

Imported while settings load (server/settings/, each app's conf.py), before Django is set up:
the standard library only.
"""

import os


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
