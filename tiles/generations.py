"""Data generations: what a tile's cache key is made of, read in one query per request.

A source's generation over a tile is "<transactions that touched it>.<newest bump id>", counted
over the whole source (`tiles_generationbump`: a TRUNCATE, a statement covering more than 4,096
cells) plus the zoom-16 cells the tile covers (`tiles_cellbump`, tiles/cells.py). The count
grows with every commit that touched the source there, in any commit order (a sequence value
alone would not: a transaction holding a smaller number can commit after a larger one has been
read), so a stale tile is never found under a current key. The bump id keeps keys from repeating
when the bump tables start again from empty (a restored database, a flushed test database).

Generations are read where the request reads (a replica on a routed GET, ADR 0031) and the
tile is then made there too: its data is at least as new as its key, whichever database served
it, so the shared cache never holds a tile older than its key. `generations_and_tile` reads the
generations and, with the table cache on the primary, the cached tile under the key they make in
the same statement (tiles/cache.py).
"""

from __future__ import annotations

from django.db import connection, connections, transaction

from core.db.replicas import PRIMARY, read_alias

from . import cache
from .models import Source

_COUNTS = """
WITH src AS (SELECT s.source, s.ord FROM unnest(%s::text[]) WITH ORDINALITY AS s(source, ord)),
counts AS (
    SELECT g.source, g.compacted AS n, g.last_bump AS last
    FROM tiles_generation g WHERE g.source = ANY (%s)
    UNION ALL
    SELECT b.source, count(*), max(b.id) FROM tiles_generationbump b
    WHERE b.source = ANY (%s) GROUP BY b.source
    UNION ALL
    SELECT c.source, sum(c.compacted), max(c.last_bump) FROM tiles_cellgeneration c
    WHERE c.source = ANY (%s) AND c.x BETWEEN %s AND %s AND c.y BETWEEN %s AND %s
    GROUP BY c.source
    UNION ALL
    SELECT b.source, count(*), max(b.id) FROM tiles_cellbump b
    WHERE b.source = ANY (%s) AND b.x BETWEEN %s AND %s AND b.y BETWEEN %s AND %s
    GROUP BY b.source
),
gens AS (
    SELECT src.ord, src.source,
           coalesce(t.n, 0)::bigint || '.' || coalesce(t.last, 0)::bigint AS generation
    FROM src LEFT JOIN (SELECT source, sum(n) AS n, max(last) AS last
                        FROM counts GROUP BY source) t ON t.source = src.source
)
"""

# no cells: an empty range (x0 > x1)
NO_CELLS = (1, 1, 0, 0)


def _count_params(sources, cell_sources, cells) -> list:
    x0, y0, x1, y1 = cells
    sources, cell_sources = list(sources), list(cell_sources)
    return [sources, sources, sources, cell_sources, x0, x1, y0, y1, cell_sources, x0, x1, y0, y1]


def counts_sql(sources, cell_sources, cells) -> tuple[str, list]:
    """The CTEs (`WITH …`) ending in `gens (ord, source, generation)`, and their parameters, for
    a statement of its own that reads the generations (tiles/requester.py)."""
    return _COUNTS, _count_params(sources, cell_sources, cells)


def generations(
    sources, cells: tuple[int, int, int, int] = NO_CELLS, cell_sources=None
) -> dict[str, str]:
    """{source: generation} for the given sources, counted whole and over the cells
    (x0, y0, x1, y1) for `cell_sources` (default: all of them)."""
    cell_sources = sources if cell_sources is None else cell_sources
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            _COUNTS + "SELECT source, generation FROM gens",
            _count_params(sources, cell_sources, cells),
        )
        return dict(cursor.fetchall())


def generations_and_tile(
    sources, cell_sources, cells, prefix: str, suffix: str, *, read_tile: bool
) -> tuple[str, bytes | None]:
    """The generations part of a tile's key ("-"-joined, in the order of `sources`; the
    `cell_sources` among them counted over the cells too) and, when `read_tile`, the cached
    tile under prefix + generations + suffix (None if not cached)."""
    params = _count_params(sources, cell_sources, cells)
    alias = read_alias()
    together = read_tile and alias == PRIMARY and cache.in_table()
    if together:
        tail = """, k AS (SELECT string_agg(generation, '-' ORDER BY ord) AS gens FROM gens)
            SELECT k.gens, c.data FROM k
            LEFT JOIN tiles_tilecache c ON c.key = %s || k.gens || %s AND c.expires > now()"""
        params += [prefix, suffix]
    else:
        tail = "SELECT string_agg(generation, '-' ORDER BY ord), NULL FROM gens"
    with connections[alias].cursor() as cursor:
        cursor.execute(_COUNTS + tail, params)
        gens, data = cursor.fetchone()
    if together:
        return gens, (bytes(data) if data is not None else None)
    return gens, (cache.get(prefix + gens + suffix) if read_tile else None)


_COMPACT = """
WITH gone AS (
    DELETE FROM tiles_generationbump WHERE source = %(source)s RETURNING id
)
INSERT INTO tiles_generation AS g (source, compacted, last_bump)
SELECT %(source)s, count(*), coalesce(max(id), 0) FROM gone
ON CONFLICT (source) DO UPDATE
SET compacted = g.compacted + EXCLUDED.compacted,
    last_bump = greatest(g.last_bump, EXCLUDED.last_bump)
RETURNING (SELECT count(*) FROM gone)
"""

_COMPACT_CELLS = """
WITH gone AS (
    DELETE FROM tiles_cellbump WHERE source = %(source)s RETURNING id, x, y
), folded AS (
    INSERT INTO tiles_cellgeneration AS g (source, x, y, compacted, last_bump)
    SELECT %(source)s, x, y, count(*), max(id) FROM gone GROUP BY x, y
    ON CONFLICT (source, x, y) DO UPDATE
    SET compacted = g.compacted + EXCLUDED.compacted,
        last_bump = greatest(g.last_bump, EXCLUDED.last_bump)
)
SELECT count(*) FROM gone
"""


def generations_compact() -> int:
    """Fold committed bumps into their source's (and cell's) counter; generations read the same
    before and after. Bumps of transactions still running are not visible here and stay. Also
    drops expired tiles from the cache."""
    folded = 0
    for source in Source.values:
        for statement in (_COMPACT, _COMPACT_CELLS):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, {"source": source})
                row = cursor.fetchone()
                folded += row[0] if row else 0
    cache.purge_expired()
    return folded
