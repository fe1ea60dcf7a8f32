"""/api/v1/users (admins manage people) and /api/v1/me (one's own profile); deactivation
cuts a person off at once: tokens and session cookies get 401 on their very next request."""

import sqlalchemy as sa

from helpdesk.agents.models import ApiToken, User
from helpdesk.extensions import db
from tests.conftest import PASSWORD

NEW_MENTOR = {
    "email": "Meera.Nair@example.org",
    "name": "Meera Nair",
    "role": "mentor",
    "password": "a-long-password",
    "languages": ["ml", "en"],
    "skills": ["business-plan"],
    "states": ["IN-KL"],
    "phone": "098470 12345",
}


def live_token_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )


def test_admin_lists_users_by_role_and_active_a_page_at_a_time(api_as, make_user):
    admin = make_user("admin", name="Zoya Admin")
    agents = [make_user("agent", name=f"Agent {n}") for n in range(3)]
    gone = make_user("agent", name="Agent Gone")
    make_user("brc", name="Birsa BRC")
    api = api_as(admin)
    assert api.patch(f"/api/v1/users/{gone.id}", json={"active": False}).status_code == 200

    everyone = api.get("/api/v1/users").get_json()
    assert everyone["total"] == 6 and everyone["page"] == 1 and everyone["per_page"] == 50
    assert [u["name"] for u in everyone["items"]][:2] == ["Agent 0", "Agent 1"]  # by name
    first = everyone["items"][0]
    assert set(first) >= {"id", "email", "name", "role", "active", "block", "languages"}
    assert set(first) >= {"skills", "states", "phone"}
    assert "password_hash" not in first

    active_agents = api.get("/api/v1/users?role=agent&active=true&per_page=2").get_json()
    assert active_agents["total"] == 3
    assert [u["id"] for u in active_agents["items"]] == [agents[0].id, agents[1].id]
    page_two = api.get("/api/v1/users?role=agent&active=true&per_page=2&page=2").get_json()
    assert [u["id"] for u in page_two["items"]] == [agents[2].id]
    inactive = api.get("/api/v1/users?active=false").get_json()
    assert [(u["name"], u["active"]) for u in inactive["items"]] == [("Agent Gone", False)]

    bad = api.get("/api/v1/users?role=boss&active=maybe&per_page=500")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"role", "active"}


def test_only_admins_manage_users(client, api_as, make_user, login_as):
    someone = make_user("agent")
    assert client.get("/api/v1/users").status_code == 401
    for role in ("agent", "mentor", "brc", "manager"):
        api = api_as(make_user(role))
        assert api.get("/api/v1/users").status_code == 403, role
        assert api.post("/api/v1/users", json=NEW_MENTOR).status_code == 403, role
        res = api.patch(f"/api/v1/users/{someone.id}", json={"active": False})
        assert res.status_code == 403, role
        assert res.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(User, someone.id).active


def test_admin_creates_a_user_who_can_then_sign_in(client, api_as, make_user):
    api = api_as(make_user("admin"))
    res = api.post("/api/v1/users", json=NEW_MENTOR)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["role"] == "mentor" and body["active"] is True
    assert body["phone"] == "+919847012345"
    assert body["languages"] == ["ml", "en"] and body["states"] == ["IN-KL"]
    assert api.get(f"/api/v1/users/{body['id']}").get_json()["email"] == NEW_MENTOR["email"]

    signed_in = client.post(
        "/api/v1/auth/tokens",
        json={"email": "meera.nair@example.org", "password": NEW_MENTOR["password"]},
    )
    assert signed_in.status_code == 201


def test_a_bad_user_is_refused_naming_every_field_and_nothing_is_written(api_as, make_user):
    api = api_as(make_user("admin"))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    res = api.post(
        "/api/v1/users",
        json=NEW_MENTOR
        | {
            "role": "brc",
            "password": "short",
            "languages": ["ml", "klingon"],
            "states": ["IN-XX"],
            "skills": ["astrology"],
        },
    )
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {
        "password": "at least 8 characters",
        "block": "BRC staff need a block",
        "languages": "unknown: klingon",
        "states": "unknown states: IN-XX",
        "skills": "unknown categories: astrology",
    }
    unknown_block = api.post("/api/v1/users", json=NEW_MENTOR | {"block": "NOWHERE"})
    assert unknown_block.get_json()["error"]["fields"] == {"block": "unknown block"}
    wrong_role = api.post("/api/v1/users", json=NEW_MENTOR | {"role": "boss"})
    assert set(wrong_role.get_json()["error"]["fields"]) == {"role"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_an_email_already_in_use_is_a_conflict_whatever_its_case(api_as, make_user):
    api = api_as(make_user("admin"))
    taken = make_user("agent", email="ravi@example.org")
    res = api.post("/api/v1/users", json=NEW_MENTOR | {"email": "RAVI@example.org"})
    assert res.status_code == 409
    assert res.get_json()["error"] | {"message": ""} == {
        "code": "conflict",
        "message": "",
        "fields": {"email": "already in use"},
    }
    other = make_user("agent")
    res = api.patch(f"/api/v1/users/{other.id}", json={"email": "Ravi@Example.org"})
    assert res.status_code == 409
    # Changing one's own address to itself (another case) is no conflict.
    same = api.patch(f"/api/v1/users/{taken.id}", json={"email": "Ravi@example.org"})
    assert same.status_code == 200


def test_admin_changes_a_user_and_their_rules_still_hold(api_as, make_user, make_block):
    api = api_as(make_user("admin"))
    agent = make_user("agent", phone="9876500001")
    block = make_block()
    becoming_brc = api.patch(f"/api/v1/users/{agent.id}", json={"role": "brc"})
    assert becoming_brc.status_code == 422
    assert becoming_brc.get_json()["error"]["fields"] == {"block": "BRC staff need a block"}
    res = api.patch(
        f"/api/v1/users/{agent.id}",
        json={"role": "brc", "block": block.code, "name": " Sita Kumari ", "phone": None},
    )
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert (body["role"], body["block"], body["name"], body["phone"]) == (
        "brc",
        block.code,
        "Sita Kumari",
        None,
    )
    assert api.patch(f"/api/v1/users/{agent.id}", json={"block": None}).status_code == 422
    assert api.patch(f"/api/v1/users/{agent.id}", json={"id": 5}).status_code == 422
    assert api.patch("/api/v1/users/99999", json={"name": "x"}).status_code == 404


def test_deactivation_cuts_off_tokens_and_session_cookies_at_once(app, api_as, make_user):
    admin_api = api_as(make_user("admin"))
    agent = make_user("agent")
    agent_api = api_as(agent)
    browser = app.test_client()
    browser.post("/login", data={"email": agent.email, "password": PASSWORD})
    assert agent_api.get("/api/v1/me").status_code == 200
    assert browser.get("/api/v1/me").status_code == 200
    assert browser.get("/tickets").status_code == 200

    res = admin_api.patch(f"/api/v1/users/{agent.id}", json={"active": False})
    assert res.status_code == 200 and res.get_json()["active"] is False

    assert agent_api.get("/api/v1/me").status_code == 401
    assert live_token_count(agent) == 0  # revoked in the database, not merely refused
    assert browser.get("/api/v1/me").status_code == 401
    page = browser.get("/tickets")
    assert page.status_code == 302 and page.location.startswith("/login")
    again = browser.post("/login", data={"email": agent.email, "password": PASSWORD})
    assert again.status_code == 401

    assert admin_api.patch(f"/api/v1/users/{agent.id}", json={"active": True}).status_code == 200
    assert agent_api.get("/api/v1/me").status_code == 401  # an old token stays dead
    assert browser.post("/login", data={"email": agent.email, "password": PASSWORD}).location


def test_admins_cannot_lock_themselves_out(api_as, make_user):
    admin = make_user("admin")
    api = api_as(admin)
    res = api.patch(f"/api/v1/users/{admin.id}", json={"active": False, "role": "agent"})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {
        "active": "you cannot deactivate yourself",
        "role": "you cannot change your own role",
    }
    assert api.get("/api/v1/me").get_json()["active"] is True


def test_admin_sets_a_new_password_and_the_old_credentials_stop_working(client, api_as, make_user):
    admin_api = api_as(make_user("admin"))
    agent = make_user("agent")
    agent_api = api_as(agent)
    res = admin_api.patch(f"/api/v1/users/{agent.id}", json={"password": "brand-new-secret"})
    assert res.status_code == 200
    assert agent_api.get("/api/v1/me").status_code == 401
    old = client.post("/api/v1/auth/tokens", json={"email": agent.email, "password": PASSWORD})
    assert old.status_code == 401
    new = {"email": agent.email, "password": "brand-new-secret"}
    assert client.post("/api/v1/auth/tokens", json=new).status_code == 201


def test_everyone_edits_their_own_profile(client, api_as, make_user):
    brc = make_user("brc", name="Sita")
    api = api_as(brc)
    me = api.get("/api/v1/me").get_json()
    assert (me["id"], me["role"], me["ui_language"]) == (brc.id, "brc", None)

    res = api.patch(
        "/api/v1/me", json={"name": "Sita Kumari", "phone": "+91-98765-43210", "ui_language": "hi"}
    )
    assert res.status_code == 200
    assert (res.get_json()["name"], res.get_json()["phone"], res.get_json()["ui_language"]) == (
        "Sita Kumari",
        "+919876543210",
        "hi",
    )
    assert api.patch("/api/v1/me", json={"ui_language": None}).get_json()["ui_language"] is None

    for body, field in [
        ({"ui_language": "ml"}, "ui_language"),
        ({"role": "admin"}, "role"),
        ({"block": None}, "block"),
        ({"phone": "12"}, "phone"),
        ({"password": "a-new-password"}, "current_password"),
        ({"password": "a-new-password", "current_password": "wrong-one"}, "current_password"),
    ]:
        res = api.patch("/api/v1/me", json=body)
        assert res.status_code == 422, body
        assert field in res.get_json()["error"]["fields"], body
    assert db.session.get(User, brc.id).role == "brc"

    res = api.patch("/api/v1/me", json={"password": "a-new-password", "current_password": PASSWORD})
    assert res.status_code == 200
    new = {"email": brc.email, "password": "a-new-password"}
    assert client.post("/api/v1/auth/tokens", json=new).status_code == 201


def test_the_openapi_description_documents_users_and_me(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/api/v1/users"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/users/{user_id}"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/me"]) == {"get", "patch"}
    patch = spec["paths"]["/api/v1/users/{user_id}"]["patch"]
    assert "Roles: admin" in patch["description"] and "401" in patch["description"]
    listing = spec["paths"]["/api/v1/users"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"role", "active", "page", "per_page"}
    schemas = spec["components"]["schemas"]
    assert "ui_language" in schemas["ProfileUpdate"]["properties"]
    assert {"password", "block", "states"} <= set(schemas["UserCreate"]["required"]) | set(
        schemas["UserCreate"]["properties"]
    )


def test_the_users_create_command_reports_a_taken_email(runner, make_user):
    make_user("agent", email="asha@example.org")
    args = ["users", "create", "--email", "ASHA@example.org", "--name", "Asha"]
    result = runner.invoke(args=args + ["--role", "agent", "--password", "long-enough-1"])
    assert result.exit_code == 2
    assert "--email: already in use" in result.output


def test_malformed_user_bodies_get_the_error_shape_and_write_nothing(api_as, make_user):
    admin_api = api_as(make_user("admin"))
    target = make_user("agent", name="Untouched")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    for body, status in [
        ({"languages": "hi"}, 422),  # not a list
        ({"active": "no"}, 422),  # not a boolean
        ({"name": "x" * 121}, 422),
        ({"email": None}, 422),
        ({"states": ["IN-JH"] * 61}, 422),
        ([1, 2], 400),
    ]:
        res = admin_api.patch(f"/api/v1/users/{target.id}", json=body)
        assert res.status_code == status, body
        assert set(res.get_json()["error"]) == {"code", "message", "fields"}, body
    not_json = admin_api.patch(f"/api/v1/users/{target.id}", data="name=x")
    assert not_json.status_code == 415
    assert admin_api.post("/api/v1/users", json={}).status_code == 422
    db.session.expire_all()
    assert db.session.get(User, target.id).name == "Untouched"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
