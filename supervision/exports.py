"""The figures table as a sheet: CSV (UTF-8 with a byte-order mark, so Excel in Chinese
locales opens it right; read it back with encoding "utf-8-sig") and XLSX (openpyxl). Column
headers are Chinese; numbers stay numbers; a share or average without a value is an empty cell.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
LEVEL_ZH = {
    "agent": "代办员",
    "grid": "网格",
    "community": "社区(村)便民服务站",
    "street": "街道(镇)",
    "district": "区",
}


def header(table: Table) -> list[str]:
    leading = ["排名"] if table.order else []
    return [*leading, "单位名称", "单位代码", "所属单位", *(f.header for f in table.figures)]


def rows(table: Table) -> list[list]:
    out = []
    for row in table.rows:
        leading = [row.rank] if table.order else []
        unit = row.unit
        out.append(
            [
                *leading,
                unit.name,
                unit.code,
                unit.parent_name,
                *(row.values.get(f.key) for f in table.figures),
            ]
        )
    return out


def filename(table: Table, extension: str) -> str:
    return f"stats-{table.level}-{table.period.first}-{table.period.last}.{extension}"


def as_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(table))
    for values in rows(table):
        writer.writerow(["" if v is None else v for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{LEVEL_ZH[table.level]}统计"[:31]
    sheet.append(header(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows(table):
        sheet.append(values)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
