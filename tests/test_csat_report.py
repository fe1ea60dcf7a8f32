"""The CSAT report: exact counts, averages and distributions on hand-made ratings, for each
grouping; the shared day-range parser; managers and admins only; the report page."""

from datetime import datetime

import pytest

from helpdesk.extensions import db
from helpdesk.satisfaction.models import SatisfactionRating
from helpdesk.timeutil import IST


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=IST)


@pytest.fixture
def rated(make_user, make_block, make_ticket):
    """Six ratings in January 2026 and one outside the range:

    ticket  agent  category       block (state)      rating  rated on
    t1      Asha   business-plan  JH-A (IN-JH)       5       Jan 5
    t2      Asha   business-plan  JH-A (IN-JH)       4       Jan 6
    t3      Asha   bank-linkage   JH-B (IN-JH)       2       Jan 12
    t4      Binu   bank-linkage   KL-A (IN-KL)       5       Jan 13
    t5      none   business-plan  KL-A (IN-KL)       1       Jan 20
    t6      Binu   training       JH-A (IN-JH)       5       Jan 31, 23:30 IST
    t7      Asha   training       JH-A (IN-JH)       3       Feb 1 (outside)
    """
    asha = make_user("agent", name="Asha", email="asha@example.org")
    binu = make_user("agent", name="Binu", email="binu@example.org")
    jh_a = make_block(code="JH-A", name="Khuntpani", state="IN-JH")
    jh_b = make_block(code="JH-B", name="Manoharpur", state="IN-JH")
    kl_a = make_block(code="KL-A", name="Vadavucode", district="Ernakulam", state="IN-KL")
    plan = [
        (asha, "business-plan", jh_a, 5, at("2026-01-05")),
        (asha, "business-plan", jh_a, 4, at("2026-01-06")),
        (asha, "bank-linkage", jh_b, 2, at("2026-01-12")),
        (binu, "bank-linkage", kl_a, 5, at("2026-01-13")),
        (None, "business-plan", kl_a, 1, at("2026-01-20")),
        (binu, "training", jh_a, 5, at("2026-01-31", 23).replace(minute=30)),
        (asha, "training", jh_a, 3, at("2026-02-01", 0).replace(minute=10)),
    ]
    for assignee, category, block, rating, when in plan:
        ticket = make_ticket(category=category, block=block.code)
        ticket.assignee, ticket.status = assignee, "resolved"
        db.session.add(
            SatisfactionRating(ticket=ticket, rating=rating, channel="api", created_at=when)
        )
    db.session.commit()


def report(api, **args):
    args = {"from": "2026-01-01", "to": "2026-01-31"} | args
    response = api.get("/api/v1/reports/csat", query_string=args)
    assert response.status_code == 200, response.json
    return response.json


def dist(*counts: int) -> dict:
    return {str(n): c for n, c in zip(range(1, 6), counts, strict=True)}


def rows_of(data) -> list[tuple]:
    return [(r["key"], r["responses"], r["average"], r["distribution"]) for r in data["rows"]]


@pytest.mark.parametrize(
    "group_by, expected",
    [
        (
            "agent",
            [
                ("asha@example.org", 3, 3.67, dist(0, 1, 0, 1, 1)),
                ("binu@example.org", 2, 5.0, dist(0, 0, 0, 0, 2)),
                (None, 1, 1.0, dist(1, 0, 0, 0, 0)),
            ],
        ),
        (
            "category",
            [
                ("business-plan", 3, 3.33, dist(1, 0, 0, 1, 1)),
                ("bank-linkage", 2, 3.5, dist(0, 1, 0, 0, 1)),
                ("training", 1, 5.0, dist(0, 0, 0, 0, 1)),
            ],
        ),
        (
            "state",
            [
                ("IN-JH", 4, 4.0, dist(0, 1, 0, 1, 2)),
                ("IN-KL", 2, 3.0, dist(1, 0, 0, 0, 1)),
            ],
        ),
        (
            "block",
            [
                ("JH-A", 3, 4.67, dist(0, 0, 0, 1, 2)),
                ("KL-A", 2, 3.0, dist(1, 0, 0, 0, 1)),
                ("JH-B", 1, 2.0, dist(0, 1, 0, 0, 0)),
            ],
        ),
    ],
)
def test_exact_distribution_per_group(api_as, make_user, rated, group_by, expected):
    data = report(api_as(make_user("manager")), group_by=group_by)
    assert rows_of(data) == expected
    totals = data["totals"]
    assert (totals["responses"], totals["average"], totals["distribution"]) == (
        6,
        3.67,
        dist(1, 1, 0, 1, 3),
    )


def test_labels_weeks_and_the_default_grouping(api_as, make_user, rated):
    data = report(api_as(make_user("admin")))
    assert data["group_by"] == "agent"
    assert [r["label"] for r in data["rows"]] == ["Asha", "Binu", "Unassigned"]
    weeks = {w["week_start"]: (w["responses"], w["average"]) for w in data["weeks"]}
    assert weeks == {
        "2025-12-29": (0, None),
        "2026-01-05": (2, 4.5),
        "2026-01-12": (2, 3.5),
        "2026-01-19": (1, 1.0),
        "2026-01-26": (1, 5.0),
    }


def test_an_empty_range_has_no_rows_and_null_averages(api_as, make_user, rated):
    data = report(api_as(make_user("manager")), **{"from": "2025-06-01", "to": "2025-06-30"})
    assert data["rows"] == []
    assert data["totals"]["responses"] == 0 and data["totals"]["average"] is None


def test_bad_parameters_and_roles(api_as, make_user):
    manager = api_as(make_user("manager"))
    bad = manager.get("/api/v1/reports/csat?from=2026-02-30&group_by=channel")
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"from", "group_by"}
    reversed_range = manager.get("/api/v1/reports/csat?from=2026-02-02&to=2026-02-01")
    assert reversed_range.status_code == 422
    for role in ("agent", "mentor", "brc"):
        assert api_as(make_user(role)).get("/api/v1/reports/csat").status_code == 403


def test_the_report_page_embeds_its_data_for_the_charts(client, login_as, make_user, rated):
    login_as(make_user("manager"))
    page = client.get("/reports/csat?from=2026-01-01&to=2026-01-31&group_by=state")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<script id="csat-data" type="application/json">' in html
    assert "js/csat.js" in html and "chart.umd.min.js" in html
    assert client.get("/reports/csat?from=nope").status_code == 422
