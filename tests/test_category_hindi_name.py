"""A category an admin adds or renames has a name in Hindi too: Hindi pages show it (the
catalogue only knows the seeded categories), English pages show the English name, the API
carries it as ``name_hi``, and a change to it is in the admin audit."""

import re

import pytest
import sqlalchemy as sa

from helpdesk.administration import services
from helpdesk.administration.models import AdminAuditEntry
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.satisfaction.models import SatisfactionRating
from helpdesk.tickets.models import Category

HAAT = "साप्ताहिक हाट"
TOO_LONG = "क" * 121


def audit_rows() -> list[tuple]:
    return list(
        db.session.execute(
            sa.select(
                AdminAuditEntry.action, AdminAuditEntry.old_value, AdminAuditEntry.new_value
            ).order_by(AdminAuditEntry.id)
        )
    )


def category(slug: str) -> Category | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def user_reading(make_user, role: str, language: str):
    user = make_user(role)
    user.ui_language = language
    db.session.commit()
    return user


def test_a_brc_user_reading_hindi_sees_the_hindi_name_the_admin_gave(
    client, login_as, make_user, make_ticket
):
    admin = make_user("admin")
    login_as(admin)
    added = client.post(
        "/admin/categories",
        data={
            "slug": "haat",
            "name": "Weekly haats",
            "name_hi": f"  {HAAT}\u200b ",
            "domain": "enterprise",
        },
    )
    assert added.status_code == 302
    assert category("haat").name_hi == HAAT  # trimmed like the name
    assert audit_rows() == [("created", None, "Weekly haats"), ("renamed_in_hindi", None, HAAT)]

    hindi = user_reading(make_user, "brc", "hi")
    ticket = make_ticket(actor=hindi, category="haat")
    login_as(hindi)
    assert HAAT in client.get("/brc").text
    ticket_page = client.get(f"/tickets/{ticket.id}").text
    assert HAAT in ticket_page and "Weekly haats" not in ticket_page
    assert f'<option value="haat">{HAAT}</option>' in client.get("/brc/new").text
    # A seeded category without a Hindi name still reads in Hindi, from the catalogue.
    assert "व्यवसाय योजना और हिसाब के कागज़" in client.get("/brc/new").text

    english = user_reading(make_user, "brc", "en")
    login_as(english)
    make_ticket(actor=english, category="haat")
    home = client.get("/brc").text
    assert "Weekly haats" in home and HAAT not in home
    picker = client.get("/brc/new").text
    assert '<option value="haat">Weekly haats</option>' in picker and HAAT not in picker


def test_a_hindi_rename_on_the_admin_page_is_audited_and_an_empty_one_removes_it(
    client, login_as, make_user
):
    admin = make_user("admin")
    login_as(admin)
    training = category("training")
    page = client.get("/admin/categories").text
    assert 'name="name_hi" value=""' in page and 'lang="hi"' in page
    client.post(
        f"/admin/categories/{training.id}",
        data={"action": "rename", "name": training.name, "name_hi": "प्रशिक्षण"},
    )
    assert category("training").name_hi == "प्रशिक्षण"
    client.post(
        f"/admin/categories/{training.id}",
        data={"action": "rename", "name": training.name, "name_hi": ""},
    )
    assert category("training").name_hi is None
    assert audit_rows() == [
        ("renamed_in_hindi", None, "प्रशिक्षण"),
        ("renamed_in_hindi", "प्रशिक्षण", None),
    ]
    admin.ui_language = "hi"
    db.session.commit()
    assert "हिन्दी में नाम बदला" in client.get("/admin/audit").text


def test_the_api_accepts_and_returns_the_hindi_name(api_as, make_user):
    admin = api_as(make_user("admin"))
    created = admin.post(
        "/api/v1/categories", json={"slug": "haat", "name": "Weekly haats", "name_hi": HAAT}
    )
    assert created.status_code == 201 and created.json["name_hi"] == HAAT
    listed = api_as(make_user("agent")).get("/api/v1/categories").json["items"]
    by_slug = {c["slug"]: c for c in listed}
    assert by_slug["haat"]["name_hi"] == HAAT
    assert by_slug["training"]["name_hi"] is None  # seeded: the catalogue translates it

    changed = admin.patch("/api/v1/categories/haat", json={"name_hi": "हाट बाज़ार"})
    assert changed.status_code == 200 and changed.json["name_hi"] == "हाट बाज़ार"
    # Leaving name_hi out leaves it; null (as GET shows "none") removes it.
    assert admin.patch("/api/v1/categories/haat", json={"name": "Haats"}).json["name_hi"]
    assert admin.patch("/api/v1/categories/haat", json={"name_hi": None}).json["name_hi"] is None
    assert audit_rows()[-4:] == [
        ("renamed_in_hindi", None, HAAT),
        ("renamed_in_hindi", HAAT, "हाट बाज़ार"),
        ("renamed", "Weekly haats", "Haats"),
        ("renamed_in_hindi", "हाट बाज़ार", None),
    ]


def test_a_hindi_name_longer_than_120_characters_is_refused_and_nothing_is_written(
    client, api_as, login_as, make_user
):
    admin = make_user("admin")
    login_as(admin)
    form = client.post(
        "/admin/categories",
        data={"slug": "haat", "name": "Weekly haats", "name_hi": TOO_LONG, "domain": "enterprise"},
    )
    assert form.status_code == 422 and 'id="f-name_hi"' in form.text
    assert "Name in Hindi" in form.text and "120" in form.text
    api = api_as(admin)
    refused = api.post(
        "/api/v1/categories", json={"slug": "haat", "name": "Weekly haats", "name_hi": TOO_LONG}
    )
    assert refused.status_code == 422 and "name_hi" in refused.json["error"]["fields"]
    assert category("haat") is None

    training = category("training")
    patched = api.patch("/api/v1/categories/training", json={"name_hi": TOO_LONG})
    assert patched.status_code == 422 and "name_hi" in patched.json["error"]["fields"]
    client.post(
        f"/admin/categories/{training.id}",
        data={"action": "rename", "name": "Courses", "name_hi": TOO_LONG},
    )
    assert category("training").name_hi is None and category("training").name == training.name
    assert audit_rows() == []


def test_the_service_refuses_a_long_hindi_name_whoever_calls_it(make_user):
    """The rule is in the service too, so an import or script cannot store one either."""
    admin = make_user("admin")
    with pytest.raises(ValidationFailed) as refused:
        services.add_category(admin, slug="haat", name="Weekly haats", name_hi=TOO_LONG)
    assert "name_hi" in refused.value.fields
    assert category("haat") is None and audit_rows() == []


def test_the_desk_pages_and_pickers_show_the_hindi_name_on_hindi_pages(
    client, api_as, login_as, make_user, make_ticket
):
    admin = make_user("admin")
    api_as(admin).post(
        "/api/v1/categories", json={"slug": "haat", "name": "Weekly haats", "name_hi": HAAT}
    )
    admin.ui_language = "hi"
    db.session.commit()
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    moved = api_as(agent).patch(f"/api/v1/tickets/{ticket.id}", json={"category": "haat"})
    assert moved.status_code == 200
    login_as(admin)
    option = f'<option value="haat">{HAAT}</option>'
    for page in ("/tickets/new", "/kb", "/admin/sla/policies/new"):
        assert option in client.get(page).text, page
    assert f">{HAAT}</option>" in client.get("/tickets").text  # the queue's filter
    ticket_page = client.get(f"/tickets/{ticket.id}").text
    assert "Weekly haats" not in ticket_page  # badge, category picker and history line
    assert f'<span class="badge badge-plain">{HAAT}</span>' in ticket_page
    assert f'<option value="haat" selected>{HAAT}</option>' in ticket_page
    assert f"“व्यवसाय योजना और हिसाब के कागज़” से बदलकर “{HAAT}”" in ticket_page


def test_reports_grouped_by_category_name_it_in_the_readers_language(
    client, api_as, login_as, make_user, make_ticket
):
    api_as(make_user("admin")).post(
        "/api/v1/categories", json={"slug": "haat", "name": "Weekly haats", "name_hi": HAAT}
    )
    ticket = make_ticket(category="haat")
    make_ticket()  # business-plan: seeded, named by the catalogue
    db.session.add(SatisfactionRating(ticket=ticket, rating=4, channel="api"))
    db.session.commit()
    pages = ("/reports/sla?group_by=category", "/reports/csat?group_by=category")

    login_as(user_reading(make_user, "manager", "hi"))
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<td>{HAAT}<span class="sub">haat</span></td>' in page.text, path
        assert "Weekly haats" not in page.text, path  # the chart's labels too
    assert "व्यवसाय योजना और हिसाब के कागज़" in client.get(pages[0]).text

    login_as(user_reading(make_user, "manager", "en"))
    for path in pages:
        page = client.get(path).text
        assert '<td>Weekly haats<span class="sub">haat</span></td>' in page, path
        assert HAAT not in page, path

    # The API and the CSV keep the English name.
    manager = api_as(make_user("manager"))
    rows = manager.get("/api/v1/reports/sla?group_by=category").json["rows"]
    assert {"key": "haat", "label": "Weekly haats"}.items() <= next(
        row for row in rows if row["key"] == "haat"
    ).items()
    csv_text = manager.get("/api/v1/reports/sla?group_by=category&format=csv").text
    assert "haat,Weekly haats," in csv_text and HAAT not in csv_text


def category_options(page: str) -> list[tuple[str, str]]:
    """(slug, label) of the category picker's options, in page order, the blank one left out."""
    picker = re.search(r'<select[^>]*name="category".*?</select>', page, re.S).group(0)
    return [
        (slug, label)
        for slug, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', picker)
        if slug
    ]


def test_pickers_list_categories_in_the_order_of_the_names_the_page_shows(
    client, api_as, login_as, make_user
):
    admin = make_user("admin")
    # "Weekly haats" sorts last in English, its Hindi name (क…) early in Hindi.
    api_as(admin).post(
        "/api/v1/categories", json={"slug": "haat", "name": "Weekly haats", "name_hi": "कृषि हाट"}
    )
    for language in ("hi", "en"):
        agent = user_reading(make_user, "agent", language)
        login_as(agent)
        options = category_options(client.get("/tickets/new").text)
        labels = [label for _slug, label in options]
        assert len(labels) > 3 and labels == sorted(labels, key=str.casefold), (language, labels)
        if language == "hi":
            assert "कृषि हाट" in labels and labels.index("कृषि हाट") < len(labels) - 1
        else:
            assert labels[-1] == "Weekly haats"
