"""Phone numbers, business time, production configuration and the users command."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config import ProductionConfig
from helpdesk import create_app
from helpdesk.agents.services import authenticate
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.sla.calendar import BusinessCalendar, default_calendar

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    "written",
    [
        "09876543210",
        "98765 43210",
        "+91-98765-43210",
        "919876543210",
        "+919876543210",
        "098765-43210",
        "(+91) 98765 43210",
    ],
)
def test_every_common_written_form_is_one_indian_number(written):
    assert normalize_phone(written) == "+919876543210"


@pytest.mark.parametrize("written", ["", "12345", "phone me", "+91 12345 67890 12345", "x" * 40])
def test_non_numbers_are_refused(written):
    with pytest.raises(InvalidPhone):
        normalize_phone(written)


def test_business_minutes_skip_nights_lunch_and_holidays():
    calendar = BusinessCalendar(
        hours={d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(6)},
        holidays={date(2026, 11, 24)},
    )
    monday_5pm = datetime(2026, 11, 23, 17, 0, tzinfo=IST)
    # 60 minutes left on Monday, Tuesday is a holiday, so 120 minutes ends Wednesday 10:00
    assert calendar.add_minutes(monday_5pm, 120) == datetime(2026, 11, 25, 10, 0, tzinfo=IST)
    assert calendar.minutes_between(monday_5pm, datetime(2026, 11, 25, 10, 0, tzinfo=IST)) == 120
    wednesday_noon = datetime(2026, 11, 25, 12, 30, tzinfo=IST)
    assert calendar.add_minutes(wednesday_noon, 60) == datetime(2026, 11, 25, 14, 30, tzinfo=IST)


def test_default_calendar_closes_sundays_and_national_holidays():
    calendar = default_calendar()
    saturday_5pm = datetime(2026, 1, 24, 17, 0, tzinfo=IST)
    # Sunday 25th closed, Monday 26 January is Republic Day: the hour left runs out Tuesday
    assert calendar.add_minutes(saturday_5pm, 120) == datetime(2026, 1, 27, 10, 0, tzinfo=IST)


def test_calendar_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        default_calendar().add_minutes(datetime(2026, 1, 5, 10, 0), 5)


@pytest.mark.parametrize("secret", [None, "dev-only-not-secret", "short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_users_create_command(runner, make_block):
    block = make_block(code="KL-VADAVUCODE", state="IN-KL", district="Ernakulam")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "brc.vadavucode@example.org",
            "--name",
            "Anitha K",
            "--role",
            "brc",
            "--password",
            "vadavucode-1",
            "--block",
            block.code,
            "--languages",
            "ml,en",
        ]
    )
    assert result.exit_code == 0, result.output
    user = authenticate("brc.vadavucode@example.org", "vadavucode-1")
    assert (
        user.role == "brc" and user.block.code == "KL-VADAVUCODE" and user.languages == ["ml", "en"]
    )

    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "m@example.org",
            "--name",
            "M",
            "--role",
            "mentor",
            "--password",
            "mentor-pass-1",
            "--skills",
            "astrology",
            "--states",
            "IN-ZZ",
        ]
    )
    assert bad.exit_code == 2
    assert "--skills" in bad.output and "--states" in bad.output
    assert authenticate("m@example.org", "mentor-pass-1") is None
