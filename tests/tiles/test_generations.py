"""Generations: one bump per writing transaction and source, compaction keeps them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tiles.generations import generations, generations_compact
from tiles.models import GenerationBump

SOURCES = ["areas", "grids", "staff", "positions", "work", "gaps"]


@pytest.mark.django_db
def test_a_transaction_bumps_each_source_it_writes_once(world):
    txid = GenerationBump.objects.order_by("-id").values_list("txid", flat=True).first()
    # the whole world was made in the test's one transaction
    assert sorted(GenerationBump.objects.filter(txid=txid).values_list("source", flat=True)) == [
        "areas",
        "grids",
        "positions",
        "staff",
    ]


# one bump per commit is what it checks (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_generations_change_with_each_commit_and_survive_compaction(world):
    before = generations(SOURCES)
    assert set(before) == set(SOURCES)
    with transaction.atomic():
        world["grids"]["A"].name = "甲"
        world["grids"]["A"].save()
        world["grids"]["B"].name = "乙"
        world["grids"]["B"].save()
    after = generations(SOURCES)
    assert after["grids"] != before["grids"]
    assert int(after["grids"].split(".")[0]) == int(before["grids"].split(".")[0]) + 1
    assert {s: after[s] for s in SOURCES if s != "grids"} == {
        s: before[s] for s in SOURCES if s != "grids"
    }

    assert generations_compact() > 0
    assert not GenerationBump.objects.exists()
    assert generations(SOURCES) == after
    with connection.cursor() as cursor:
        cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'C'")
    assert generations(SOURCES)["grids"] != after["grids"]


# two connections commit in turn (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_still_changes_the_generation(world):
    """Out-of-order commits: a bump with a smaller id that commits after a larger one was read
    must still change the generation (why it counts instead of taking the newest id)."""
    import threading

    from django.db import connections

    started, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'A'")
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert started.wait(10)
    with connection.cursor() as cursor:  # a later writer (another community) commits first
        cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'C'")
    seen = generations(["grids"])["grids"]
    release.set()
    thread.join(10)
    assert generations(["grids"])["grids"] != seen
