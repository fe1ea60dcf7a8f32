"""/admin/users (admins list, create, edit, deactivate, reactivate and reset passwords) and
/me (everyone's own name, phone, interface language and password)."""

from werkzeug.datastructures import MultiDict

from helpdesk.agents.models import User
from helpdesk.agents.services import user_by_email
from helpdesk.extensions import db
from tests.conftest import PASSWORD


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_only_admins_open_the_user_pages_and_admins_find_them_in_the_menu(
    client, make_user, login_as
):
    someone = make_user("agent")
    assert client.get("/admin/users").location.startswith("/login")
    for role in ("agent", "mentor", "brc", "manager"):
        login_as(make_user(role))
        assert client.get("/admin/users").status_code == 403, role
        assert client.get(f"/admin/users/{someone.id}").status_code == 403, role
        assert client.post(f"/admin/users/{someone.id}/deactivate").status_code == 403, role
        assert 'href="/admin/users"' not in client.get("/me").text
        client.post("/logout")
    assert fresh(someone).active
    login_as(make_user("admin"))
    assert 'href="/admin/users"' in client.get("/me").text


def test_admin_lists_users_filtered_by_role_and_status(client, make_user, login_as):
    login_as(make_user("admin", name="Anita Admin"))
    make_user("agent", name="Ravi Agent")
    gone = make_user("agent", name="Gopal Gone")
    gone.active = False
    make_user("mentor", name="Meera Mentor")
    db.session.commit()

    everyone = client.get("/admin/users").text
    assert all(n in everyone for n in ("Anita Admin", "Ravi Agent", "Gopal Gone", "Meera Mentor"))
    agents = client.get("/admin/users?role=agent&active=true").text
    assert "Ravi Agent" in agents and "Gopal Gone" not in agents and "Meera Mentor" not in agents
    deactivated = client.get("/admin/users?active=false").text
    assert "Gopal Gone" in deactivated and "Ravi Agent" not in deactivated
    bad = client.get("/admin/users?role=boss")
    assert bad.status_code == 422 and "Role: must be one of" in bad.text


def test_admin_creates_a_user_and_mistakes_show_next_to_their_fields(
    client, make_user, make_block, login_as
):
    login_as(make_user("admin"))
    block = make_block(name="Manoharpur")
    form = MultiDict(
        [
            ("name", "Sita Kumari"),
            ("email", "not-an-address"),
            ("role", "brc"),
            ("phone", "12"),
            ("password", "short"),
            ("languages", "hi"),
            ("languages", "sa"),
        ]
    )
    bad = client.post("/admin/users/new", data=form)
    assert bad.status_code == 422
    assert 'id="password-error">at least 8 characters' in bad.text
    assert 'value="Sita Kumari"' in bad.text  # what was typed stays
    form.setlist("password", ["long-enough-1"])
    bad = client.post("/admin/users/new", data=form)
    assert bad.status_code == 422
    for field, why in [
        ("email", "not an e-mail address"),
        ("phone", "not a valid phone number"),
        ("block", "BRC staff need a block"),
        ("languages", "unknown: sa"),
    ]:
        assert f'id="{field}-error">{why}' in bad.text, field
    assert user_by_email("sita@example.org") is None

    form.setlist("email", ["sita@example.org"])
    form.setlist("phone", ["98765 43210"])
    form.setlist("block", [block.code])
    form.setlist("languages", ["hi"])
    created = client.post("/admin/users/new", data=form)
    assert created.status_code == 302
    sita = user_by_email("sita@example.org")
    assert (sita.role, sita.block_id, sita.phone, sita.languages) == (
        "brc",
        block.id,
        "+919876543210",
        ["hi"],
    )
    page = client.get(created.location)
    assert "Sita Kumari can now sign in" in page.text
    taken = client.post("/admin/users/new", data=form)
    assert taken.status_code == 409 and 'id="email-error">already in use' in taken.text


def test_admin_edits_deactivates_reactivates_and_resets_a_password(
    app, client, make_user, login_as
):
    admin = make_user("admin")
    ravi = make_user("agent", name="Ravi", languages=["hi"])
    ravis_browser = app.test_client()
    ravis_browser.post("/login", data={"email": ravi.email, "password": PASSWORD})
    login_as(admin)

    page = client.get(f"/admin/users/{ravi.id}")
    assert page.status_code == 200 and f'value="{ravi.email}"' in page.text
    form = MultiDict(
        [("name", "Ravi Kumar"), ("email", ravi.email), ("role", "mentor"), ("phone", "")]
        + [("languages", "hi"), ("languages", "en"), ("skills", "business-plan")]
        + [("states", "IN-JH")]
    )
    assert client.post(f"/admin/users/{ravi.id}", data=form).status_code == 302
    ravi = fresh(ravi)
    assert (ravi.name, ravi.role, ravi.languages, ravi.skills, ravi.states) == (
        "Ravi Kumar",
        "mentor",
        ["hi", "en"],
        ["business-plan"],
        ["IN-JH"],
    )

    assert ravis_browser.get("/tickets").status_code == 200
    assert client.post(f"/admin/users/{ravi.id}/deactivate").status_code == 302
    assert "signed out everywhere" in client.get(f"/admin/users/{ravi.id}").text
    assert not fresh(ravi).active
    kicked = ravis_browser.get("/tickets")
    assert kicked.status_code == 302 and kicked.location.startswith("/login")

    assert client.post(f"/admin/users/{ravi.id}/reactivate").status_code == 302
    assert fresh(ravi).active

    mismatch = {"password": "a-new-secret", "password_confirm": "a-new-secre"}
    bad = client.post(f"/admin/users/{ravi.id}/password", data=mismatch)
    assert bad.status_code == 422 and 'id="password_confirm-error">The two passwords differ.' in (
        bad.text
    )
    good = {"password": "a-new-secret", "password_confirm": "a-new-secret"}
    assert client.post(f"/admin/users/{ravi.id}/password", data=good).status_code == 302
    assert fresh(ravi).check_password("a-new-secret")


def test_an_admin_cannot_deactivate_themselves_from_the_page(client, make_user, login_as):
    admin = make_user("admin")
    login_as(admin)
    assert 'id="deactivate"' not in client.get(f"/admin/users/{admin.id}").text
    client.post(f"/admin/users/{admin.id}/deactivate")
    assert fresh(admin).active
    assert "You cannot deactivate your own account." in client.get("/me").text


def test_everyone_edits_their_profile_and_changes_their_password(
    client, make_user, make_block, login_as
):
    brc = make_user("brc", name="Sita")
    login_as(brc)
    page = client.get("/me")
    assert page.status_code == 200 and 'value="Sita"' in page.text
    assert 'href="/me"' in page.text  # the name in the header leads here

    bad = client.post("/me", data={"name": "", "phone": "12", "ui_language": "ta"})
    assert bad.status_code == 422
    assert 'id="name-error">required' in bad.text and 'id="phone-error"' in bad.text
    assert 'id="ui_language-error"' in bad.text
    saved = client.post("/me", data={"name": "Sita K", "phone": "9876543210", "ui_language": "hi"})
    assert saved.status_code == 302
    sita = fresh(brc)
    assert (sita.name, sita.phone, sita.ui_language) == ("Sita K", "+919876543210", "hi")

    wrong = {
        "current_password": "nope",
        "password": "a-new-secret",
        "password_confirm": "a-new-secret",
    }
    bad = client.post("/me/password", data=wrong)
    assert bad.status_code == 422
    # Sita chose Hindi above: her pages, and their messages, are in Hindi now
    assert 'id="current_password-error">आपके अभी के पासवर्ड से मेल नहीं खाता' in bad.text
    right = wrong | {"current_password": PASSWORD}
    assert client.post("/me/password", data=right).status_code == 302
    assert fresh(brc).check_password("a-new-secret")
