"""Days from outside (reports, the call log): year 1, year 9999, reversed ranges and
odd ISO forms get a 422 naming the field (a form error on pages), never a 500."""

import re

import pytest

OUT_OF_RANGE = [
    ({"from": "0001-01-01"}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"from": "9999-12-31"}, "from"),
    ({"from": "0001-01-01", "to": "0001-01-05"}, "from"),
    ({"from": "1999-12-31", "to": "2000-01-10"}, "from"),
    ({"to": "2101-01-01"}, "to"),
    ({"from": "2026-01-10", "to": "2026-01-01"}, "from"),
    ({"from": "20260101"}, "from"),  # date.fromisoformat takes it; the API's form is YYYY-MM-DD
    ({"to": "2026-W01-1"}, "to"),
    ({"from": "२०२६-०१-०१"}, "from"),
]


@pytest.mark.parametrize(("args", "field"), OUT_OF_RANGE)
def test_sla_report_dates_out_of_range_are_422(api_as, make_user, make_ticket, args, field):
    make_ticket()
    api = api_as(make_user("manager"))
    for fmt in ("json", "csv"):
        res = api.get("/api/v1/reports/sla", query_string=args | {"format": fmt})
        assert res.status_code == 422, (args, res.get_data(as_text=True)[:300])
        assert field in res.json["error"]["fields"]


def test_the_widest_report_range_is_answered(api_as, make_user, make_ticket):
    make_ticket()
    api = api_as(make_user("manager"))
    res = api.get("/api/v1/reports/sla", query_string={"from": "2000-01-01", "to": "2100-12-31"})
    assert res.status_code == 200 and res.json["totals"]["tickets"] == 1
    res = api.get("/api/v1/reports/sla", query_string={"to": "2000-01-05"})
    assert res.status_code == 200 and res.json["from"] == "2000-01-01"


@pytest.mark.parametrize(("args", "field"), OUT_OF_RANGE)
def test_report_page_shows_bad_dates_as_form_errors(client, login_as, make_user, args, field):
    login_as(make_user("manager"))
    res = client.get("/reports/sla", query_string=args)
    assert res.status_code == 422
    assert re.search(r"must (not )?be", res.get_data(as_text=True))


@pytest.mark.parametrize(("args", "field"), OUT_OF_RANGE)
def test_call_log_shows_bad_dates_as_form_errors(client, login_as, make_user, args, field):
    login_as(make_user("agent"))
    res = client.get("/calls", query_string=args)
    assert res.status_code == 422
    assert re.search(r"must (not )?be", res.get_data(as_text=True))


def test_trend_and_backlog_refuse_bad_parameters(api_as, make_user):
    api = api_as(make_user("manager"))
    for query in ({"weeks": "0"}, {"weeks": "105"}, {"weeks": "9" * 30}, {"weeks": "²"}):
        res = api.get("/api/v1/reports/trend", query_string=query)
        assert res.status_code == 422 and "weeks" in res.json["error"]["fields"]
    res = api.get("/api/v1/reports/backlog", query_string={"group_by": "year"})
    assert res.status_code == 422 and "group_by" in res.json["error"]["fields"]
    assert api.get("/api/v1/reports/trend", query_string={"weeks": "104"}).status_code == 200


@pytest.mark.parametrize(("args", "field"), OUT_OF_RANGE)
def test_call_report_dates_out_of_range_are_422(api_as, make_user, args, field):
    api = api_as(make_user("manager"))
    for fmt in ("json", "csv"):
        res = api.get("/api/v1/reports/calls", query_string=args | {"format": fmt})
        assert res.status_code == 422, (args, res.get_data(as_text=True)[:300])
        assert field in res.json["error"]["fields"]


@pytest.mark.parametrize(("args", "field"), OUT_OF_RANGE)
def test_call_figures_page_shows_bad_dates_as_form_errors(client, login_as, make_user, args, field):
    login_as(make_user("manager"))
    res = client.get("/reports/calls", query_string=args)
    assert res.status_code == 422
    assert re.search(r"must (not )?be", res.get_data(as_text=True))


def test_the_widest_call_report_range_is_answered(api_as, make_user):
    api = api_as(make_user("manager"))
    query = {"from": "2000-01-01", "to": "2100-12-31", "group_by": "hour"}
    res = api.get("/api/v1/reports/calls", query_string=query)
    assert res.status_code == 200 and res.json["from"] == "2000-01-01"
    res = api.get("/api/v1/reports/calls", query_string={"to": "2000-01-05"})
    assert res.status_code == 200 and res.json["from"] == "2000-01-01"
