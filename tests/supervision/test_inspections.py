"""Inspections (督导检查): the scored checklist (the six haves, the board, the register, the
window), who records and reads them, photos recognised from their bytes and stored clean, and
the inspection in the figures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from supervision import checklist
from supervision.models import Inspection, InspectionPhoto
from tests.factories import client_for
from tests.supervision.conftest import item_scores

pytestmark = pytest.mark.django_db

URL = "/api/v1/inspections/"
C1, C2, STREET, DISTRICT = "210000001001", "210000001002", "210000001000", "210000000000"
SECRET = b"secret-place"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def body(centre=C1, total=85, **extra):
    return {"centre": centre, "date": "2026-10-15", "items": item_scores(total), **extra}


def record(who, **kw):
    return client_for(who).post(URL, body(**kw), format="json")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (41.0, 11.0, 54.0), 3: "E", 4: (122.0, 4.0, 16.0)})
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG", exif=exif, comment=SECRET)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (20, 10)).save(out, "GIF")
    return out.getvalue()


def post_photo(who, inspection_id, data: bytes, name="IMG_0001.jpg"):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client_for(who).post(
        f"{URL}{inspection_id}/photos/", {"file": upload, "note": "公开栏"}, format="multipart"
    )


def test_the_checklist_is_the_plans(sup_world):
    response = client_for(sup_world["people"]["supervisor"]).get(f"{URL}checklist/")
    data = response.json()
    assert (data["version"], data["max_total"]) == (checklist.VERSION, 100)
    six = [i["label"] for i in data["items"] if i["six_haves"]]
    assert six == [
        "有环境整洁有序、开放式窗口的办公场所",
        "有电脑、打印机、复印机等必要的办公设备",
        "有固定的公开栏和服务标语",
        "有服务指南和业务办理流程图",
        "有醒目的窗口和工作人员标示牌",
        "有群众休息场所、咨询台、意见箱",
    ]
    assert [i["key"] for i in data["items"] if not i["six_haves"]] == [
        "board_up_to_date",
        "register_kept",
        "window_staffed",
    ]


def test_a_supervisor_records_an_inspection(sup_world):
    response = record(sup_world["people"]["supervisor"], findings="登记本未按一式三联留存。")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["centre"] == {"code": C1, "name": "一社区中心"}
    assert (data["date"], data["total"], data["max_total"], data["percent"]) == (
        "2026-10-15",
        85,
        100,
        85.0,
    )
    assert data["inspector"] == "supervisor" and data["findings"] == "登记本未按一式三联留存。"
    assert [i["key"] for i in data["items"]] == [i.key for i in checklist.ITEMS]
    deducted = {i["key"]: i["score"] for i in data["items"] if i["score"] < i["max_score"]}
    assert deducted == {"window_staffed": 0, "register_kept": 10}  # 15 points off, from the end


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b: b["items"].pop("register_kept"), 400, "missing_items"),
        (lambda b: b["items"].update(free_tea={"score": 1}), 400, "unknown_items"),
        (lambda b: b["items"].update(premises={"score": 11}), 400, "invalid_score"),
        (lambda b: b["items"].update(premises={"score": -1}), 400, "invalid_score"),
        (lambda b: b["items"].update(premises={"score": "10"}), 400, "invalid_score"),
        (lambda b: b["items"].update(premises={"score": True}), 400, "invalid_score"),
        (
            lambda b: b["items"].update(premises={"score": 10, "note": "长" * 501}),
            400,
            "note_too_long",
        ),
        (lambda b: b.update(date="2099-01-01"), 400, "invalid_date"),
        (lambda b: b.update(date="yesterday"), 400, "invalid_input"),
        (lambda b: b.update(items=[1, 2]), 400, "invalid_input"),
        (lambda b: b.update(centre="999999999999"), 404, "unknown_centre"),
        (lambda b: b.update(centre="abc"), 404, "unknown_centre"),
        (lambda b: b.update(centre=DISTRICT), 404, "unknown_centre"),
    ],
)
def test_bad_inspections(sup_world, change, status, code):
    data = body()
    change(data)
    response = client_for(sup_world["people"]["district"]).post(URL, data, format="json")
    assert error_code(response, status) == code
    assert not Inspection.objects.exists()


def test_a_plain_score_stands_for_an_item(sup_world):
    data = body()
    data["items"] = {key: value["score"] for key, value in data["items"].items()}
    response = client_for(sup_world["people"]["district"]).post(URL, data, format="json")
    assert response.status_code == 201 and response.json()["total"] == 85


def test_who_records_inspections(sup_world):
    p = sup_world["people"]
    assert record(p["district"]).status_code == 201
    # the street's lead inspects its stations, not the street centre itself
    assert record(p["lead"], centre=C2).status_code == 201
    assert error_code(record(p["lead"], centre=STREET), 403) == "permission_denied"
    for who in ("street", "manager1"):  # they see the station but do not inspect it
        assert error_code(record(p[who]), 403) == "permission_denied"
    assert error_code(record(p["manager1"], centre=C2), 404) == "unknown_centre"
    for who in ("agent1", "window"):
        assert error_code(record(p[who]), 403) == "permission_denied"
    assert Inspection.objects.count() == 2


def test_who_reads_inspections(sup_world):
    p = sup_world["people"]
    c1 = record(p["supervisor"]).json()["id"]
    c2 = record(p["supervisor"], centre=C2).json()["id"]
    assert {i["id"] for i in client_for(p["district"]).get(URL).json()} == {c1, c2}
    assert {i["id"] for i in client_for(p["lead"]).get(URL).json()} == {c1, c2}
    manager = client_for(p["manager1"])
    assert [i["id"] for i in manager.get(URL).json()] == [c1]
    assert [i["id"] for i in manager.get(URL, {"centre": C1}).json()] == [c1]
    assert error_code(manager.get(URL, {"centre": C2}), 404) == "unknown_centre"
    assert manager.get(f"{URL}{c1}/").status_code == 200
    assert error_code(manager.get(f"{URL}{c2}/"), 404) == "unknown_inspection"
    assert error_code(client_for(p["agent1"]).get(URL), 403) == "permission_denied"


def test_photos_are_recognised_by_their_bytes_and_stored_clean(sup_world, media_root):
    p = sup_world["people"]
    inspection = record(p["supervisor"]).json()["id"]
    response = post_photo(p["supervisor"], inspection, jpeg_with_gps(), name="board.png")
    assert response.status_code == 201, response.content
    photo = response.json()
    assert (photo["content_type"], photo["width"], photo["height"], photo["note"]) == (
        "image/jpeg",
        40,
        30,
        "公开栏",
    )
    stored = InspectionPhoto.objects.get(pk=photo["id"])
    assert stored.file.name.startswith("inspections/") and stored.file.name.endswith(".jpg")
    # served through the API to those who read the inspection, without EXIF or GPS
    served = client_for(p["manager1"]).get(photo["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    assert SECRET not in data
    assert 0x8825 not in Image.open(io.BytesIO(data)).getexif()
    assert post_photo(p["supervisor"], inspection, png(), name="x.jpg").json()["content_type"] == (
        "image/png"
    )
    detail = client_for(p["district"]).get(f"{URL}{inspection}/").json()
    assert len(detail["photos"]) == 2


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"%PDF-1.7 not a photo", 400, "unsupported_file_type"),
        (b"plain text, named .jpg", 400, "unsupported_file_type"),
        (gif(), 400, "unsupported_file_type"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, 400, "invalid_image"),
    ],
)
def test_photo_refusals(sup_world, data, status, code):
    supervisor = sup_world["people"]["supervisor"]
    inspection = record(supervisor).json()["id"]
    assert error_code(post_photo(supervisor, inspection, data), status) == code
    assert not InspectionPhoto.objects.exists()


def test_a_photo_too_large_is_refused(sup_world, settings):
    settings.SUPERVISION = {**settings.SUPERVISION, "PHOTO_MAX_BYTES": 100}
    supervisor = sup_world["people"]["supervisor"]
    inspection = record(supervisor).json()["id"]
    assert error_code(post_photo(supervisor, inspection, jpeg_with_gps()), 413) == "file_too_large"


def test_who_adds_and_reads_photos(sup_world):
    p = sup_world["people"]
    inspection = record(p["lead"]).json()["id"]  # the lead's own inspection of c1
    assert post_photo(p["lead"], inspection, png()).status_code == 201
    assert post_photo(p["district"], inspection, png()).status_code == 201
    assert error_code(post_photo(p["manager1"], inspection, png()), 403) == "permission_denied"
    assert error_code(post_photo(p["manager2"], inspection, png()), 404) == "unknown_inspection"
    photo = InspectionPhoto.objects.first()
    url = f"{URL}{inspection}/photos/{photo.pk}/file/"
    assert error_code(client_for(p["manager2"]).get(url), 404) == "unknown_inspection"
    assert error_code(
        client_for(p["manager1"]).get(f"{URL}{inspection}/photos/999999/file/"), 404
    ) == ("unknown_photo")


def test_inspections_count_in_the_figures(sup_world):
    supervisor = sup_world["people"]["supervisor"]
    record(supervisor, total=70)
    record(supervisor, total=90, date="2026-10-20")
    response = client_for(supervisor).get(
        "/api/v1/stats/", {"level": "community", "from": "2026-10-01", "to": "2026-10-31"}
    )
    rows = {r["unit"]["code"]: r["figures"] for r in response.json()["results"]}
    # the latest inspection counts (90 on 20 Oct), both count as inspections in October
    assert (rows[C1]["inspections"], rows[C1]["inspection_score"]) == (2, 90.0)
    assert (rows[C2]["inspections"], rows[C2]["inspection_score"]) == (0, None)
    assert Inspection.objects.filter(date=date(2026, 10, 20)).exists()
