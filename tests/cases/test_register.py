"""The register: gapless serials per station per year under concurrent acceptances, entries
never edited, corrections as new entries, tampering found by verify_register."""

from __future__ import annotations

import io
import threading
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from cases import register
from cases.models import Case, RegisterEntry
from core.errors import ApplicationError
from tests.cases.conftest import ALL_PROVIDED, SH, accepted_case, act, open_walk_in


def _verify(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_register", *args, stdout=out, stderr=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue()


@pytest.mark.django_db
def test_serials_run_per_station_per_year(case_world):
    p = case_world["people"]
    first = accepted_case(case_world)
    second = accepted_case(case_world)
    other_station = open_walk_in(p["agent2"])
    act(p["agent2"], other_station, "accept", checklist=ALL_PROVIDED)
    next_year = accepted_case(case_world, now=datetime(2027, 1, 4, 9, 0, tzinfo=SH))
    numbers = {
        c.pk: c.register_entries.get().number for c in (first, second, other_station, next_year)
    }
    assert numbers == {
        first.pk: "2026-00001",
        second.pk: "2026-00002",
        other_station.pk: "2026-00001",
        next_year.pk: "2027-00001",
    }
    e1, e2 = (c.register_entries.get() for c in (first, second))
    assert e1.prev_hash == register.GENESIS and e2.prev_hash == e1.hash
    assert _verify() == (0, "All registers verified: 4 entries, no problems.\n")


@pytest.mark.django_db
def test_entries_are_never_edited_or_deleted(case_world):
    entry = accepted_case(case_world).register_entries.get()
    for sql in (
        "UPDATE cases_registerentry SET content = '{}' WHERE id = %s",
        "DELETE FROM cases_registerentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=entry.case_id).delete()


@pytest.mark.django_db
def test_a_correction_is_a_new_entry_pointing_at_the_old(case_world):
    agent = case_world["people"]["agent1"]
    case = accepted_case(case_world)
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "correct", reason="笔误", fields={"due_date": "2030-01-01"})
    assert out.value.code == "invalid_correction"
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "correct", fields={"address": "x"})
    assert out.value.code == "missing_reason"
    act(agent, case, "correct", reason="门牌号笔误", fields={"address": "一社区 5 号楼"})
    first, correction = case.register_entries.order_by("serial")
    assert correction.kind == "correction" and correction.corrects == first
    assert correction.content["address"] == "一社区 5 号楼"
    assert correction.content["correction_reason"] == "门牌号笔误"
    assert first.content["address"] == "一社区 3 号楼"  # the original line is untouched
    assert (correction.serial, correction.prev_hash) == (2, first.hash)
    assert _verify()[0] == 0


@pytest.mark.django_db
def test_verify_register_reports_a_tampered_row(case_world):
    cases = [accepted_case(case_world) for _ in range(3)]
    middle = cases[1].register_entries.get()
    with connection.cursor() as cursor:  # what someone with database access might do
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER needs no pending FK checks
        cursor.execute(
            "ALTER TABLE cases_registerentry DISABLE TRIGGER cases_registerentry_append_only"
        )
        cursor.execute(
            "UPDATE cases_registerentry SET content = jsonb_set(content, '{applicant,name}', "
            "'\"李鬼\"') WHERE id = %s",
            [middle.pk],
        )
        cursor.execute(
            "ALTER TABLE cases_registerentry ENABLE TRIGGER cases_registerentry_append_only"
        )
    code, output = _verify()
    assert code == 1
    assert "2026-00002" in output and "content_changed" in output
    assert "2026-00001" not in output and "2026-00003" not in output


@pytest.mark.django_db
def test_verify_register_reports_a_removed_row(case_world):
    cases = [accepted_case(case_world) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE cases_registerentry DISABLE TRIGGER cases_registerentry_append_only"
        )
        cursor.execute(
            "DELETE FROM cases_registerentry WHERE id = %s", [cases[1].register_entries.get().pk]
        )
        cursor.execute(
            "ALTER TABLE cases_registerentry ENABLE TRIGGER cases_registerentry_append_only"
        )
    code, output = _verify("--centre", case_world["tree"]["c1"].code)
    assert code == 1
    assert "serial_gap" in output and "broken_link" in output


# threads accept in their own transactions;
# serialized_rollback: acceptance dates need the seeded calendar
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_acceptances_get_gapless_unique_serials(case_world):
    agent = case_world["people"]["agent1"]
    cases = [open_walk_in(agent) for _ in range(8)]
    barrier = threading.Barrier(len(cases))
    errors = []

    def accept(case):
        try:
            barrier.wait()
            act(agent, case, "accept", checklist=ALL_PROVIDED)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(RegisterEntry.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 9))
    assert _verify()[0] == 0
