"""登记本回执: the triplicate receipt of one register entry, as data and as one A4 PDF sheet.

The sheet holds three copies cut apart along dashed lines: 站点存档联 (the station keeps it in
its register), 街道（乡镇）中心联 (goes up with the case to the street/town centre) and 申请人联
(the applicant keeps it; only this copy has a box for the case's 取件确认码, which the agent
asks for when bringing the result back). Each copy carries a QR code of the tracking code.

The return code is the applicant's alone: it is printed once, on the sheet produced at
acceptance — the first download by the person who registered the entry, within
`CASES["APPLICANT_COPY_MINUTES"]` of it (`applicant_copy_claim` records that issue, at most
once per entry). Every other download, by anyone, shows the box masked. That sheet is rendered
for the occasion and never kept; the masked sheet is rendered once per entry and kept in the
default storage under a name that includes the entry's hash (an entry never changes).

Everything printed comes from the entry's registered `content`, never from live case rows: the
receipt shows what was registered.

Must not import the case services or the API: this module reads an entry and writes only the
row recording its applicant copy's issue.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from .models import ApplicantCopy, RegisterEntry

TITLE = "村民（居民）代理事项登记本"
# (key, ordinal, label): the order they are printed, top to bottom
COPIES = (
    ("station", "第一联", "站点存档联"),
    ("street_centre", "第二联", "街道（乡镇）中心联"),
    ("applicant", "第三联", "申请人联"),
)
MATERIAL_STATUS_ZH = {"provided": "已提交", "missing": "缺", "not_applicable": "不适用"}
CHECK_CODE_LENGTH = 12
# what the return code's box shows on every copy but the one issued at acceptance
MASKED_RETURN_CODE = "******"
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


def receipt_data(entry: RegisterEntry, *, with_return_code: bool = False) -> dict:
    """The receipt as data (the template's context, JSON-serialisable).

    The return code's box is on the applicant's copy only, and shows the code only with
    `with_return_code` (the sheet issued at acceptance: see `applicant_copy_claim`); else it is
    masked.
    """
    code = entry.case.return_code
    shown = (code if with_return_code else MASKED_RETURN_CODE) if code else None
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
                "return_code": shown if key == "applicant" else None,
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


def receipt_pdf(entry: RegisterEntry, *, with_return_code: bool = False) -> bytes:
    """The three-copy receipt sheet. Masked (the usual case), from the cache if this entry was
    rendered before; with the return code, rendered for the occasion and never kept."""
    if with_return_code:
        return render_pdf(receipt_data(entry, with_return_code=True))
    path = receipt_path(entry)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as f:
            return f.read()
    pdf = render_pdf(receipt_data(entry))
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(pdf))
    return pdf


def applicant_copy_claim(entry: RegisterEntry, *, user, now: datetime) -> bool:
    """申请人联: may this download carry the return code? Yes once per entry: for the person who
    registered it (in front of the applicant), within CASES["APPLICANT_COPY_MINUTES"] of it.
    Records the issue (the insert's row lock makes a concurrent second claim wait and lose);
    call it in the transaction that renders the sheet, so a failed render gives it back."""
    if not entry.case.return_code or user.pk != entry.created_by_id:
        return False
    if now - entry.created_at > timedelta(minutes=settings.CASES["APPLICANT_COPY_MINUTES"]):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ApplicantCopy._meta.db_table} (entry_id, issued_to_id, issued_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (entry_id) DO NOTHING RETURNING entry_id",
            [entry.pk, user.pk, now],
        )
        return cursor.fetchone() is not None
