"""Schemathesis against the OpenAPI description the app serves: every operation gets 25
valid and 25 invalid requests (seeded, so a failure reproduces), as an agent and as BRC
staff, with the gateways' secrets configured. No answer may be a server error, and every
answer must match what the description documents (status code, content type, schema).

Schemathesis' own pytest plugin (``@schema.parametrize()``) does not run on pytest 9.2, so
each operation's Hypothesis test is built here from ``operation.as_strategy()``.
"""

import contextvars
from datetime import timedelta

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helpdesk.agents.services import issue_token
from helpdesk.extensions import db
from helpdesk.knowledge.schemas import ArticleCreate
from helpdesk.knowledge.services import create_article
from helpdesk.sla.configuration import install_defaults

# Raw mails for POST /api/v1/email/inbound (message/rfc822): real ones and arbitrary bytes.
schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.sampled_from(
            [
                b"From: Sunita <sunita@shg.example>\r\nSubject: Loan\r\n"
                b"Message-ID: <fuzz-1@shg.example>\r\n\r\nWhich papers?\r\n",
                b"From: MAILER-DAEMON@mx.example\r\nSubject: failed\r\n\r\nbounce\r\n",
                b"Subject: [KS-000001] re\r\nIn-Reply-To: <x@y>\r\n\r\n\xff\xfe broken\r\n",
            ]
        ),
        st.binary(max_size=2000),
    ),
)

SEED = 20260101
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    # generous for a loaded 2-core machine; a request slower than this is a finding
    deadline=timedelta(seconds=10),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


class RequestIsolatedApp:
    """The WSGI app with each request in its own app context (its own ``g`` and database
    session), as in production, although the test holds an app context open."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def run():
            _cv_app.set(None)
            return list(self.app(environ, start_response))

        return contextvars.copy_context().run(run)


@pytest.fixture
def site(app, make_user, make_block, make_ticket):
    """Something behind the ids schemathesis tries first (1, small numbers): tickets, an
    article, SLA policies and calendars; the gateways' secrets configured."""
    app.config.update(
        CTI_TOKEN="cti-secret",
        SMS_TOKEN="sms-secret",
        EMAIL_TOKEN="email-secret",
        SMS_DEFAULT_BLOCK="JH-KHP",
    )
    block = make_block(code="JH-KHP", name="Khuntpani")
    install_defaults()
    users = {"agent": make_user("agent"), "brc": make_user("brc", block=block)}
    make_ticket(actor=users["brc"])
    make_ticket(block=block.code)
    create_article(
        ArticleCreate(title="Loan papers", body="Form 12.", category="bank-linkage"),
        make_user("manager"),
    )
    db.session.commit()
    return users


@pytest.mark.parametrize("role", ["agent", "brc"])
def test_every_operation_answers_as_documented(app, site, role):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        RequestIsolatedApp(app),
        config=schemathesis.Config.from_dict({"seed": SEED}),
    )
    headers = {
        "Authorization": f"Bearer {issue_token(site[role])}",
        "X-CTI-Token": "cti-secret",
        "X-SMS-Token": "sms-secret",
        "X-Email-Token": "email-secret",
    }
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=operation.as_strategy(mode))
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 (Hypothesis raises exception groups)
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations >= 35
    assert not failures, "\n\n".join(failures)
