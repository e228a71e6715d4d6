"""The catalogue: limits, fees, materials, versions, the one-time notice, who may edit."""

import subprocess

import pytest
from django.db import IntegrityError, connection, transaction

from catalogue import services
from catalogue.models import ApprovalWindow, ServiceItem, ServiceItemVersion
from catalogue.tasks import render_notice
from core.errors import ApplicationError
from tests.factories import client_for


def content(**overrides):
    data = {
        "name": "高龄津贴申请",
        "category": "老年人服务",
        "handling_level": "street",
        "department": "区民政局",
        "window": "MZ",
        "materials": [
            {"key": "id_card", "name": "居民身份证", "form": "original_and_copy", "copies": 1},
            {"key": "bank", "name": "银行卡", "form": "copy"},
        ],
        "procedure": ["代办员预审", "报送街道", "民政局审核"],
        "committed_limit_days": 15,
        "proxy_limit_days": 10,
        "fees": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def catalogue(world):
    ApprovalWindow.objects.create(
        code="MZ",
        department="区民政局",
        name="社会救助窗口",
        centre=world["tree"]["district"].centre,
        hours="工作日 8:30-17:00",
        phone="0427-2880001",
    )
    item = services.item_create(actor=None, code="MZ-001", data=content())
    return {"item": item, "editor": client_for(world["people"]["district"])}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"proxy_limit_days": 20}, "proxy_limit_exceeds_committed"),
        ({"proxy_limit_days": 0}, "invalid_limit"),
        ({"committed_limit_days": "ten"}, "invalid_limit"),
        ({"fees": [{"name": "工本费", "amount": "-5", "legal_basis": "某法"}]}, "negative_fee"),
        (
            {"fees": [{"name": "服务费", "amount": "10", "legal_basis": ""}]},
            "fee_without_legal_basis",
        ),
        ({"fees": [{"name": "工本费", "amount": "abc", "legal_basis": "某法"}]}, "invalid_fee"),
        ({"materials": []}, "materials_required"),
        ({"materials": [{"name": ""}]}, "invalid_material"),
        ({"materials": [{"name": "身份证", "form": "scan"}]}, "invalid_material"),
        ({"materials": [{"key": "a", "name": "x"}, {"key": "a", "name": "y"}]}, "invalid_material"),
        ({"procedure": []}, "procedure_required"),
        ({"window": "NOPE"}, "unknown_window"),
        ({"handling_level": "province"}, "invalid_handling_level"),
    ],
)
def test_bad_item_content_is_refused_and_nothing_saved(catalogue, overrides, code):
    before = (ServiceItem.objects.count(), ServiceItemVersion.objects.count())
    with pytest.raises(ApplicationError) as info:
        services.item_create(actor=None, code="NEW-1", data=content(**overrides))
    assert info.value.code == code
    assert (ServiceItem.objects.count(), ServiceItemVersion.objects.count()) == before


def test_bad_input_over_http(catalogue):
    editor = catalogue["editor"]
    response = editor.post(
        "/api/v1/service-items/", {"code": "NEW-1", **content(proxy_limit_days=30)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "proxy_limit_exceeds_committed"
    response = editor.post("/api/v1/service-items/", {"code": "MZ-001", **content()}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "item_code_taken"
    response = editor.patch("/api/v1/service-items/NOPE/", {"name": "x"}, format="json")
    assert (
        response.status_code == 404 and response.json()["error"]["code"] == "unknown_service_item"
    )
    response = editor.patch(
        "/api/v1/service-items/MZ-001/",
        {"fees": [{"name": "x", "amount": -1, "legal_basis": "y"}]},
        format="json",
    )
    assert response.json()["error"]["code"] == "negative_fee"
    assert ServiceItemVersion.objects.filter(item__code="MZ-001").count() == 1


def test_an_edit_adds_a_version_and_the_old_one_stays(catalogue):
    editor = catalogue["editor"]
    response = editor.patch(
        "/api/v1/service-items/MZ-001/", {"proxy_limit_days": 8, "note": "提速"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["proxy_limit_days"] == 8
    versions = editor.get("/api/v1/service-items/MZ-001/versions/").json()
    assert [(v["version"], v["proxy_limit_days"]) for v in versions] == [(1, 10), (2, 8)]
    same = editor.patch("/api/v1/service-items/MZ-001/", {"proxy_limit_days": 8}, format="json")
    assert same.json()["version"] == 2  # no change, no new version
    old = ServiceItemVersion.objects.get(item__code="MZ-001", version=1)
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE catalogue_serviceitemversion SET proxy_limit_days = 1 WHERE id = %s", [old.pk]
        )


def test_public_reads_and_search(catalogue, api_client):
    body = api_client.get("/api/v1/service-items/?q=高龄").json()
    assert [i["code"] for i in body] == ["MZ-001"]
    assert body[0]["free_of_charge"] is True
    assert api_client.get("/api/v1/service-items/?category=社会救助").json() == []
    detail = api_client.get("/api/v1/service-items/MZ-001/").json()
    assert detail["window"]["department"] == "区民政局"
    assert api_client.get("/api/v1/service-items/NOPE/").status_code == 404


def test_only_district_staff_edit_the_catalogue(catalogue, world, api_client):
    assert (
        api_client.post(
            "/api/v1/service-items/", {"code": "X", **content()}, format="json"
        ).status_code
        == 401
    )
    for role in ("agent1", "manager1", "street", "lead", "supervisor", "window"):
        client = client_for(world["people"][role])
        response = client.patch("/api/v1/service-items/MZ-001/", {"name": "改名"}, format="json")
        assert response.status_code == 403, role
        assert (
            client.post(
                "/api/v1/service-items/", {"code": "X", **content()}, format="json"
            ).status_code
            == 403
        )
        assert (
            client.post(
                "/api/v1/windows/",
                {
                    "code": "W",
                    "department": "d",
                    "name": "n",
                    "centre": "210000",
                    "hours": "h",
                    "phone": "p",
                },
                format="json",
            ).status_code
            == 403
        )
    assert ServiceItemVersion.objects.count() == 1 and ApprovalWindow.objects.count() == 1


def test_notice_json_lists_everything_or_only_what_is_missing(catalogue, api_client):
    full = api_client.get("/api/v1/service-items/MZ-001/notice.json").json()
    assert [m["key"] for m in full["materials"]] == ["id_card", "bank"]
    assert full["free_of_charge"] is True and full["proxy_limit_days"] == 10
    assert full["where"]["window"] == "社会救助窗口"
    missing = api_client.get("/api/v1/service-items/MZ-001/notice.json?missing=bank").json()
    assert [m["key"] for m in missing["materials"]] == ["bank"] and missing["only_missing"] is True
    bad = api_client.get("/api/v1/service-items/MZ-001/notice.json?missing=passport")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_material"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
def test_notice_pdf_has_real_chinese_text_and_is_cached(catalogue, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = api_client.get("/api/v1/service-items/MZ-001/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "一次告知书",
        "高龄津贴申请",
        "居民身份证",
        "银行卡",
        "免费代办",
        "10 个工作日",
        "区民政局",
    ):
        assert expected in text, expected
    assert (tmp_path / "media" / "notices" / "MZ-001-v1.pdf").exists()
    assert render_notice(catalogue["item"].current.pk) is False  # cached: the task does nothing

    missing = api_client.get("/api/v1/service-items/MZ-001/notice.pdf?missing=bank")
    text = pdf_text(missing.content, tmp_path)
    assert "尚需补齐的材料" in text and "银行卡" in text and "居民身份证" not in text


@pytest.mark.slow
def test_render_task_renders_once(catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    version = services.item_revise(
        actor=None, item=catalogue["item"], changes={"proxy_limit_days": 9}
    )
    assert render_notice(version.pk) is True
    assert render_notice(version.pk) is False


def test_centre_items_and_board(catalogue, world, api_client):
    other = services.item_create(
        actor=None,
        code="QT-000",
        is_other_request=True,
        data=content(name="其他合理合法需求", materials=[], window=None),
    )
    manager = client_for(world["people"]["manager1"])
    response = manager.put(
        "/api/v1/centres/210000001001/service-items/",
        {"items": ["MZ-001", "QT-000"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [i["code"] for i in response.json()] == ["MZ-001", "QT-000"]
    board = api_client.get("/api/v1/public/stations/210000001001/").json()
    assert [i["name"] for i in board["service_items"]] == ["高龄津贴申请", "其他合理合法需求"]
    assert other.current.materials == []
    outsider = client_for(world["people"]["manager2"])
    assert (
        outsider.put(
            "/api/v1/centres/210000001001/service-items/", {"items": []}, format="json"
        ).status_code
        == 404
    )
    bad = manager.put(
        "/api/v1/centres/210000001001/service-items/", {"items": ["NOPE"]}, format="json"
    )
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "unknown_service_item"
    assert len(api_client.get("/api/v1/centres/210000001001/service-items/").json()) == 2
