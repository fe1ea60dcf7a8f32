"""Call-centre figures: exact numbers on a hand-computed call log, per day, hour and agent,
as JSON and CSV; who may read them; bad parameters.

The log (Asia/Kolkata times; Monday 4 and Tuesday 5 March 2024), with the later calls and
replies recorded as the telephony hangups and ticket replies record them. Wait = ringing to
answer, talk = answer to hangup. Tickets: T1, T2 resolved; T3 open; T4 resolved but the
requester replied after call 8; T5 resolved, calls 2 and 9 are both on it.

    #   day  time      wait  talk  agent  ticket  first contact resolved?
    1   Mon  09:05:00   10    240  A      T1      yes
    2   Mon  09:20:00   20    120  A      T5      no (call 9 came later on T5)
    3   Mon  00:10:00   --    --   --     --      abandoned (UTC: Sunday 18:40)
    4   Mon  14:00:00   21    300  B      T2      yes
    5   Mon  14:10:00    5     60  B      T3      no (T3 still open)
    6   Mon  14:30:00   --    --   --     --      abandoned
    7   Mon  14:45:00   outbound, answered by A: not offered, not counted
    8   Tue  09:00:00   15    600  B      T4      no (requester replied after it)
    9   Tue  09:30:00    5    180  A      T5      yes (the last call on T5)
    10  Tue  09:50:00   --    --   --     --      abandoned
    11  Tue  14:00:00   30    120  A      --      no (no ticket)
    12  Tue  14:20:00   still ringing: offered, neither answered nor abandoned
    13  Wed  00:00:10   answered, outside the range (UTC: Tuesday 18:30:10)

Threshold 20 s: answered within it are 1, 2 (exactly 20), 5, 8, 9.
"""

import json
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from helpdesk.calls import follow_ups
from helpdesk.calls.models import Call
from helpdesk.extensions import db
from helpdesk.tickets import services as tickets
from helpdesk.tickets.schemas import MessageCreate
from helpdesk.timeutil import IST

RANGE = "from=2024-03-04&to=2024-03-05"
HEADER = (
    "offered,answered,abandoned,answered_within_threshold,service_level,"
    "average_handle_seconds,first_contact_resolution"
)


def ist(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2024, 3, day, hh, mm, ss, tzinfo=IST)


@pytest.fixture
def call_log(app, make_user, make_ticket):
    agent_a = make_user("agent", name="Asha Agent", email="asha@example.org")
    agent_b = make_user("agent", name="Bala Agent", email="bala@example.org")
    brc = make_user("brc")
    t1, t2, t3, t4, t5 = (make_ticket() for _ in range(5))
    number = iter(range(1, 100))

    def call(start, wait=None, talk=None, agent=None, ticket=None, direction="in", ended=True):
        answered = start + timedelta(seconds=wait) if wait is not None else None
        if answered is not None:
            end = answered + timedelta(seconds=talk) if talk is not None else None
        else:
            end = start + timedelta(seconds=30) if ended else None
        status = "ringing" if end is None and answered is None else "answered"
        if end is not None:
            status = "ended" if answered else "missed"
        db.session.add(
            Call(
                call_id=f"log-{next(number)}",
                from_number="+919876500001",
                to_number="+918022223333",
                direction=direction,
                started_at=start,
                answered_at=answered,
                ended_at=end,
                duration_seconds=talk if answered is not None else (0 if end else None),
                answered_by=agent,
                ticket=ticket,
                status=status,
                events_seen=[],
            )
        )

    call(ist(4, 9, 5), 10, 240, agent_a, t1)
    call(ist(4, 9, 20), 20, 120, agent_a, t5)
    call(ist(4, 0, 10))
    call(ist(4, 14, 0), 21, 300, agent_b, t2)
    call(ist(4, 14, 10), 5, 60, agent_b, t3)
    call(ist(4, 14, 30))
    call(ist(4, 14, 45), 3, 100, agent_a, direction="out")
    call(ist(5, 9, 0), 15, 600, agent_b, t4)
    call(ist(5, 9, 30), 5, 180, agent_a, t5)
    call(ist(5, 9, 50))
    call(ist(5, 14, 0), 30, 120, agent_a)
    call(ist(5, 14, 20), ended=False)
    call(ist(6, 0, 0, 10), 5, 50, agent_a)
    db.session.commit()
    # What the hangups recorded: a later inbound call on a ticket follows up the earlier ones.
    for row in db.session.scalars(sa.select(Call).where(Call.ticket_id.is_not(None))):
        if row.direction == "in":
            follow_ups.mark_calls_followed_up(row.ticket_id, row.started_at, except_call=row.id)
    db.session.commit()

    def reply(ticket, author, body, at, internal=False):
        contact = ticket.requester if author is None else None
        data = MessageCreate(body=body, internal=internal)
        tickets.add_message(ticket, author, data, channel="sms", contact=contact, now=at)

    # Later messages that are not the requester coming back: staff replies and notes.
    reply(t1, agent_a, "The bank has the plan now.", ist(4, 9, 30))
    reply(t1, agent_a, "Checked with the branch.", ist(4, 11, 0), internal=True)
    reply(t2, brc, "Asking before the call.", ist(4, 13, 0))
    # The requester comes back on T4 after call 8, by SMS (it reopens; resolved again below).
    reply(t4, None, "Still no loan", ist(5, 9, 20))
    for ticket, resolved in ((t1, ist(4, 10, 0)), (t2, ist(4, 15, 0)), (t4, ist(5, 11, 0))):
        ticket.status, ticket.resolved_at = "resolved", resolved
    t5.status, t5.resolved_at = "closed", ist(5, 10, 0)
    db.session.commit()


def figures(offered, answered, abandoned, within, level, handle, fcr) -> dict:
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "answered_within_threshold": within,
        "service_level": level,
        "average_handle_seconds": handle,
        "first_contact_resolution": fcr,
    }


TOTALS = figures(11, 7, 3, 5, 0.4545, 231.4, 0.4286)
EMPTY = figures(0, 0, 0, 0, None, None, None)


@pytest.fixture
def manager_api(api_as, make_user):
    return api_as(make_user("manager"))


def test_by_day(call_log, manager_api):
    response = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=day")
    assert response.status_code == 200
    body = response.json
    assert body["totals"] == TOTALS
    assert body["threshold_seconds"] == 20
    assert body["rows"] == [
        {"key": "2024-03-04", "label": "2024-03-04"} | figures(6, 4, 2, 3, 0.5, 180.0, 0.5),
        {"key": "2024-03-05", "label": "2024-03-05"} | figures(5, 3, 1, 2, 0.4, 300.0, 0.3333),
    ]


def test_by_hour_of_the_day_in_india(call_log, manager_api):
    body = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=hour").json
    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == list(range(24))
    assert rows[0] == {"key": 0, "label": "00:00"} | figures(1, 0, 1, 0, 0.0, None, None)
    assert rows[9] == {"key": 9, "label": "09:00"} | figures(5, 4, 1, 4, 0.8, 285.0, 0.5)
    assert rows[14] == {"key": 14, "label": "14:00"} | figures(5, 3, 1, 1, 0.2, 160.0, 0.3333)
    assert all(rows[h] == {"key": h, "label": f"{h:02d}:00"} | EMPTY for h in (1, 8, 18, 23))
    assert body["totals"] == TOTALS


def test_by_agent(call_log, manager_api):
    body = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=agent").json
    assert body["rows"] == [
        {"key": "asha@example.org", "label": "Asha Agent"} | figures(4, 4, 0, 3, 0.75, 165.0, 0.5),
        {"key": "bala@example.org", "label": "Bala Agent"}
        | figures(3, 3, 0, 2, 0.6667, 320.0, 0.3333),
        {"key": None, "label": "Not answered"} | figures(4, 0, 3, 0, 0.0, None, None),
    ]
    assert body["totals"] == TOTALS


def test_csv_by_day_and_agent(call_log, manager_api):
    response = manager_api.get(
        f"/api/v1/reports/calls?{RANGE}&group_by=day", headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "call-report_day_2024-03-04_2024-03-05.csv" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).split("\r\n") == [
        f"day,label,{HEADER}",
        "2024-03-04,2024-03-04,6,4,2,3,0.5,180.0,0.5",
        "2024-03-05,2024-03-05,5,3,1,2,0.4,300.0,0.3333",
        "Total,,11,7,3,5,0.4545,231.4,0.4286",
        "",
    ]
    lines = manager_api.get(
        f"/api/v1/reports/calls?{RANGE}&group_by=agent", headers={"Accept": "text/csv"}
    ).get_data(as_text=True)
    assert lines.split("\r\n") == [
        f"agent,label,{HEADER}",
        "asha@example.org,Asha Agent,4,4,0,3,0.75,165.0,0.5",
        "bala@example.org,Bala Agent,3,3,0,2,0.6667,320.0,0.3333",
        ",Not answered,4,0,3,0,0.0,,",
        "Total,,11,7,3,5,0.4545,231.4,0.4286",
        "",
    ]


def test_csv_by_hour(call_log, manager_api):
    text = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=hour&format=csv").get_data(
        as_text=True
    )
    lines = text.split("\r\n")
    assert lines[0] == f"hour,label,{HEADER}"
    assert len(lines) == 1 + 24 + 1 + 1
    assert lines[1] == "0,00:00,1,0,1,0,0.0,,"
    assert lines[2] == "1,01:00,0,0,0,0,,,"
    assert lines[10] == "9,09:00,5,4,1,4,0.8,285.0,0.5"
    assert lines[15] == "14,14:00,5,3,1,1,0.2,160.0,0.3333"
    assert lines[25] == "Total,,11,7,3,5,0.4545,231.4,0.4286"


def test_the_answer_threshold_is_configurable(app, call_log, manager_api):
    app.config["CALL_ANSWER_THRESHOLD_S"] = 30
    body = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=day").json
    assert body["threshold_seconds"] == 30
    assert body["totals"]["answered_within_threshold"] == 7
    assert body["totals"]["service_level"] == round(7 / 11, 4)


def test_a_day_range_includes_its_ist_edges_only(call_log, manager_api):
    body = manager_api.get("/api/v1/reports/calls?from=2024-03-06&to=2024-03-06").json
    assert body["rows"] == [
        {"key": "2024-03-06", "label": "2024-03-06"} | figures(1, 1, 0, 1, 1.0, 50.0, 0.0)
    ]
    body = manager_api.get("/api/v1/reports/calls?from=2024-03-03&to=2024-03-03").json
    assert body["totals"] == EMPTY


@pytest.mark.parametrize("role", ["agent", "brc", "mentor"])
def test_only_managers_and_admins_read_call_figures(role, api_as, make_user, client, login_as):
    response = api_as(make_user(role)).get(f"/api/v1/reports/calls?{RANGE}")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    user = make_user(role)
    login_as(user)
    assert client.get("/reports/calls").status_code in (403, 302)


def test_admin_reads_them_and_strangers_are_401(api_as, make_user, client):
    assert api_as(make_user("admin")).get("/api/v1/reports/calls").status_code == 200
    assert client.get("/api/v1/reports/calls").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("group_by=week", "group_by"),
        ("from=2024-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2024-03-05&to=2024-03-04", "from"),
        ("format=xml", "format"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(manager_api, query, field):
    response = manager_api.get(f"/api/v1/reports/calls?{query}")
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_the_page_shows_the_table_charts_data_and_csv_link(call_log, make_user, client, login_as):
    login_as(make_user("manager"))
    response = client.get(f"/reports/calls?{RANGE}&group_by=agent")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Asha Agent" in html and "Not answered" in html
    assert "45.5 %" in html  # the total service level
    assert "3 min 51 s" in html  # 231.4 s average handle time
    assert 'id="report-data" type="application/json"' in html
    assert "/api/v1/reports/calls?format=csv&amp;group_by=agent" in html
    assert 'href="/reports/sla"' in html
    sla = client.get("/reports/sla").get_data(as_text=True)
    assert 'href="/reports/calls"' in sla


def test_the_page_reads_in_hindi_while_the_api_stays_english(
    call_log, make_user, client, login_as, manager_api
):
    manager = make_user("manager")
    manager.ui_language = "hi"
    db.session.commit()
    login_as(manager)
    html = client.get(f"/reports/calls?{RANGE}&group_by=agent").get_data(as_text=True)
    assert "<h1>कॉल के आंकड़े</h1>" in html and "जवाब नहीं मिला" in html
    assert "<th>पहली कॉल में हल</th>" in html and "3 मिनट 51 सेकंड" in html
    data = json.loads(
        re.search(r'id="report-data" type="application/json">(.*?)</script>', html)[1]
    )
    assert data["heatmap"]["weekdays"][:2] == ["सोम", "मंगल"]  # the heat map's rows
    catalogue = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', html)[1]
    assert json.loads(catalogue)["Abandoned %"] == "छोड़ी गई %"
    rows = manager_api.get(f"/api/v1/reports/calls?{RANGE}&group_by=agent").json["rows"]
    assert rows[-1]["label"] == "Not answered"


def test_the_page_shows_bad_filters_as_errors(make_user, client, login_as):
    login_as(make_user("admin"))
    response = client.get("/reports/calls?from=nonsense&group_by=week")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must be a date" in html and "must be one of day, hour, agent" in html


def test_the_report_is_in_the_openapi_description(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/reports/calls"]["get"]
    assert "first_contact_resolution" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "group_by"}
    assert "/api/v1/callbacks" in spec["paths"]
    assert "post" in spec["paths"]["/api/v1/callbacks/{callback_id}/done"]
