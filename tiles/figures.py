"""Per-grid map figures kept in a table, so a grid tile reads three numbers per grid instead of
counting each assigned agent's open work and red cases.

A grid's figures for a day: agents = active agents assigned that day; open_work = the sum of
their open work (`open_work_of`, the load routing caps); overdue = their running cases past the
due date (the red deadline light). They change with assignments, an agent's `active`, their
appointments and cases (agent, status, due date), and with the day.

Writers only mark (`tiles/sql/tiles_figures_changed.sql`, called by the triggers on assignments
and staff, and `tiles_work_changed.sql` on appointments and cases: an insert per grid and
transaction, no lock on anything a reader or another writer holds).
`figures_refresh` (a django-q2 schedule every minute, one at a time under an advisory lock)
recomputes the marked grids and the grids whose row is of another day, stores them and clears
the marks it has seen, all in one statement — one snapshot, so a mark committed after it stays.
The grid layer uses a stored row only if it is of the tile's day and no mark names its grid;
the others are computed live in the tile's statement with `figures_ctes`, the same SQL. So a
figure on a tile is never older than the tile's snapshot, whatever the refresh has done.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from cases.models import RUNNING
from people.selectors import active_assignments

# grids recomputed per statement (the whole 100,000-grid district takes a few seconds)
REFRESH_BATCH = 20_000
_LOCK = 0x7469_6C65_7366  # "tilesf": one refresh at a time


def figures_ctes(today: date, grids: str) -> tuple[str, list]:
    """CTEs ending in `fg(grid_id, agents, open_work, overdue)` for the ids in the relation
    named `grids` (a CTE with an `id` column)."""
    assigned_sql, assigned_params = (
        active_assignments(today)
        .filter(staff__active=True)
        .order_by()
        .values("grid_id", "staff_id")
        .query.sql_with_params()
    )
    sql = f"""
        fg_ga AS MATERIALIZED (
            SELECT DISTINCT x.grid_id, x.staff_id FROM ({assigned_sql}) x
            WHERE x.grid_id IN (SELECT id FROM {grids})
        ),
        fg_load AS MATERIALIZED (
            SELECT s.staff_id, o.load AS open_work,
                   (SELECT count(*) FROM cases_case
                     WHERE cases_case.responsible_id = s.staff_id
                       AND cases_case.status = ANY(%s) AND cases_case.due_date < %s) AS overdue
            -- open_work_of is inlined: index counts planned with the statement
            FROM (SELECT DISTINCT staff_id FROM fg_ga) s CROSS JOIN LATERAL open_work_of(s.staff_id) o
        ),
        fg AS (
            SELECT t.id AS grid_id, count(l.staff_id)::int AS agents,
                   coalesce(sum(l.open_work), 0)::int AS open_work,
                   coalesce(sum(l.overdue), 0)::int AS overdue
            FROM {grids} t LEFT JOIN fg_ga ga ON ga.grid_id = t.id
            LEFT JOIN fg_load l ON l.staff_id = ga.staff_id
            GROUP BY t.id
        )"""
    return sql, [*assigned_params, list(RUNNING), today]


def figures_refresh(*, today: date | None = None, batch: int = REFRESH_BATCH) -> int:
    """Recompute the marked grids and those not of today; → how many. Idempotent."""
    today = today or timezone.localdate()
    done = 0
    while True:
        ctes, params = figures_ctes(today, "todo")
        sql = f"""
            WITH marks AS MATERIALIZED (SELECT id, grid_id FROM tiles_figuresstale),
            todo AS MATERIALIZED (
                SELECT id FROM (
                    SELECT DISTINCT m.grid_id AS id FROM marks m
                    UNION
                    SELECT g.id FROM geo_grid g
                    LEFT JOIN tiles_gridfigures f ON f.grid_id = g.id
                    WHERE g.retired_at IS NULL AND (f.grid_id IS NULL OR f.day <> %s)
                ) t LIMIT %s
            ),
            {ctes},
            saved AS (
                INSERT INTO tiles_gridfigures AS f (grid_id, day, agents, open_work, overdue)
                SELECT grid_id, %s, agents, open_work, overdue FROM fg
                ON CONFLICT (grid_id) DO UPDATE
                SET day = EXCLUDED.day, agents = EXCLUDED.agents,
                    open_work = EXCLUDED.open_work, overdue = EXCLUDED.overdue
            ),
            cleared AS (
                DELETE FROM tiles_figuresstale
                WHERE id IN (SELECT m.id FROM marks m WHERE m.grid_id IN (SELECT id FROM todo))
            )
            SELECT count(*) FROM todo
        """
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            cursor.execute(sql, [today, batch, *params, today])
            n = cursor.fetchone()[0]
        done += n
        if n < batch:
            return done
