"""登记本回执: three labelled copies on one A4 sheet, what was registered (not live rows), the
return code on the applicant's copy only (and masked but on the sheet issued at acceptance), a
scannable QR code of the tracking code, one render per entry."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from django.db import transaction
from django.test import override_settings
from PIL import Image

from cases import receipt
from cases.models import Case, RegisterEntry
from catalogue import services as catalogue_services
from people.models import Role
from tests.factories import make_staff
from tests.geo.helpers import build_tree

SH = ZoneInfo("Asia/Shanghai")
ACCEPTED_AT = datetime(2026, 11, 30, 9, 12, tzinfo=SH)
TRACKING_CODE = "7K3M9QX2PA"
RETURN_CODE = "482913"
LABELS = ("站点存档联", "街道（乡镇）中心联", "申请人联")
TITLE = "村民（居民）代理事项登记本"
DPI = 200  # sheets are read back at an ordinary scanner's resolution
MM = DPI / 25.4  # pixels per millimetre

# every test asks for the test database, so it is set up even when only the tests that read the
# module's rendered sheets are selected
pytestmark = pytest.mark.django_db


def registered(station, **overrides) -> dict:
    """An entry's content as the acceptance writes it."""
    street = station.area.parent.centre
    content = {
        "tracking_code": TRACKING_CODE,
        "station": {"code": station.area.code, "name": station.name},
        "street_centre": {"code": street.area.code, "name": street.name},
        "applicant": {"name": "张三", "phone": "138****1234", "resident_id": "2111**********1234"},
        "address": "一社区幸福小区3号楼501室",
        "item": {
            "code": "MZ-001",
            "version": 1,
            "name": "高龄津贴申请",
            "department": "区民政局",
            "window": "社会救助窗口",
        },
        "materials": [
            {"key": "id_card", "name": "居民身份证", "status": "provided"},
            {"key": "hukou", "name": "户口簿", "status": "missing"},
            {"key": "bank", "name": "银行卡", "status": "not_applicable"},
        ],
        "originals": [{"name": "户口簿原件"}],
        "fees": [{"name": "工本费", "amount": "10.00"}],
        "accepted_at": ACCEPTED_AT.isoformat(),
        "due_date": "2026-12-07",
        "due_provisional": True,
        "agent": {"name": "张一", "phone": "13800000001"},
        "note": "",
    }
    content.update(overrides)
    return content


def make_case(*, station, agent) -> Case:
    item = catalogue_services.item_create(
        actor=None,
        code="MZ-001",
        data={
            "name": "高龄津贴申请",
            "category": "老年人服务",
            "handling_level": "street",
            "department": "区民政局",
            "materials": [
                {"key": "id_card", "name": "居民身份证"},
                {"key": "hukou", "name": "户口簿"},
                {"key": "bank", "name": "银行卡"},
            ],
            "procedure": ["预审", "报送"],
            "committed_limit_days": 15,
            "proxy_limit_days": 5,
            "fees": [{"name": "工本费", "amount": "10", "legal_basis": "某收费标准"}],
        },
    )
    return Case.objects.create(
        tracking_code=TRACKING_CODE,
        origin="station_desk",
        centre=station,
        service_item=item,
        item_version=item.current,
        applicant_name="张三",
        applicant_phone="13812341234",
        responsible=agent,
        opened_by=agent.user,
        status="accepted",
        accepted_at=ACCEPTED_AT,
        due_date=date(2026, 12, 7),
        due_provisional=True,
        return_code=RETURN_CODE,
    )


def make_entry(case, *, serial, content, prev_hash="0" * 64, corrects=None) -> RegisterEntry:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return RegisterEntry.objects.create(
        centre=case.centre,
        year=2026,
        serial=serial,
        case=case,
        kind="correction" if corrects else "acceptance",
        corrects=corrects,
        content=content,
        created_at=ACCEPTED_AT,
        created_by=case.opened_by,
        street_centre=case.centre.area.parent.centre,
        prev_hash=prev_hash,
        hash=hashlib.sha256((prev_hash + text).encode()).hexdigest(),
    )


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return {
        k.strip(): v.strip()
        for k, _, v in (line.partition(":") for line in out.stdout.splitlines())
    }


def rasterise(path: Path) -> Path:
    stem = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(path), str(stem)],
        check=True,
    )
    return path.with_suffix(".png")


def px(mm: float) -> int:
    return round(mm * MM)


@pytest.fixture(scope="module")
def sheets(django_db_setup, django_db_blocker, tmp_path_factory):
    """An acceptance (provisional due date, an original, a fee) as issued at acceptance, with the
    return code, and its correction (final due date, nothing taken, free) as any later download
    gets it, masked: each rendered once for the module through `receipt_pdf`.

    Module-scoped, so it builds the world's district itself (`world` is per test) and rolls its
    rows back before the tests run.
    """
    tmp = tmp_path_factory.mktemp("receipts")
    media = tmp / "media"
    sheets = {"media": media}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        station = build_tree()["c1"].centre
        agent = make_staff("agent1", Role.AGENT, centre=station, full_name="张一")
        case = make_case(station=station, agent=agent)
        first = make_entry(case, serial=17, content=registered(station))
        correction = make_entry(
            case,
            serial=18,
            prev_hash=first.hash,
            corrects=first,
            content=registered(station, due_provisional=False, originals=[], fees=[]),
        )
        for name, entry, issued in (("acceptance", first, True), ("correction", correction, False)):
            path = tmp / f"{name}.pdf"
            path.write_bytes(receipt.receipt_pdf(entry, with_return_code=issued))
            sheets[name] = {
                "path": path,
                "text": pdf_text(path),
                "number": entry.number,
                "check_code": entry.hash[:12],
                "cached_as": receipt.receipt_path(entry),
            }
        transaction.set_rollback(True)
    return sheets


@pytest.mark.slow
def test_each_copy_is_labelled_once_and_all_carry_the_entry(sheets):
    text = sheets["acceptance"]["text"]
    for label in LABELS:
        assert text.count(label) == 1, label
    assert text.count(TITLE) == 3
    assert text.count("2026-00017") == 3
    assert text.count(sheets["acceptance"]["check_code"]) == 3
    assert text.count(TRACKING_CODE) == 3
    assert "更正" not in text


@pytest.mark.slow
def test_the_return_code_is_on_the_applicants_copy_only(sheets):
    text = sheets["acceptance"]["text"]
    assert text.count(RETURN_CODE) == 1
    assert text.count("取件确认码") == 2  # the box and the note under it, both on that copy
    assert text.index(RETURN_CODE) > text.index("申请人联") > text.index("中心联")


@pytest.mark.slow
def test_a_later_download_shows_the_return_code_masked(sheets):
    text = sheets["correction"]["text"]
    assert RETURN_CODE not in text
    masked = [m.start() for m in re.finditer(r"(?<!\*)\*{6}(?!\*)", text)]  # not the ID's stars
    assert len(masked) == 1 and masked[0] > text.index("申请人联")
    assert text.count("取件确认码") == 2


@pytest.mark.slow
def test_what_was_registered_is_printed_on_every_copy(sheets):
    text = sheets["acceptance"]["text"]
    for expected in (
        "居民身份证（已提交）",
        "户口簿（缺）",
        "银行卡（不适用）",
        "户口簿原件",
        "工本费 10.00 元",
        "2026年12月7日（暂定）",
        "2026年11月30日 09:12",
        "高龄津贴申请",
        "张一",
        "13800000001",
        "一社区中心",
        "测试街道中心",
        "138****1234",
        "2111**********1234",
    ):
        assert text.count(expected) == 3, expected
    assert "免费代办" not in text


@pytest.mark.slow
def test_a_correction_is_marked_and_names_the_entry_it_corrects(sheets):
    text = sheets["correction"]["text"]
    assert text.count("2026-00018") == 3
    assert text.count("更正第 2026-00017 号登记") == 3
    assert "（暂定）" not in text
    assert text.count("免费代办，不收取任何费用") == 3
    assert "代收原件 无" in " ".join(text.split())  # layout mode pads with spaces


@pytest.mark.slow
def test_the_sheet_is_one_a4_page(sheets):
    for name in ("acceptance", "correction"):
        info = pdf_info(sheets[name]["path"])
        assert info["Pages"] == "1", name
        assert "(A4)" in info["Page size"], name


@pytest.mark.slow
def test_each_copy_prints_the_qr_code_of_the_tracking_code(sheets):
    """Each copy's QR code, read back from the rasterised sheet, is module for module the
    symbol segno makes for the tracking code, at the intended module size and with a clear
    4-module quiet zone (works without a QR decoder)."""
    page = Image.open(rasterise(sheets["acceptance"]["path"])).convert("L")
    expected = [list(row) for row in segno.make_qr(TRACKING_CODE, error="m").matrix_iter(border=0)]
    size = len(expected)
    for top in (0, 99, 198):  # each copy is a third of the 297 mm sheet
        # the right-hand column under the header: the code, its quiet zone and white paper
        crop = page.crop((px(164), px(top + 15), px(202), px(top + 40.5)))
        dark = crop.point(lambda v: 255 if v < 128 else 0)
        left, upper, right, lower = dark.getbbox()
        module = (right - left) / size
        assert module == pytest.approx(receipt.QR_MODULE_MM * MM, rel=0.05), top
        assert (lower - upper) / size == pytest.approx(module, rel=0.05), top
        seen = [
            [
                int(
                    crop.getpixel((int(left + (x + 0.5) * module), int(upper + (y + 0.5) * module)))
                    < 128
                )
                for x in range(size)
            ]
            for y in range(size)
        ]
        assert seen == expected, top
        quiet = round(receipt.QR_QUIET_ZONE * module) - 1
        around = dark.crop((left - quiet, upper - quiet, right + quiet, lower + quiet))
        assert around.getbbox() == (quiet, quiet, quiet + right - left, quiet + lower - upper), top


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) not installed")
def test_a_qr_reader_reads_the_tracking_code_from_every_copy(sheets, tmp_path):
    """Each copy, cut from the sheet, scans (zbar, which misses codes when several share one
    image, reads the copies one by one as people will)."""
    page = Image.open(rasterise(sheets["correction"]["path"]))
    for top in (0, 99, 198):
        png = tmp_path / f"copy-{top}.png"
        page.crop((0, px(top), page.width, px(top + 99))).save(png)
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == [TRACKING_CODE], top


def test_a_rendered_entry_is_kept_in_storage_masked_only(sheets):
    cached = sheets["media"] / sheets["correction"]["cached_as"]
    assert cached.read_bytes() == sheets["correction"]["path"].read_bytes()
    assert sheets["correction"]["cached_as"] == (
        f"receipts/210000001001/2026/00018-{sheets['correction']['check_code']}.pdf"
    )
    # the sheet with the return code is never kept
    assert not (sheets["media"] / sheets["acceptance"]["cached_as"]).exists()


def test_receipt_pdf_renders_an_entry_once(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    station = world["tree"]["c1"].centre
    case = make_case(station=station, agent=world["people"]["agent1"])
    entry = make_entry(case, serial=1, content=registered(station))
    renders = []
    monkeypatch.setattr(receipt, "render_pdf", lambda data: renders.append(data) or b"%PDF-1.7")
    assert receipt.receipt_pdf(entry) == b"%PDF-1.7"
    assert receipt.receipt_pdf(entry) == b"%PDF-1.7"
    assert len(renders) == 1
    path = (
        tmp_path / "media" / "receipts" / "210000001001" / "2026" / f"00001-{entry.hash[:12]}.pdf"
    )
    assert path.read_bytes() == b"%PDF-1.7"


def test_receipt_data_is_the_registered_content_as_json(world):
    station = world["tree"]["c1"].centre
    case = make_case(station=station, agent=world["people"]["agent1"])
    first = make_entry(case, serial=1, content=registered(station))
    later = make_entry(
        case, serial=2, prev_hash=first.hash, corrects=first, content=registered(station)
    )
    Case.objects.filter(pk=case.pk).update(applicant_name="李四", address="别处")
    first = RegisterEntry.objects.get(pk=first.pk)

    data = json.loads(json.dumps(receipt.receipt_data(first)))
    assert data["number"] == "2026-00001" and data["check_code"] == first.hash[:12]
    assert data["applicant"]["name"] == "张三"  # as registered, not as the case reads now
    assert [(c["ordinal"], c["label"]) for c in data["copies"]] == [
        ("第一联", "站点存档联"),
        ("第二联", "街道（乡镇）中心联"),
        ("第三联", "申请人联"),
    ]
    assert [c["return_code"] for c in data["copies"]] == [None, None, "******"]
    issued = receipt.receipt_data(first, with_return_code=True)
    assert [c["return_code"] for c in issued["copies"]] == [None, None, RETURN_CODE]
    assert [m["status_zh"] for m in data["materials"]] == ["已提交", "缺", "不适用"]
    assert data["due_date_zh"] == "2026年12月7日" and data["due_provisional"] is True
    assert data["correction"] is False and data["corrects"] is None
    assert data["dense"] is False

    corrected = receipt.receipt_data(later)
    assert corrected["correction"] is True and corrected["corrects"] == "2026-00001"


@pytest.mark.slow
def test_a_long_materials_list_is_set_smaller_and_stays_on_one_page(world, tmp_path):
    station = world["tree"]["c1"].centre
    case = make_case(station=station, agent=world["people"]["agent1"])
    materials = [
        {"key": f"m{i}", "name": f"第{i}项证明材料（原件）", "status": "provided"}
        for i in range(20)
    ]
    entry = make_entry(case, serial=1, content=registered(station, materials=materials))
    data = receipt.receipt_data(entry)
    assert data["dense"] is True
    path = tmp_path / "long.pdf"
    path.write_bytes(receipt.render_pdf(data))
    assert pdf_info(path)["Pages"] == "1"
    text = " ".join(pdf_text(path).split())
    assert text.count("第19项证明材料") == 3 and text.count("申请人（签字）") == 2
