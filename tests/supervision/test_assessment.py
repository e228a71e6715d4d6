"""Assessment (考核): schemes as versioned data, frozen once published; scores explained
indicator by indicator on the constructed October; who may define, who reads what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, transaction

from supervision.assessment import normalised
from supervision.models import AssessmentScheme, Indicator
from tests.factories import client_for

pytestmark = pytest.mark.django_db

SCHEMES = "/api/v1/assessment/schemes/"
C1, C2 = "210000001001", "210000001002"

STATION_SCHEME = {
    "code": "station-monthly",
    "name": "便民服务站月度考核",
    "level": "community",
    "period_kind": "month",
    "indicators": [
        {
            "figure": "on_time_pct",
            "weight": 40,
            "direction": "higher",
            "method": "target",
            "target": 90,
        },
        {
            "figure": "workdays_avg",
            "weight": 20,
            "direction": "lower",
            "method": "target",
            "target": 4,
        },
        {
            "figure": "complaints",
            "weight": 20,
            "direction": "lower",
            "method": "band",
            "best": 0,
            "worst": 5,
        },
        {
            "figure": "inspection_score",
            "weight": 20,
            "direction": "higher",
            "method": "band",
            "best": 100,
            "worst": 60,
        },
    ],
}


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def create(who, body=STATION_SCHEME):
    return client_for(who).post(SCHEMES, body, format="json")


def publish(who, scheme_id):
    return client_for(who).post(f"{SCHEMES}{scheme_id}/publish/")


def published(world, body=STATION_SCHEME) -> dict:
    district = world["people"]["district"]
    created = create(district, body)
    assert created.status_code == 201, created.content
    response = publish(district, created.json()["id"])
    assert response.status_code == 200, response.content
    return response.json()


def assessment(who, code="station-monthly", **params):
    return client_for(who).get(f"/api/v1/assessment/{code}/", {"period": "2026-10", **params})


# --- normalisation ------------------------------------------------------------------------


def _indicator(**kw) -> Indicator:
    return Indicator(figure="x", weight=1, missing_score=kw.pop("missing_score", 0), **kw)


@pytest.mark.parametrize(
    ("spec", "value", "score"),
    [
        ({"direction": "higher", "method": "target", "target": 90}, 66.7, "74.11"),
        ({"direction": "higher", "method": "target", "target": 90}, 100.0, "100.00"),
        ({"direction": "higher", "method": "target", "target": 90}, 0, "0.00"),
        ({"direction": "lower", "method": "target", "target": 4}, 3.5, "100.00"),
        ({"direction": "lower", "method": "target", "target": 4}, 5.0, "80.00"),
        ({"direction": "lower", "method": "band", "best": 0, "worst": 5}, 2, "60.00"),
        ({"direction": "lower", "method": "band", "best": 0, "worst": 5}, 9, "0.00"),
        ({"direction": "higher", "method": "band", "best": 100, "worst": 60}, 85.0, "62.50"),
        ({"direction": "higher", "method": "band", "best": 100, "worst": 60}, 40.0, "0.00"),
    ],
)
def test_normalised_scores(spec, value, score):
    assert normalised(_indicator(**spec), value) == (Decimal(score), False)


def test_a_missing_value_scores_what_the_scheme_says():
    spec = {"direction": "higher", "method": "target", "target": 90}
    assert normalised(_indicator(**spec), None) == (Decimal(0), True)
    assert normalised(_indicator(missing_score=50, **spec), None) == (Decimal(50), True)


# --- defining schemes ---------------------------------------------------------------------


def test_district_staff_define_versions_and_publish_them(sup_world):
    district = sup_world["people"]["district"]
    first = create(district)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["code"], body["version"], body["active"], body["published_at"]) == (
        "station-monthly",
        1,
        False,
        None,
    )
    assert [i["figure"] for i in body["indicators"]] == [
        "on_time_pct",
        "workdays_avg",
        "complaints",
        "inspection_score",
    ]
    v1 = publish(district, body["id"]).json()
    assert v1["active"] and v1["published_at"]
    assert error_code(publish(district, body["id"]), 409) == "already_published"
    # a change is a new version, a new row set; publishing it retires the first from use
    second = create(district, {**STATION_SCHEME, "indicators": STATION_SCHEME["indicators"][:1]})
    assert second.json()["version"] == 2
    publish(district, second.json()["id"])
    versions = dict(
        AssessmentScheme.objects.filter(code="station-monthly").values_list("version", "active")
    )
    assert versions == {1: False, 2: True}
    assert Indicator.objects.filter(scheme__version=1).count() == 4


def test_a_published_version_never_changes(sup_world):
    scheme = AssessmentScheme.objects.get(pk=published(sup_world)["id"])
    indicator = scheme.indicators.first()
    for change in (
        lambda: AssessmentScheme.objects.filter(pk=scheme.pk).update(name="改名"),
        lambda: AssessmentScheme.objects.filter(pk=scheme.pk).delete(),
        lambda: Indicator.objects.filter(pk=indicator.pk).update(weight=99),
        lambda: Indicator.objects.filter(pk=indicator.pk).delete(),
        lambda: Indicator.objects.create(
            scheme=scheme,
            figure="complaints_x",
            weight=1,
            direction="higher",
            method="target",
            target=1,
        ),
    ):
        with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
            change()
    # switching it off and on is the one change allowed
    AssessmentScheme.objects.filter(pk=scheme.pk).update(active=False)
    AssessmentScheme.objects.filter(pk=scheme.pk).update(active=True)


def test_drafts_may_still_change(sup_world):
    scheme = AssessmentScheme.objects.get(pk=create(sup_world["people"]["district"]).json()["id"])
    Indicator.objects.filter(scheme=scheme, figure="complaints").update(weight=5)
    scheme.indicators.filter(figure="complaints").delete()
    assert scheme.indicators.count() == 3


def _with(indicator: dict, **override) -> dict:
    return {**STATION_SCHEME, **override, "indicators": [indicator]}


GOOD = {
    "figure": "on_time_pct",
    "weight": 1,
    "direction": "higher",
    "method": "target",
    "target": 90,
}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_with(GOOD, code="Bad Code"), "invalid_code"),
        (_with(GOOD, code="schemes"), "invalid_code"),
        (_with(GOOD, name=" "), "name_required"),
        (_with(GOOD, level="province"), "invalid_level"),
        (_with(GOOD, period_kind="week"), "invalid_period_kind"),
        ({**STATION_SCHEME, "indicators": []}, "indicators_required"),
        (_with({**GOOD, "figure": "happiness"}), "unknown_figure"),
        (_with({**GOOD, "figure": "inspection_score"}, level="grid"), "unknown_figure"),
        (_with({**GOOD, "weight": 0}), "invalid_weight"),
        (_with({**GOOD, "weight": "heavy"}), "invalid_weight"),
        (_with({**GOOD, "direction": "sideways"}), "invalid_direction"),
        (_with({**GOOD, "method": "vibes"}), "invalid_method"),
        (_with({**GOOD, "target": 0}), "invalid_target"),
        (_with({**GOOD, "target": None}), "invalid_target"),
        (_with({**GOOD, "target": 1e12}), "invalid_target"),
        (_with({**GOOD, "weight": 10000}), "invalid_weight"),
        (_with({**GOOD, "method": "band", "best": 0, "worst": 100}), "invalid_band"),
        (_with({**GOOD, "method": "band", "best": 50, "worst": 50}), "invalid_band"),
        (_with({**GOOD, "method": "band", "best": 100}), "invalid_band"),
        (_with({**GOOD, "missing_score": 101}), "invalid_missing_score"),
        ({**STATION_SCHEME, "indicators": [GOOD, GOOD]}, "duplicate_figure"),
        ({**STATION_SCHEME, "indicators": "all"}, "invalid_input"),
    ],
)
def test_bad_schemes(sup_world, body, code):
    assert error_code(create(sup_world["people"]["district"], body), 400) == code
    assert not AssessmentScheme.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "lead", "manager1", "agent1", "window"])
def test_only_district_staff_define_and_publish(sup_world, who):
    assert error_code(create(sup_world["people"][who]), 403) == "permission_denied"
    draft = create(sup_world["people"]["district"]).json()
    assert error_code(publish(sup_world["people"][who], draft["id"]), 403) == "permission_denied"


# --- scores -------------------------------------------------------------------------------


def test_scores_are_explained_indicator_by_indicator(dataset):
    published(dataset)
    response = assessment(dataset["people"]["district"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["period"], body["from"], body["to"]) == ("2026-10", "2026-10-01", "2026-10-31")
    assert body["scheme"]["version"] == 1
    results = {r["unit"]["code"]: r for r in body["results"]}
    c1, c2 = results[C1], results[C2]
    # c1: on time 66.7 % of a 90 % target → 74.11 × 40 %; 4.0 working days against 4 → 100 ×
    # 20 %; 2 complaints on a 5 → 0 band → 60 × 20 %; inspection 85 on a 60 → 100 band → 62.5
    assert [
        (i["figure"], i["value"], i["score"], i["weight"], i["contribution"], i["missing"])
        for i in c1["indicators"]
    ] == [
        ("on_time_pct", 66.7, 74.11, 40.0, 29.64, False),
        ("workdays_avg", 4.0, 100.0, 20.0, 20.0, False),
        ("complaints", 2, 60.0, 20.0, 12.0, False),
        ("inspection_score", 85.0, 62.5, 20.0, 12.5, False),
    ]
    assert (c1["score"], c1["rank"]) == (74.14, 1)
    # c2: 100 % on time (capped at 100); 5.0 working days → 4/5; 1 complaint → 80; not
    # inspected by 31 October → the missing score, 0
    assert [(i["score"], i["contribution"], i["missing"]) for i in c2["indicators"]] == [
        (100.0, 40.0, False),
        (80.0, 16.0, False),
        (80.0, 16.0, False),
        (0.0, 0.0, True),
    ]
    assert (c2["score"], c2["rank"]) == (72.0, 2)
    for result in body["results"]:
        explained = sum(Decimal(str(i["contribution"])) for i in result["indicators"])
        assert explained == Decimal(str(result["score"]))
    assert c1["indicators"][0]["label"] == "按时办结率(%)"


AGENT_SCHEME = {
    "code": "agent-monthly",
    "name": "代办员月度考核",
    "level": "agent",
    "period_kind": "month",
    "indicators": [
        {
            "figure": "on_time_pct",
            "weight": 1,
            "direction": "higher",
            "method": "target",
            "target": 100,
        }
    ],
}


def test_readers_see_their_units_ranked_among_all(dataset):
    published(dataset)
    published(dataset, AGENT_SCHEME)
    p = dataset["people"]
    # the station manager sees their station, ranked among every station
    rows = assessment(p["manager1"]).json()["results"]
    assert [(r["unit"]["code"], r["rank"]) for r in rows] == [(C1, 1)]
    # agent1 sees only themselves: 66.7 behind agent2's 100; agents 3 and 4 share the last rank
    everyone = assessment(p["district"], code="agent-monthly").json()["results"]
    assert [(r["unit"]["name"], r["score"], r["rank"]) for r in everyone] == [
        ("李二", 100.0, 1),
        ("张一", 66.7, 2),
        ("孙三", 0.0, 3),  # ties in the order of their stations' codes
        ("周四", 0.0, 3),
    ]
    rows = assessment(p["agent1"], code="agent-monthly").json()["results"]
    assert [(r["unit"]["name"], r["rank"]) for r in rows] == [("张一", 2)]
    assert error_code(assessment(p["agent1"]), 403) == "permission_denied"
    assert error_code(assessment(p["window"]), 403) == "permission_denied"


def test_asking_for_a_scheme(sup_world):
    p = sup_world["people"]
    assert error_code(assessment(p["district"], code="nothing"), 404) == "unknown_scheme"
    draft = create(p["district"]).json()
    # nothing published yet: no active version; the draft previews for those who define
    assert error_code(assessment(p["district"]), 404) == "unknown_scheme"
    assert assessment(p["district"], version=draft["version"]).status_code == 200
    assert error_code(assessment(p["supervisor"], version=1), 404) == "unknown_scheme"
    assert error_code(assessment(p["district"], version="x"), 400) == "invalid_version"
    publish(p["district"], draft["id"])
    assert error_code(assessment(p["supervisor"], period="2026-13"), 400) == "invalid_period"
    assert error_code(assessment(p["supervisor"], period="2026-Q4"), 400) == "invalid_period"
    assert assessment(p["supervisor"]).status_code == 200
    # the list: supervisors see published versions, district staff the drafts too
    create(p["district"])
    assert [s["version"] for s in client_for(p["supervisor"]).get(SCHEMES).json()] == [1]
    assert [s["version"] for s in client_for(p["district"]).get(SCHEMES).json()] == [2, 1]


def test_quarterly_schemes_take_quarters(dataset):
    published(dataset, {**STATION_SCHEME, "code": "station-quarterly", "period_kind": "quarter"})
    response = assessment(
        dataset["people"]["supervisor"], code="station-quarterly", period="2026-Q4"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-10-01", "2026-12-31")
