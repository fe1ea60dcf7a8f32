"""Blocks, categories and SLA policies are cached per app process (helpdesk/reference_cache.py):
an admin's change must still apply to the very next ticket, in this process and in others."""

from datetime import datetime

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.sla.configuration import install_defaults

TICKET = {
    "subject": "Loan papers",
    "description": "The bank wants the enterprise's papers.",
    "category": "business-plan",
    "priority": "normal",
    "channel": "phone",
    "language": "hi",
}


def _hours_to_resolution(answer) -> float:
    sla = answer.json["sla"]
    due = datetime.fromisoformat(sla["resolution_due"])
    created = datetime.fromisoformat(answer.json["created_at"])
    return (due - created).total_seconds() / 3600


def test_a_retired_category_is_refused_right_after_tickets_used_it(
    app, api_as, make_user, make_block
):
    agent, admin = api_as(make_user("agent")), api_as(make_user("admin"))
    body = TICKET | {"block": make_block().code}
    assert agent.post("/api/v1/tickets", json=body).status_code == 201
    assert (
        admin.patch("/api/v1/categories/business-plan", json={"retired": True}).status_code == 200
    )
    refused = agent.post("/api/v1/tickets", json=body)
    assert refused.status_code == 422 and "category" in refused.json["error"]["fields"]


def test_a_changed_policy_applies_to_the_next_ticket(app, api_as, make_user, make_block):
    install_defaults()
    db.session.commit()
    agent, admin = api_as(make_user("agent")), api_as(make_user("admin"))
    body = TICKET | {"block": make_block().code}
    first = agent.post("/api/v1/tickets", json=body)
    normal = next(
        p for p in admin.get("/api/v1/sla/policies").json["items"] if p["priority"] == "normal"
    )
    # Ten business minutes: due within a day, where the default (45 business hours) is not.
    patched = admin.patch(f"/api/v1/sla/policies/{normal['id']}", json={"resolution_minutes": 10})
    assert patched.status_code == 200
    second = agent.post("/api/v1/tickets", json=body)
    assert _hours_to_resolution(first) > 24 > _hours_to_resolution(second)


def test_another_process_sees_an_admins_change(app, config_class, redis_url, make_user, make_block):
    """Two app processes on one Redis: the first has cached the category when the second
    retires it; the first refuses the next ticket with it."""
    from helpdesk.agents.services import issue_token
    from tests.conftest import ApiClient

    block = make_block().code
    agent_token, admin_token = issue_token(make_user("agent")), issue_token(make_user("admin"))
    db.session.commit()
    other = create_app(config_class)
    other.test_client_class = app.test_client_class
    here = ApiClient(app.test_client(), agent_token)
    there = ApiClient(other.test_client(), admin_token)
    body = TICKET | {"block": block}
    assert here.post("/api/v1/tickets", json=body).status_code == 201
    assert (
        there.patch("/api/v1/categories/business-plan", json={"retired": True}).status_code == 200
    )
    assert here.post("/api/v1/tickets", json=body).status_code == 422
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_signing_in_keeps_every_process_cache_and_revoking_drops_it(
    app, config_class, redis_url, make_user
):
    """A new API token (a sign-in) changes no cached value: the Redis generation stays, so
    other processes keep their blocks, categories and tokens. Revoking one moves it on."""
    from helpdesk import reference_cache
    from helpdesk.agents.services import issue_token, revoke_sessions
    from helpdesk.jobs.backends import redis_connection

    app.config["REDIS_URL"] = redis_url
    redis = redis_connection(redis_url)

    def generation() -> int:
        return int(redis.get(reference_cache.GENERATION_KEY) or 0)

    agent = make_user("agent")
    db.session.commit()
    before = generation()
    issue_token(agent)
    db.session.commit()
    assert generation() == before
    assert revoke_sessions(agent.id) == 1
    assert generation() > before
