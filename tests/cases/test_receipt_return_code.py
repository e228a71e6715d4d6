"""The return code (取件确认码) is the applicant's alone: printed once, on the applicant's copy of
the sheet produced at acceptance (the first download by the person who registered the entry,
soon after); every later download, by anyone, shows it masked."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import receipt
from cases.models import ApplicantCopy
from tests.factories import client_for
from tests.worlds.cases import accepted_case, act

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheets(settings, tmp_path, monkeypatch):
    """Receipts come back as their data (JSON) instead of a PDF: what each copy prints."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(receipt, "render_pdf", lambda data: json.dumps(data).encode())
    return tmp_path


def applicant_code(staff, case):
    response = client_for(staff).get(f"/api/v1/cases/{case.pk}/receipt.pdf")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    copies = json.loads(response.content)["copies"]
    assert [c["return_code"] for c in copies[:2]] == [None, None]
    return copies[2]["return_code"]


def test_the_acceptance_sheet_carries_the_code_and_every_later_download_masks_it(
    case_world, sheets
):
    p = case_world["people"]
    case = accepted_case(case_world, now=timezone.now())
    assert applicant_code(p["agent1"], case) == case.return_code
    issue = ApplicantCopy.objects.get()
    assert (issue.entry, issue.issued_to_id) == (case.register_entries.get(), p["agent1"].user_id)
    assert applicant_code(p["agent1"], case) == receipt.MASKED_RETURN_CODE  # a reprint
    for reader in ("manager1", "street", "district", "supervisor"):
        assert applicant_code(p[reader], case) == receipt.MASKED_RETURN_CODE, reader
    act(p["agent1"], case, "forward", now=timezone.now())
    assert applicant_code(p["window"], case) == receipt.MASKED_RETURN_CODE
    # the code was never written to the receipts' storage
    kept = [f.read_text() for f in sheets.rglob("*.pdf")]
    assert len(kept) == 1 and case.return_code not in kept[0]


def test_nobody_but_the_registering_person_gets_the_code_first(case_world, sheets):
    p = case_world["people"]
    case = accepted_case(case_world, now=timezone.now())
    assert applicant_code(p["manager1"], case) == receipt.MASKED_RETURN_CODE
    assert applicant_code(p["district"], case) == receipt.MASKED_RETURN_CODE
    assert not ApplicantCopy.objects.exists()
    assert applicant_code(p["agent1"], case) == case.return_code  # still theirs to print


def test_a_first_download_long_after_acceptance_is_masked(case_world, sheets, settings):
    p = case_world["people"]
    minutes = settings.CASES["APPLICANT_COPY_MINUTES"]
    case = accepted_case(case_world, now=timezone.now() - timedelta(minutes=minutes + 1))
    assert applicant_code(p["agent1"], case) == receipt.MASKED_RETURN_CODE
    assert not ApplicantCopy.objects.exists()


def test_the_applicant_copy_is_claimed_once(case_world):
    p = case_world["people"]
    now = timezone.now()
    entry = accepted_case(case_world, now=now).register_entries.get()
    user = p["agent1"].user
    assert receipt.applicant_copy_claim(entry, user=user, now=now) is True
    assert receipt.applicant_copy_claim(entry, user=user, now=now) is False
    assert ApplicantCopy.objects.count() == 1
