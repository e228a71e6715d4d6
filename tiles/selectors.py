"""A vector tile for a requester: validated, keyed, served from the cache or made by PostGIS.

Cache: tiles/cache.py — Redis when configured, else an UNLOGGED table on the primary read in the
same statement as the generations that make the tile's key (tiles/generations.py). Either is
shared by every web process, so a tile made once serves them all and does not grow each
worker's memory. The key is

    tile:<layer>:<generations of its sources over the tile>:<scope key>:<figure>:<clock>:<z>/<x>/<y>

so a change to the data under the tile changes the key: a stale tile is never served, and old
entries age out (`generations_compact` deletes expired ones). The generations are read before
the tile is made: the tile's data is then at least as new as its key.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.db.replicas import read_alias, read_connection
from core.errors import ApplicationError, NotFound, PermissionDenied
from people.scope import scope_for

from . import cache
from .cells import cell_range
from .generations import generations_and_tile
from .layers import BUFFER, DEFAULT_FIGURE, EXTENT, FIGURES, LAYERS, MAX_ZOOM, Layer, TileRequest

# keys change with the data; this only bounds how long unused tiles occupy the cache
CACHE_SECONDS = {None: 24 * 3600, "day": 24 * 3600, "minute": 120}
# fast compression: a dense zoom-12 grid tile (~195 KB) shrinks to ~46 KB in ~1.5 ms
GZIP_LEVEL = 1


@dataclass(frozen=True)
class TileRef:
    """A tile named but for its data generations: what to make, and the key's fixed parts
    around them (`prefix` + generations + `suffix`)."""

    layer: Layer
    request: TileRequest
    prefix: str
    suffix: str
    cells: tuple[int, int, int, int]


@dataclass(frozen=True)
class Tile:
    """A keyed tile and, if it was cached, its gzip-compressed bytes (b"" for an empty tile).
    `etag` is derived from the key, so If-None-Match is answered without the tile."""

    key: str
    gzipped: bytes | None

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
    suffix = key_suffix(spec, spec.scope_key(scope, user), figure, now, (zi, xi, yi))
    return TileRef(
        layer=spec,
        request=request,
        prefix=f"tile:{spec.name}:",
        suffix=suffix,
        cells=cell_range(zi, xi, yi, BUFFER / EXTENT),
    )


def key_suffix(spec: Layer, scope_key: str, figure: str, now: datetime, zxy) -> str:
    z, x, y = zxy
    return ":".join(["", scope_key, figure, _clock(spec.clock, now), f"{z}/{x}/{y}"])


@dataclass(frozen=True)
class Prefetched:
    """What the tile path's authentication read in its one statement (tiles/requester.py): the
    generations of `layer` over `cells`, read on `alias`, and — when `looked` — the cached tile
    under `key` (None: not cached). Used only for a TileRef of the same layer and cells read on
    the same database, and the tile only under the very same key."""

    layer: str
    cells: tuple[int, int, int, int]
    alias: str
    gens: str
    looked: bool = False
    key: str = ""
    data: bytes | None = None


def tile_lookup(
    ref: TileRef, *, read_tile: bool = True, prefetched: Prefetched | None = None
) -> Tile:
    """The tile's key from the current generations and, if `read_tile`, its cached bytes: one
    statement, or none when the request's authentication read them already (`prefetched`)."""
    spec = ref.layer
    if (
        prefetched is not None
        and prefetched.layer == spec.name
        and prefetched.cells == ref.cells
        and prefetched.alias == read_alias()
    ):
        key = ref.prefix + prefetched.gens + ref.suffix
        if not read_tile:
            return Tile(key=key, gzipped=None)
        if prefetched.looked and prefetched.key == key:
            return Tile(key=key, gzipped=prefetched.data)
        return Tile(key=key, gzipped=cache.get(key))
    gens, data = generations_and_tile(
        [*spec.sources, *spec.whole_sources],
        spec.sources,
        ref.cells,
        ref.prefix,
        ref.suffix,
        read_tile=read_tile,
    )
    return Tile(key=ref.prefix + gens + ref.suffix, gzipped=data)


def tile_cached(key: str) -> bytes | None:
    return cache.get(key)


def tile_gzipped(ref: TileRef, tile: Tile) -> bytes:
    """The tile's gzip-compressed bytes (b"" for a tile with no features): from the cache, else
    made by PostGIS, compressed and stored."""
    if tile.gzipped is not None:
        return tile.gzipped
    raw = tile_make(ref)
    data = gzip.compress(raw, GZIP_LEVEL, mtime=0) if raw else b""
    cache.put(tile.key, data, CACHE_SECONDS[ref.layer.clock])
    return data


def tile_make(ref: TileRef) -> bytes:
    """One statement: ST_AsMVT over the layer's features in the tile, scoped."""
    sql, params = ref.layer.statement(ref.request)
    with read_connection().cursor() as cursor:  # where the generations were read (ADR 0031)
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
