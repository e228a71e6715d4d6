"""The database really is PostGIS: a spatial predicate runs in the server."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_point_in_polygon_runs_on_postgis():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_Covers(poly, ST_SetSRID(ST_MakePoint(122.06, 41.19), 4326)),
                   ST_Covers(poly, ST_SetSRID(ST_MakePoint(122.20, 41.19), 4326))
            FROM (SELECT ST_MakeEnvelope(122.0, 41.1, 122.1, 41.3, 4326) AS poly) AS p
            """
        )
        inside, outside = cursor.fetchone()
    assert inside is True
    assert outside is False
