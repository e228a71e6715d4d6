"""The keyed register chain (ADR 0022): new entries are HMAC-SHA256 under a key the database never
holds; old plain entries stay as they were and the first keyed entry chains from their head; an
edit re-hashed without the key is found, naming the first bad entry; heads are published daily
(board, supervisors' export) and a rewrite behind a published head is found even with the key;
a key rotation starts a new keyed segment, older ones checked with their old key."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django_q.models import Schedule

from cases import register
from cases.models import RegisterEntry, RegisterHead
from cases.register_heads import register_heads_publish
from tests.factories import client_for
from tests.worlds.cases import ACCEPTED, ALL_PROVIDED, accepted_case, act, open_walk_in

pytestmark = pytest.mark.django_db

WRONG_KEY = b"not-the-register-chain-key-000000"


def _verify(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_register", *args, stdout=out, stderr=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue()


def _hash_of(e: RegisterEntry, *, prev_hash: str, scheme: str, key_id: str, key) -> str:
    return register.entry_hash(
        centre_code=e.centre.area.code,
        year=e.year,
        serial=e.serial,
        tracking_code=e.case.tracking_code,
        kind=e.kind,
        corrects=e.corrects_id,
        content=e.content,
        created_at=e.created_at,
        created_by=e.created_by_id,
        prev_hash=prev_hash,
        scheme=scheme,
        key_id=key_id,
        key=key,
    )


def plain_entries(case_world, n: int) -> list[RegisterEntry]:
    """Entries as written before the chain was keyed: plain SHA-256, no key id."""
    made = []
    before = ACCEPTED - timedelta(days=1)
    for case in [accepted_case(case_world, now=before) for _ in range(n)]:
        e = case.register_entries.get()
        prev = made[-1].hash if made else register.GENESIS
        digest = _hash_of(e, prev_hash=prev, scheme="sha256", key_id="", key=None)
        _as_attacker(
            "UPDATE cases_registerentry SET prev_hash = %s, hash = %s, scheme = 'sha256', "
            "key_id = '' WHERE id = %s",
            [prev, digest, e.pk],
        )
        made.append(RegisterEntry.objects.get(pk=e.pk))
    return made


def _as_attacker(sql: str, params) -> None:
    """What someone with database access might do: switch the append-only trigger off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER needs no pending FK checks
        cursor.execute(
            "ALTER TABLE cases_registerentry DISABLE TRIGGER cases_registerentry_append_only"
        )
        cursor.execute(sql, params)
        cursor.execute(
            "ALTER TABLE cases_registerentry ENABLE TRIGGER cases_registerentry_append_only"
        )


def rewrite_from(
    entry: RegisterEntry, *, name: str, scheme: str, key_id: str, key, upto: int | None = None
) -> None:
    """Change the applicant's name in `entry`, then recompute its hash and every later link
    of its register (up to serial `upto`) the way the attacker can."""
    _as_attacker(
        "UPDATE cases_registerentry SET content = jsonb_set(content, '{applicant,name}', %s) "
        "WHERE id = %s",
        [f'"{name}"', entry.pk],
    )
    later = RegisterEntry.objects.filter(
        centre=entry.centre, year=entry.year, serial__gte=entry.serial
    ).order_by("serial")
    if upto is not None:
        later = later.filter(serial__lte=upto)
    prev = entry.prev_hash
    for e in later.select_related("centre__area", "case"):
        digest = _hash_of(e, prev_hash=prev, scheme=scheme, key_id=key_id, key=key)
        _as_attacker(
            "UPDATE cases_registerentry SET prev_hash = %s, hash = %s, scheme = %s, key_id = %s "
            "WHERE id = %s",
            [prev, digest, scheme, key_id, e.pk],
        )
        prev = digest


def test_new_entries_are_keyed_and_chain_from_the_plain_head(case_world):
    old = plain_entries(case_world, 2)
    assert _verify()[0] == 0
    first_keyed = accepted_case(case_world).register_entries.get()
    key_id, key = register.chain_key()
    assert (first_keyed.serial, first_keyed.prev_hash) == (3, old[-1].hash)
    assert (first_keyed.scheme, first_keyed.key_id) == ("hmac-sha256", key_id)
    assert first_keyed.hash == _hash_of(
        first_keyed, prev_hash=old[-1].hash, scheme="hmac-sha256", key_id=key_id, key=key
    )
    # old entries are not rewritten
    assert [RegisterEntry.objects.get(pk=e.pk).hash for e in old] == [e.hash for e in old]
    assert _verify() == (0, "All registers verified: 3 entries, no problems.\n")


@pytest.mark.parametrize(
    ("scheme", "key"),
    [("sha256", None), ("hmac-sha256", WRONG_KEY)],
    ids=["plain-sha256", "hmac-under-a-wrong-key"],
)
def test_an_edit_rehashed_without_the_key_is_found(case_world, scheme, key):
    entries = [accepted_case(case_world).register_entries.get() for _ in range(3)]
    key_id = "" if scheme == "sha256" else register.chain_key()[0]
    rewrite_from(entries[1], name="李鬼", scheme=scheme, key_id=key_id, key=key)
    code, output = _verify()
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith(f"{entries[1].centre.area.code} 2026-00002: ")
    assert "2026-00001" not in output
    assert lines[-1].endswith("the first bad entry: 210000001001 2026-00002.")


def test_plain_entries_cannot_be_rewritten_behind_a_keyed_one(case_world):
    old = plain_entries(case_world, 2)
    accepted_case(case_world)
    rewrite_from(old[0], name="李鬼", scheme="sha256", key_id="", key=None, upto=2)
    code, output = _verify()
    assert code == 1 and "2026-00003: broken_link" in output  # the keyed entry holds the head


def test_a_keyed_entry_downgraded_to_a_plain_hash_is_found(case_world):
    """The whole register re-hashed plain, the keyed entry included: another station's register
    was keyed before that entry was written, so a plain entry that late is a forgery."""
    old = plain_entries(case_world, 2)
    agent2 = case_world["people"]["agent2"]
    act(
        agent2,
        open_walk_in(agent2),
        "accept",
        now=ACCEPTED - timedelta(hours=1),
        checklist=ALL_PROVIDED,
    )
    accepted_case(case_world)
    rewrite_from(old[0], name="李鬼", scheme="sha256", key_id="", key=None)
    code, output = _verify()
    assert code == 1
    assert output.splitlines()[0] == (
        "210000001001 2026-00003: unkeyed_entry: a plain SHA-256 entry written after the chain "
        "was keyed"
    )


def test_a_rewrite_with_the_key_is_found_by_a_published_head(case_world):
    entries = [accepted_case(case_world).register_entries.get() for _ in range(3)]
    assert register_heads_publish(now=ACCEPTED + timedelta(hours=1)) == 1
    kept = RegisterHead.objects.get().hash  # on the board, in a supervisor's export
    assert kept == entries[-1].hash
    key_id, key = register.chain_key()  # the key leaked
    rewrite_from(entries[0], name="李鬼", scheme="hmac-sha256", key_id=key_id, key=key)
    code, output = _verify()
    assert code == 1 and "head_mismatch" in output and "2026-00003" in output
    # even with the published heads in the database rewritten too, the kept copy finds it
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_registerhead DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM cases_registerhead")
        cursor.execute("ALTER TABLE cases_registerhead ENABLE TRIGGER USER")
    assert _verify()[0] == 0
    code, output = _verify("--head", kept)
    assert code == 1 and "head_not_found" in output and kept in output


def test_a_kept_head_still_in_the_register_passes(case_world):
    entries = [accepted_case(case_world).register_entries.get() for _ in range(2)]
    assert _verify("--head", entries[0].hash, "--head", entries[1].hash.upper())[0] == 0


def test_a_key_rotation_starts_a_new_segment_checked_with_the_old_key(
    case_world, settings, tmp_path
):
    settings.CASES = {
        **settings.CASES,
        "REGISTER_CHAIN_KEY": "k" * 32,
        "REGISTER_CHAIN_KEY_ID": "k1",
    }
    first = accepted_case(case_world).register_entries.get()
    settings.CASES = {
        **settings.CASES,
        "REGISTER_CHAIN_KEY": "n" * 32,
        "REGISTER_CHAIN_KEY_ID": "k2",
    }
    second = accepted_case(case_world).register_entries.get()
    assert (first.key_id, second.key_id, second.prev_hash) == ("k1", "k2", first.hash)
    code, output = _verify()
    assert code == 1 and "unknown_key" in output and "2026-00001" in output
    old_key = tmp_path / "k1.key"
    old_key.write_text("k" * 32 + "\n")
    assert _verify("--key-file", f"k1={old_key}")[0] == 0
    old_key.write_text("w" * 32)
    code, output = _verify("--key-file", f"k1={old_key}")
    assert code == 1 and "content_changed" in output


def test_heads_are_published_once_a_day(case_world):
    accepted_case(case_world)
    assert Schedule.objects.filter(
        name="cases.publish_register_heads", func="cases.tasks.publish_register_heads"
    ).exists()
    now = ACCEPTED + timedelta(hours=2)
    assert register_heads_publish(now=now) == 1
    assert register_heads_publish(now=now + timedelta(hours=1)) == 0  # a second run that day
    accepted_case(case_world)
    assert register_heads_publish(now=now + timedelta(days=1)) == 1
    heads = list(RegisterHead.objects.order_by("published_on"))
    assert [(h.number, h.published_on.isoformat()) for h in heads] == [
        ("2026-00001", "2026-09-24"),
        ("2026-00002", "2026-09-25"),
    ]
    with pytest.raises(IntegrityError), connection.cursor() as cursor:  # append-only
        cursor.execute("UPDATE cases_registerhead SET hash = 'x'")


def test_the_public_board_shows_the_latest_head(case_world, api_client):
    entry = accepted_case(case_world).register_entries.get()
    code = case_world["tree"]["c1"].code
    assert api_client.get(f"/api/v1/public/stations/{code}/").json()["register_head"] is None
    register_heads_publish(now=ACCEPTED + timedelta(hours=1))
    head = api_client.get(f"/api/v1/public/stations/{code}/").json()["register_head"]
    assert head == {"published_on": "2026-09-24", "number": "2026-00001", "hash": entry.hash}
    page = api_client.get(f"/board/{code}/").content.decode()
    assert entry.hash in page and "登记本校验" in page


def test_supervisors_download_the_heads_they_may_see(case_world):
    p = case_world["people"]
    entry = accepted_case(case_world).register_entries.get()
    register_heads_publish(now=ACCEPTED + timedelta(hours=1))
    response = client_for(p["supervisor"]).get("/api/v1/register/heads/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="register-heads-')
    (row,) = response.json()
    assert (row["centre"], row["number"], row["hash"]) == (
        case_world["tree"]["c1"].code,
        "2026-00001",
        entry.hash,
    )
    assert client_for(p["manager1"]).get("/api/v1/register/heads/").json()[0]["hash"] == entry.hash
    assert client_for(p["manager2"]).get("/api/v1/register/heads/").json() == []
    sup = client_for(p["supervisor"])
    assert sup.get("/api/v1/register/heads/?from=2026-09-25").json() == []
    assert len(sup.get("/api/v1/register/heads/?to=2026-09-24").json()) == 1
    bad = sup.get("/api/v1/register/heads/?from=yesterday")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_date")
