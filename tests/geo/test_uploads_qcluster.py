"""A boundary upload read and applied by a real `qcluster` process (the ORM broker, GDAL in the
worker): the bytes travel in the database, the preview and the grids come back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from geo.models import BoundaryUpload, Grid
from people.models import Role
from tests.conftest import ROOT
from tests.factories import make_staff

from .helpers import rect_geojson
from .test_importing import C1

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(upload: BoundaryUpload, status: str, seconds: float = 60) -> BoundaryUpload:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        upload.refresh_from_db()
        if upload.status == status:
            return upload
        time.sleep(0.3)
    raise AssertionError(f"still {upload.status}, not {status}")


def test_a_worker_process_previews_and_applies_an_upload(tree):
    district = make_staff("district", Role.DISTRICT_STAFF, centre=tree["district"].centre)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "W1"},
                "geometry": rect_geojson(0, 0, 500, 1000),
            },
        ],
    }
    upload = BoundaryUpload.objects.create(
        created_by=district.user,
        filename="w.geojson",
        format="geojson",
        size=0,
        content=json.dumps(collection).encode(),
        level="grid",
        parent_code=C1,
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.test",
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "Q_SYNC": "false",
        "Q_CLUSTER_NAME": settings.Q_CLUSTER["name"],
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async_task("geo.tasks.boundary_upload_preview", str(upload.pk), 1, sync=False)
        upload = wait_for(upload, "ready")
        assert (upload.result["accepted"], upload.result["refused"]) == (1, 0)
        assert Grid.objects.count() == 0
        BoundaryUpload.objects.filter(pk=upload.pk).update(status="applying", run=2)
        async_task("geo.tasks.boundary_upload_apply", str(upload.pk), 2, sync=False)
        upload = wait_for(upload, "applied")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert upload.applied_at is not None
    assert list(Grid.objects.values_list("code", flat=True)) == ["W1"]
