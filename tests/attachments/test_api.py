"""Attachments over HTTP: uploads to a case and a visit, refusals of type and size, client_uuid
replays, who may add and who may read, and the stored bytes served privately."""

import hashlib
import io
import os
import re
import uuid

import pytest
from PIL import Image

from attachments.models import Attachment
from tests.factories import client_for

from .conftest import SECRET, heic_with_gps, jpeg_with_gps, png_with_text, stored_files, upload

NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f-]{36}\.(jpg|png)$")


def case_url(world):
    return f"/api/v1/cases/{world['case'].pk}/attachments/"


def visit_url(world):
    return f"/api/v1/visits/{world['visit'].pk}/attachments/"


def post(client, url, data: bytes, name="IMG_0001.jpg", **fields):
    body = {"file": upload(data, name), "kind": fields.pop("kind", "document_photo"), **fields}
    return client.post(url, body, format="multipart")


def error(response) -> str:
    return response.json()["error"]["code"]


# --- uploads and the stored copy ----------------------------------------------------------


def test_jpeg_on_a_case_is_stored_without_gps_and_served_to_its_agent(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), jpeg_with_gps(), note=" 身份证正面 ")
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get()
    assert body["id"] == attachment.pk and body["case"] == attach_world["case"].pk
    assert body["visit"] is None and body["kind"] == "document_photo"
    assert body["content_type"] == "image/jpeg" and body["note"] == "身份证正面"
    assert (body["width"], body["height"]) == (30, 40)  # turned upright
    assert body["uploaded_by"] == "agent1"
    assert body["file_url"] == f"/api/v1/attachments/{attachment.pk}/file"
    # stored under a made-up name, never the client's
    assert NAME.match(attachment.file.name) and "IMG_0001" not in attachment.file.name
    stored = (media_root / attachment.file.name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == body["sha256"] and len(stored) == body["size"]
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"Exif\x00\x00" not in stored and SECRET not in stored

    served = agent.get(body["file_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private"
    assert served["ETag"] == f'"{body["sha256"]}"'
    assert 'filename="' in served["Content-Disposition"]
    assert b"".join(served.streaming_content) == stored


def test_png_signature_on_a_visit_loses_its_text_chunks(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(
        agent, visit_url(attach_world), png_with_text(), name="sign.png", kind="signature"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visit"] == attach_world["visit"].pk and body["case"] is None
    assert body["content_type"] == "image/png" and body["kind"] == "signature"
    stored = (media_root / Attachment.objects.get().file.name).read_bytes()
    assert b"tEXt" not in stored and b"iTXt" not in stored and SECRET not in stored
    served = agent.get(body["file_url"])
    assert served["Content-Type"] == "image/png"


def test_heic_from_an_iphone_is_stored_as_jpeg(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), heic_with_gps(), name="IMG_0002.HEIC")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg"
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(".jpg")
    stored = (media_root / attachment.file.name).read_bytes()
    assert stored.startswith(b"\xff\xd8\xff") and b"Exif\x00\x00" not in stored
    served = agent.get(body["file_url"])
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored


def test_a_repeat_fetch_with_the_etag_is_not_modified(attach_world):
    agent = client_for(attach_world["people"]["agent1"])
    body = post(agent, case_url(attach_world), jpeg_with_gps()).json()
    again = agent.get(body["file_url"], HTTP_IF_NONE_MATCH=f'"{body["sha256"]}"')
    assert again.status_code == 304 and again["Cache-Control"] == "private"


# --- refusals: type, size, pixels -------------------------------------------------------


def test_a_pdf_named_jpg_is_unsupported(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    response = post(agent, case_url(attach_world), pdf, name="photo.jpg")
    assert response.status_code == 400
    assert error(response) == "unsupported_file_type"
    assert Attachment.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
        b"",
    ],
    ids=["gif", "svg", "mp4", "empty"],
)
def test_other_types_are_unsupported(attach_world, data):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), data or b"\x00")
    assert response.status_code == 400 and error(response) == "unsupported_file_type"


def test_a_file_over_the_cap_is_too_large(attach_world, settings, media_root):
    settings.ATTACHMENTS = {**settings.ATTACHMENTS, "MAX_BYTES": 1000}
    agent = client_for(attach_world["people"]["agent1"])
    data = jpeg_with_gps(size=(200, 200))
    assert len(data) > 1000  # but the body is within the slack: refused by the file's size
    response = post(agent, case_url(attach_world), data)
    assert response.status_code == 413
    assert error(response) == "file_too_large"
    assert response.json()["error"]["details"]["limit"] == 1000
    assert Attachment.objects.count() == 0 and stored_files(media_root) == []


def test_a_body_announcing_more_than_the_cap_is_refused_before_it_is_read(
    attach_world, settings, monkeypatch
):
    settings.ATTACHMENTS = {**settings.ATTACHMENTS, "MAX_BYTES": 1000}
    from rest_framework.request import Request

    def never(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(Request, "_load_data_and_files", never)
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), b"\xff\xd8\xff" + b"\x00" * 40_000)
    assert response.status_code == 413 and error(response) == "file_too_large"


def test_a_corrupt_jpeg_is_invalid_image(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), jpeg_with_gps()[:300])
    assert response.status_code == 400 and error(response) == "invalid_image"
    assert Attachment.objects.count() == 0 and stored_files(media_root) == []


def test_a_pixel_bomb_is_image_too_large(attach_world, settings):
    settings.ATTACHMENTS = {**settings.ATTACHMENTS, "MAX_PIXELS": 1_000_000}
    out = io.BytesIO()
    Image.new("1", (2000, 1000)).save(out, "PNG")
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), out.getvalue(), name="x.png")
    assert response.status_code == 400 and error(response) == "image_too_large"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "selfie"}, "kind"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"note": "长" * 501}, "note"),
    ],
)
def test_bad_fields_are_invalid_input(attach_world, fields, field):
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), jpeg_with_gps(), **fields)
    assert response.status_code == 400 and error(response) == "invalid_input"
    assert field in response.json()["error"]["details"]["fields"]


def test_a_missing_file_is_invalid_input(attach_world):
    agent = client_for(attach_world["people"]["agent1"])
    response = agent.post(case_url(attach_world), {"kind": "other"}, format="multipart")
    assert response.status_code == 400 and error(response) == "invalid_input"


# --- client_uuid: offline uploads sent again ----------------------------------------------


def test_the_same_client_uuid_twice_stores_one(attach_world, media_root):
    agent = client_for(attach_world["people"]["agent1"])
    key = str(uuid.uuid4())
    first = post(agent, case_url(attach_world), jpeg_with_gps(), client_uuid=key)
    again = post(agent, case_url(attach_world), jpeg_with_gps(), client_uuid=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["client_uuid"] == key
    assert Attachment.objects.count() == 1 and len(stored_files(media_root)) == 1


def test_someone_elses_client_uuid_is_taken(attach_world):
    key = str(uuid.uuid4())
    post(
        client_for(attach_world["people"]["agent1"]),
        case_url(attach_world),
        jpeg_with_gps(),
        client_uuid=key,
    )
    manager = client_for(attach_world["people"]["manager1"])
    response = post(manager, case_url(attach_world), jpeg_with_gps(), client_uuid=key)
    assert response.status_code == 409 and error(response) == "client_uuid_taken"
    assert Attachment.objects.count() == 1


def test_a_client_uuid_cannot_move_to_another_subject(attach_world):
    """Another subject is another request: core.offline's `client_uuid_reused`."""
    agent = client_for(attach_world["people"]["agent1"])
    key = str(uuid.uuid4())
    assert post(agent, case_url(attach_world), jpeg_with_gps(), client_uuid=key).status_code == 201
    response = post(agent, visit_url(attach_world), jpeg_with_gps(), client_uuid=key)
    assert response.status_code == 422 and error(response) == "client_uuid_reused"


# --- who may add, who may read ------------------------------------------------------------

CASE_UPLOAD = [
    ("agent1", 201, None),  # responsible (首问负责)
    ("manager1", 201, None),  # manages the case's station
    ("street", 201, None),  # street/town centre above it
    ("district", 201, None),
    ("supervisor", 403, "permission_denied"),  # reads every case, changes none
    ("agent2", 404, "unknown_case"),  # another station
    ("manager2", 404, "unknown_case"),
    ("window", 404, "unknown_case"),  # not forwarded to the window yet
]


@pytest.mark.parametrize(("who", "status", "code"), CASE_UPLOAD)
def test_who_may_add_to_a_case(attach_world, who, status, code):
    client = client_for(attach_world["people"][who])
    response = post(client, case_url(attach_world), jpeg_with_gps())
    assert response.status_code == status, response.content
    if code:
        assert error(response) == code
        assert Attachment.objects.count() == 0


VISIT_UPLOAD = [
    ("agent1", 201, None),  # the visit's agent
    ("manager1", 201, None),  # manages the agent's station
    ("street", 201, None),
    ("district", 201, None),
    ("agent2", 404, "unknown_visit"),
    ("manager2", 404, "unknown_visit"),
    ("supervisor", 403, "permission_denied"),  # reads every visit, changes none
    ("window", 404, "unknown_visit"),
]


def test_out_of_scope_answers_404_before_the_body_is_judged(attach_world):
    outsider = client_for(attach_world["people"]["agent2"])
    for url, code in (
        (case_url(attach_world), "unknown_case"),
        (visit_url(attach_world), "unknown_visit"),
    ):
        response = post(outsider, url, b"%PDF-1.7", kind="selfie")
        assert response.status_code == 404 and error(response) == code


@pytest.mark.parametrize(("who", "status", "code"), VISIT_UPLOAD)
def test_who_may_add_to_a_visit(attach_world, who, status, code):
    client = client_for(attach_world["people"][who])
    response = post(client, visit_url(attach_world), jpeg_with_gps())
    assert response.status_code == status, response.content
    if code:
        assert error(response) == code


@pytest.fixture
def uploaded(attach_world):
    agent = client_for(attach_world["people"]["agent1"])
    on_case = post(agent, case_url(attach_world), jpeg_with_gps()).json()
    on_visit = post(agent, visit_url(attach_world), png_with_text(), kind="signature").json()
    return attach_world, on_case, on_visit


CASE_READERS = {"agent1": True, "manager1": True, "street": True, "supervisor": True}
CASE_READERS |= {"agent2": False, "manager2": False, "window": False}


@pytest.mark.parametrize(("who", "sees"), CASE_READERS.items())
def test_who_reads_a_case_attachment(uploaded, who, sees):
    world, on_case, _ = uploaded
    client = client_for(world["people"][who])
    listed = client.get(case_url(world))
    record = client.get(f"/api/v1/attachments/{on_case['id']}/")
    served = client.get(on_case["file_url"])
    if sees:
        assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [on_case["id"]]
        assert record.status_code == 200 and record.json() == on_case
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    else:
        assert listed.status_code == 404 and error(listed) == "unknown_case"
        for response in (record, served):
            assert response.status_code == 404 and error(response) == "unknown_attachment"


VISIT_READERS = {"agent1": True, "manager1": True, "district": True, "supervisor": True}
VISIT_READERS |= {"agent2": False, "manager2": False, "window": False}


@pytest.mark.parametrize(("who", "sees"), VISIT_READERS.items())
def test_who_reads_a_visit_attachment(uploaded, who, sees):
    world, _, on_visit = uploaded
    client = client_for(world["people"][who])
    listed = client.get(visit_url(world))
    served = client.get(on_visit["file_url"])
    if sees:
        assert [row["id"] for row in listed.json()] == [on_visit["id"]]
        assert served.status_code == 200 and served["Content-Type"] == "image/png"
    else:
        assert listed.status_code == 404 and error(listed) == "unknown_visit"
        assert served.status_code == 404 and error(served) == "unknown_attachment"


def test_anonymous_reads_nothing(uploaded, api_client):
    _, on_case, _ = uploaded
    assert api_client.get(on_case["file_url"]).status_code in (401, 403)
    assert api_client.get(f"/api/v1/attachments/{on_case['id']}/").status_code in (401, 403)


def test_the_file_is_served_whatever_the_accept_header(uploaded):
    world, on_case, _ = uploaded
    agent = client_for(world["people"]["agent1"])
    assert agent.get(on_case["file_url"], HTTP_ACCEPT="image/jpeg").status_code == 200
    missing = agent.get("/api/v1/attachments/999999/file", HTTP_ACCEPT="image/jpeg")
    assert missing.status_code == 404 and error(missing) == "unknown_attachment"


def test_a_missing_stored_file_is_reported_not_crashed(uploaded, media_root):
    world, on_case, _ = uploaded
    (media_root / Attachment.objects.get(pk=on_case["id"]).file.name).unlink()
    response = client_for(world["people"]["agent1"]).get(on_case["file_url"])
    assert response.status_code == 404 and error(response) == "attachment_file_missing"


def test_nothing_in_the_api_deletes_one(uploaded):
    world, on_case, _ = uploaded
    agent = client_for(world["people"]["agent1"])
    for url in (f"/api/v1/attachments/{on_case['id']}/", on_case["file_url"]):
        assert agent.delete(url).status_code == 405
    assert Attachment.objects.filter(pk=on_case["id"]).exists()


def _phone_sized_jpeg() -> bytes:
    """A 3–4 MB JPEG, the size of a phone photo of a document (noise does not compress)."""
    noise = Image.frombytes("RGB", (2000, 1500), os.urandom(2000 * 1500 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_phone_sized_photo_under_the_cap_is_accepted(attach_world):
    data = _phone_sized_jpeg()
    assert 2 * 1024 * 1024 < len(data) < 10 * 1024 * 1024
    agent = client_for(attach_world["people"]["agent1"])
    response = post(agent, case_url(attach_world), data)
    assert response.status_code == 201, response.content
