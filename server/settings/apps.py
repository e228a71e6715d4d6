"""Every app's own settings, gathered in one place (docs/adr/0017-settings-and-urls-per-app.md).

Each app keeps its settings in its own `conf.py`, next to the code that reads them:

- its block, exported in `__all__` under the name the app reads (`settings.APPOINTMENTS`);
- `THROTTLE_RATES`: the scopes of its REST framework throttles, with their rates;
- `ENUM_NAME_OVERRIDES`: OpenAPI schema names for its choice sets.

This module lists those conf modules, imports the blocks (base.py star-imports them) and
merges the contributions (base.py puts them into REST_FRAMEWORK and SPECTACULAR_SETTINGS). A key
contributed twice is refused: two apps must not share a throttle scope or an enum name.
"""

from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

from appointments import conf as appointments
from appointments.conf import APPOINTMENTS
from attachments import conf as attachments
from attachments.conf import ATTACHMENTS
from cases import conf as cases
from cases.conf import CASES
from catalogue import conf as catalogue
from catalogue.conf import CATALOGUE
from feedback import conf as feedback
from geo import conf as geo
from geo.conf import GEO
from idempotency import conf as idempotency
from idempotency.conf import IDEMPOTENCY
from maps import conf as maps
from maps.conf import (
    MAP_BASEMAP_ATTRIBUTION,
    MAP_BASEMAP_CRS,
    MAP_BASEMAP_SUBDOMAINS,
    MAP_BASEMAP_URL,
)
from notifications import conf as notifications
from notifications.conf import NOTIFICATIONS
from open311 import conf as open311
from people import conf as people
from people.conf import PEOPLE
from supervision import conf as supervision
from supervision.conf import SUPERVISION
from sync import conf as sync
from sync.conf import SYNC
from visits import conf as visits
from visits.conf import VISITS

# the blocks, under the names the apps read (settings.GEO, settings.APPOINTMENTS, …)
__all__ = [
    "APPOINTMENTS",
    "ATTACHMENTS",
    "CASES",
    "CATALOGUE",
    "GEO",
    "IDEMPOTENCY",
    "MAP_BASEMAP_ATTRIBUTION",
    "MAP_BASEMAP_CRS",
    "MAP_BASEMAP_SUBDOMAINS",
    "MAP_BASEMAP_URL",
    "NOTIFICATIONS",
    "PEOPLE",
    "SUPERVISION",
    "SYNC",
    "VISITS",
]

CONFS: tuple[ModuleType, ...] = (
    geo,
    people,
    catalogue,
    notifications,
    appointments,
    cases,
    visits,
    sync,
    feedback,
    attachments,
    open311,
    idempotency,
    supervision,
    maps,
)


def gather(part: str) -> dict:
    """One dict from what each app's conf.py contributes under `part`."""
    merged: dict = {}
    for conf in CONFS:
        for key, value in getattr(conf, part, {}).items():
            if key in merged:
                raise ImproperlyConfigured(
                    f"{part}[{key!r}] is contributed twice ({conf.__name__})."
                )
            merged[key] = value
    return merged


throttle_rates = gather("THROTTLE_RATES")
enum_name_overrides = gather("ENUM_NAME_OVERRIDES")
