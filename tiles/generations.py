"""Data generations: what a tile's cache key is made of, read in one query per request.

A source's generation is "<transactions that touched it>.<newest bump id>". The count grows
with every commit that touched the source, in any commit order (a sequence value alone would
not: a transaction holding a smaller number can commit after a larger one has been read), so a
stale tile is never found under a current key. The bump id keeps keys from repeating when the
bump table starts again from empty (a restored database, a flushed test database).
"""

from __future__ import annotations

from django.db import connection, transaction

from core.db.replicas import read_connection

from .models import Source

_READ = """
SELECT s.source, coalesce(g.compacted, 0) + count(b.id),
       greatest(coalesce(g.last_bump, 0), coalesce(max(b.id), 0))
FROM unnest(%s::text[]) AS s(source)
LEFT JOIN tiles_generation g ON g.source = s.source
LEFT JOIN tiles_generationbump b ON b.source = s.source
GROUP BY s.source, g.compacted, g.last_bump
"""


def generations(sources) -> dict[str, str]:
    """{source: generation} for the given sources, in one statement (where the request reads:
    a replica on a routed GET, ADR 0031 — the tile is then made there too)."""
    with read_connection().cursor() as cursor:
        cursor.execute(_READ, [list(sources)])
        return {source: f"{count}.{last}" for source, count, last in cursor.fetchall()}


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


def generations_compact() -> int:
    """Fold committed bumps into their source's counter; generations read the same before and
    after. Bumps of transactions still running are not visible here and stay."""
    folded = 0
    for source in Source.values:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_COMPACT, {"source": source})
            row = cursor.fetchone()
            folded += row[0] if row else 0
    return folded
