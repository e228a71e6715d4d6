"""A vector tile for a requester: validated, keyed, served from the cache or made by PostGIS.

Cache: Django's "default" cache — the database table, or Redis when REDIS_URL is set. It is
shared by every web process, so a tile made once serves them all, and it does not grow each
worker's memory (a tile of dense grids is 50–150 KB; the per-process "local" cache keeps 300
entries and is meant for counters). The key is

    tile:<layer>:<generations of its sources>:<scope key>:<figure>:<clock>:<z>/<x>/<y>

so a change to the data changes the key: a stale tile is never served, and old entries simply
age out. The generations are read once per request, in one query, before the tile is made:
the tile's data is then at least as new as its key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db.replicas import read_connection
from core.errors import ApplicationError, NotFound, PermissionDenied
from people.scope import scope_for

from .generations import generations
from .layers import DEFAULT_FIGURE, FIGURES, LAYERS, MAX_ZOOM, Layer, TileRequest

CACHE_ALIAS = "default"
# keys change with the data; this only bounds how long unused tiles occupy the cache
CACHE_SECONDS = {None: 24 * 3600, "day": 24 * 3600, "minute": 120}


@dataclass(frozen=True)
class TileRef:
    """A tile fully named: what to make and where it is cached. `etag` is derived from the
    key, so a client's If-None-Match is answered without reading the cache."""

    layer: Layer
    request: TileRequest
    key: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.key.encode()).hexdigest() + '"'


def tile_ref(
    *, user, layer: str, z: str | int, x: str | int, y: str | int, figure: str | None, now=None
) -> TileRef:
    now = now or timezone.now()
    spec = LAYERS.get(layer)
    if spec is None:
        raise NotFound(
            "unknown_layer",
            _("No map layer %(layer)s.") % {"layer": layer},
            details={"layer": layer, "layers": list(LAYERS)},
        )
    scope = scope_for(user)
    if not spec.allowed(scope):
        raise PermissionDenied(
            "permission_denied",
            _("Only administrators and the managers of agents' stations see agents' positions."),
        )
    zi, xi, yi = _tile_numbers(z, x, y)
    if zi < spec.min_zoom:
        raise ApplicationError(
            "zoom_out_of_range",
            _("Layer %(layer)s is served from zoom %(min)d.")
            % {"layer": layer, "min": spec.min_zoom},
            details={"layer": layer, "min_zoom": spec.min_zoom, "max_zoom": MAX_ZOOM},
        )
    figure = figure or DEFAULT_FIGURE
    if figure not in FIGURES:
        raise ApplicationError(
            "unknown_figure",
            _("Unknown figure %(figure)s.") % {"figure": figure},
            details={"figure": figure, "figures": list(FIGURES)},
        )
    if spec.name != "grids":
        figure = "-"
    request = TileRequest(user=user, scope=scope, z=zi, x=xi, y=yi, figure=figure, now=now)
    gens = generations(spec.sources)
    key = ":".join(
        [
            "tile",
            spec.name,
            "-".join(gens[source] for source in spec.sources),
            spec.scope_key(scope, user),
            figure,
            _clock(spec.clock, now),
            f"{zi}/{xi}/{yi}",
        ]
    )
    return TileRef(layer=spec, request=request, key=key)


def tile_data(ref: TileRef) -> bytes:
    """The tile's bytes (empty for a tile with no features), from the cache or PostGIS."""
    cache = caches[CACHE_ALIAS]
    data = cache.get(ref.key)
    if data is None:
        data = tile_make(ref)
        cache.set(ref.key, data, CACHE_SECONDS[ref.layer.clock])
    return data


def tile_make(ref: TileRef) -> bytes:
    """One statement: ST_AsMVT over the layer's features in the tile, scoped."""
    sql, params = ref.layer.statement(ref.request)
    with read_connection().cursor() as cursor:  # a replica on a routed GET (ADR 0031)
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def _tile_numbers(z, x, y) -> tuple[int, int, int]:
    numbers = [int(n) if re.fullmatch(r"[0-9]{1,8}", str(n)) else -1 for n in (z, x, y)]
    zi, xi, yi = numbers
    if not (0 <= zi <= MAX_ZOOM and 0 <= xi < 2**zi and 0 <= yi < 2**zi):
        raise ApplicationError(
            "invalid_tile",
            _("No tile %(z)s/%(x)s/%(y)s: zoom 0–%(max)d, x and y 0 to 2^zoom − 1.")
            % {"z": z, "x": x, "y": y, "max": MAX_ZOOM},
            details={"z": str(z), "x": str(x), "y": str(y), "max_zoom": MAX_ZOOM},
        )
    return zi, xi, yi


def _clock(clock: str | None, now: datetime) -> str:
    if clock == "day":
        return timezone.localdate(now).isoformat()
    if clock == "minute":
        return timezone.localtime(now).strftime("%Y%m%d%H%M")
    return "-"
