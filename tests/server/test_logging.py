"""The console shows the service's own lines: third-party progress (WeasyPrint's steps,
fontTools' subsetting — ~170 INFO lines per start-up as notices are pre-rendered) stays out."""

import logging

from tests.factories import client_for


def test_rendering_a_pdf_logs_no_third_party_progress(case_world, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    caplog.set_level(logging.INFO)  # the root at INFO, as make run has it
    response = client_for(case_world["people"]["agent1"]).get(
        "/api/v1/service-items/MZ-002/notice.pdf"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    chatter = [r for r in caplog.records if r.name.split(".")[0] in {"weasyprint", "fontTools"}]
    assert [r for r in chatter if r.levelno < logging.WARNING] == []
