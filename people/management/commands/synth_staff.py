"""python manage.py synth_staff --per-grid 3: agents for the synthetic grids (benchmarks only).

Users get an unusable password (hashing 300,000 passwords would take a day); each grid gets one
primary and (per-grid − 1) backups; half the agents report a fresh position inside their grid.
Written set-based in a few statements. Never run it on production data.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

SQL = """
WITH users AS (
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
    SELECT '!', false, 'synth-' || g.code || '-' || k, '', '', '', false, true, now()
    FROM geo_grid g CROSS JOIN generate_series(1, %(per)s) AS k
    WHERE g.code LIKE 'S%%' AND g.retired_at IS NULL
    RETURNING id, username
), staff AS (
    INSERT INTO people_staff (user_id, full_name, phone, post, agent_type, roles, centre_id, "window",
                              public, active, open_work_cap, last_position, last_position_at,
                              last_position_accuracy_m)
    SELECT u.id, '合成代办员' || u.id, '13' || lpad(u.id::text, 9, '0'), '网格员', 'grid_worker',
           '{agent}', c.id, '', false, true, NULL,
           CASE WHEN u.id %% 2 = 0 THEN ST_PointOnSurface(g.boundary) END,
           CASE WHEN u.id %% 2 = 0 THEN now() END,
           CASE WHEN u.id %% 2 = 0 THEN 20 END
    FROM users u
    JOIN geo_grid g ON g.code = split_part(u.username, '-', 2)
    JOIN geo_servicecentre c ON c.area_id = g.community_id
    RETURNING id, user_id
)
INSERT INTO people_gridassignment (grid_id, staff_id, kind, valid_from, created_at, end_reason)
SELECT g.id, s.id, CASE WHEN split_part(u.username, '-', 3) = '1' THEN 'primary' ELSE 'backup' END,
       current_date - 30, now(), ''
FROM staff s JOIN users u ON u.id = s.user_id
JOIN geo_grid g ON g.code = split_part(u.username, '-', 2);
"""


class Command(BaseCommand):
    help = "Generate agents for the synthetic grids of synth_grids (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--per-grid", type=int, default=3)

    def handle(self, *args, per_grid: int, **opts):
        if per_grid < 1:
            raise CommandError("--per-grid must be at least 1")
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SQL, {"per": per_grid})
            cursor.execute("SELECT count(*) FROM people_staff WHERE full_name LIKE '合成代办员%%'")
            made = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE accounts_user; ANALYZE people_staff; ANALYZE people_gridassignment"
            )
        self.stdout.write(f"{made} synthetic agents in {time.monotonic() - started:.1f} s")
