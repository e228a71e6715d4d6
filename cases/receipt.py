"""登记本回执: the triplicate receipt of one register entry, as data and as one A4 PDF sheet.

The sheet holds three copies cut apart along dashed lines: 站点存档联 (the station keeps it in
its register), 街道（乡镇）中心联 (goes up with the case to the street/town centre) and 申请人联
(the applicant keeps it; only this copy shows the case's 取件确认码, which the agent asks for
when bringing the result back). Each copy carries a QR code of the tracking code.

Everything printed comes from the entry's registered `content`, never from live case rows: the
receipt shows what was registered. An entry never changes, so its PDF is rendered once and kept
in the default storage under a name that includes the entry's hash.

Must not import the case services or the API: this module only reads an entry.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from .models import RegisterEntry

TITLE = "村民（居民）代理事项登记本"
# (key, ordinal, label): the order they are printed, top to bottom
COPIES = (
    ("station", "第一联", "站点存档联"),
    ("street_centre", "第二联", "街道（乡镇）中心联"),
    ("applicant", "第三联", "申请人联"),
)
MATERIAL_STATUS_ZH = {"provided": "已提交", "missing": "缺", "not_applicable": "不适用"}
CHECK_CODE_LENGTH = 12
# QR: 0.8 mm modules and the standard 4-module quiet zone scan well from paper with any phone
QR_MODULE_MM = 0.8
QR_QUIET_ZONE = 4
# past about this many characters of lists a copy no longer fits its third of the sheet at the
# normal size, so it is set smaller (each copy is clipped to its third: the sheet stays one page)
DENSE_LIST_CHARS = 140


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _zh_datetime(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{_zh_date(local.date())} {local:%H:%M}"


def receipt_data(entry: RegisterEntry) -> dict:
    """The receipt as data (the template's context, JSON-serialisable).

    The return code appears only in the applicant's copy; an API that serves this to anyone
    but the applicant should drop that copy's `return_code`.
    """
    content = entry.content
    accepted_at = datetime.fromisoformat(content["accepted_at"])
    due_date = date.fromisoformat(content["due_date"])
    fees = content["fees"]
    list_chars = sum(len(m["name"]) + 5 for m in content["materials"]) + sum(
        len(o["name"]) + 1 for o in content["originals"]
    )
    return {
        "title": TITLE,
        "number": entry.number,
        "kind": entry.kind,
        "correction": entry.kind == RegisterEntry.Kind.CORRECTION,
        "corrects": entry.corrects.number if entry.corrects_id else None,
        "check_code": entry.hash[:CHECK_CODE_LENGTH],
        "tracking_code": content["tracking_code"],
        "station": content["station"],
        "street_centre": content["street_centre"],
        "applicant": content["applicant"],
        "address": content["address"],
        "item": content["item"],
        "materials": [
            {**m, "status_zh": MATERIAL_STATUS_ZH.get(m["status"], m["status"])}
            for m in content["materials"]
        ],
        "originals": content["originals"],
        "fees": fees,
        "free_of_charge": not fees,
        "accepted_at": content["accepted_at"],
        "accepted_at_zh": _zh_datetime(accepted_at),
        "due_date": content["due_date"],
        "due_date_zh": _zh_date(due_date),
        "due_provisional": content["due_provisional"],
        "agent": content["agent"],
        "note": content["note"],
        "dense": list_chars > DENSE_LIST_CHARS,
        "copies": [
            {
                "key": key,
                "ordinal": ordinal,
                "label": label,
                "return_code": (entry.case.return_code or None) if key == "applicant" else None,
            }
            for key, ordinal, label in COPIES
        ],
    }


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG sized in millimetres, quiet zone included."""
    import segno  # only where a receipt is made

    code = segno.make_qr(text, error="m")  # never a Micro QR: phones do not read those
    return code.svg_inline(
        scale=QR_MODULE_MM, border=QR_QUIET_ZONE, unit="mm", dark="#000", svgclass="qr"
    )


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    html = render_to_string("cases/receipt.html", {"r": data, "qr": qr_svg(data["tracking_code"])})
    return HTML(string=html).write_pdf()


def receipt_path(entry: RegisterEntry) -> str:
    return (
        f"receipts/{entry.centre.area.code}/{entry.year}/"
        f"{entry.serial:05d}-{entry.hash[:CHECK_CODE_LENGTH]}.pdf"
    )


def receipt_pdf(entry: RegisterEntry) -> bytes:
    """The three-copy receipt sheet, from the cache if this entry was rendered before."""
    path = receipt_path(entry)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as f:
            return f.read()
    pdf = render_pdf(receipt_data(entry))
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(pdf))
    return pdf
