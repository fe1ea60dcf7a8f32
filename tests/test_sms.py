"""SMS intake (a text becomes a ticket or a reply) and replies sent back as texts."""

import pytest
import sqlalchemy as sa

from helpdesk.calls.gateways import LoggingGateway
from helpdesk.calls.models import SmsMessage
from helpdesk.calls.sms import guess_language, subject_from
from helpdesk.calls.tasks import send_sms
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket

TOKEN = "sms-shared-secret"


@pytest.fixture
def sms_in(app, client):
    app.config["SMS_TOKEN"] = TOKEN

    def send(text: str, sender: str = "09876543210", *, token: str = TOKEN):
        return client.post(
            "/api/v1/sms/inbound",
            json={"from": sender, "text": text},
            headers={"X-SMS-Token": token},
        )

    return send


@pytest.fixture
def sent():
    LoggingGateway.sent.clear()
    yield LoggingGateway.sent
    LoggingGateway.sent.clear()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_sms_token_rules(app, client, sms_in):
    assert sms_in("hello", token="wrong").status_code == 401
    app.config["SMS_TOKEN"] = ""
    response = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9876543210", "text": "x"},
        headers={"X-SMS-Token": "x"},
    )
    assert response.status_code == 503
    assert response.json["error"]["code"] == "sms_token_not_configured"
    assert count(SmsMessage) == 0 and count(Ticket) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"from": "12", "text": "hello"}, "from"),
        ({"from": "9876543210", "text": "   "}, "text"),
        ({"from": "9876543210"}, "text"),
        ({"from": 9876543210, "text": "hello"}, "from"),
    ],
)
def test_bad_texts_are_422_and_write_nothing(app, client, body, field):
    app.config["SMS_TOKEN"] = TOKEN
    response = client.post("/api/v1/sms/inbound", json=body, headers={"X-SMS-Token": TOKEN})
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(SmsMessage) == 0 and count(Ticket) == 0


def test_a_text_from_a_known_caller_without_open_tickets_opens_an_sms_ticket(
    sms_in, make_ticket, api_as, make_user
):
    old = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    api_as(make_user("agent")).patch(f"/api/v1/tickets/{old.id}", json={"status": "closed"})
    text = "बैंक ने व्यवसाय योजना मांगी है, कृपया मदद करें। हमारा समूह बकरी पालन करता है"
    response = sms_in(text, sender="+91-98765-43210")
    assert response.status_code == 201 and response.json["created"] is True
    assert response.json["message"] is None
    ticket = db.session.get(Ticket, response.json["ticket"])
    assert ticket.channel == "sms" and ticket.language == "hi"
    assert ticket.description == text
    assert ticket.subject == "बैंक ने व्यवसाय योजना मांगी है, कृपया मदद…"
    assert ticket.requester_id == old.requester_id and ticket.block_id == old.block_id


def test_a_text_from_a_number_with_an_open_ticket_is_a_reply_that_reopens_it(
    sms_in, make_ticket, api_as, make_user
):
    agent = make_user("agent")
    older = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    latest = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    api_as(agent).patch(f"/api/v1/tickets/{latest.id}", json={"status": "pending"})
    response = sms_in("The bank manager wants the land papers too")
    assert response.status_code == 201
    assert response.json["created"] is False and response.json["ticket"] == latest.id
    db.session.expire_all()
    message = db.session.get(Message, response.json["message"])
    assert message.ticket_id == latest.id and message.channel == "sms"
    assert message.contact_id == latest.requester_id and not message.internal
    assert db.session.get(Ticket, latest.id).status == "open"
    assert older.messages == [] or all(m.automatic for m in older.messages)
    sms = db.session.get(SmsMessage, response.json["sms"])
    assert (sms.direction, sms.status, sms.message_id) == ("in", "received", message.id)


def test_a_text_from_brc_staff_goes_to_their_block(sms_in, make_user):
    brc = make_user("brc", phone="+919812345678")
    response = sms_in("PTS app not syncing since Monday", sender="98123 45678")
    ticket = db.session.get(Ticket, response.json["ticket"])
    assert ticket.block_id == brc.block_id and ticket.created_by_id == brc.id
    assert ticket.language == "en"
    # The next text is a reply on that ticket, written by the BRC user.
    again = sms_in("Still not syncing", sender="+919812345678")
    assert again.json == again.json | {"created": False, "ticket": ticket.id}
    assert db.session.get(Message, again.json["message"]).author_id == brc.id


def test_a_text_from_an_unknown_number_opens_a_ticket_awaiting_triage(sms_in):
    response = sms_in("ഞങ്ങളുടെ കഫേക്ക് ലോൺ വേണം", sender="9447012345")
    assert response.status_code == 201 and response.json["created"] is True
    ticket = db.session.get(Ticket, response.json["ticket"])
    assert (ticket.block_id, ticket.language, ticket.requester.phone) == (
        None,
        "ml",
        "+919447012345",
    )
    assert ticket.requester.block_id is None and ticket.requester.phone_confirmed


@pytest.mark.parametrize(
    "text, language",
    [
        ("ನಮ್ಮ ಗುಂಪಿಗೆ ಸಾಲ ಬೇಕು", "kn"),
        ("ଆମ ଗୋଷ୍ଠୀ ପାଇଁ ଋଣ", "or"),
        ("আমাদের ঋণ দরকার", "bn"),
        ("எங்களுக்கு கடன் வேண்டும்", "ta"),
        ("మాకు రుణం కావాలి", "te"),
        ("અમને લોન જોઈએ", "gu"),
        ("ਸਾਨੂੰ ਕਰਜ਼ਾ ਚਾਹੀਦਾ", "pa"),
        ("Need loan 50000 for पापड़ unit", "en"),
    ],
)
def test_the_language_follows_the_script(text, language):
    assert guess_language(text) == language


def test_a_subject_too_short_to_say_anything_names_the_sender():
    assert subject_from("?", "+919876543210") == "SMS from +919876543210"
    assert subject_from("Loan status", "+919876543210") == "Loan status"


def test_a_staff_reply_on_an_sms_ticket_is_sent_once(sms_in, api_as, make_user, run_jobs, sent):
    brc = make_user("brc", phone="+919812345678")
    ticket_id = sms_in("When will the MEC fee be paid?", sender="9812345678").json["ticket"]
    agent = api_as(make_user("agent"))
    agent.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Internal: check with the CLF", "internal": True},
    )
    reply = agent.post(
        f"/api/v1/tickets/{ticket_id}/messages", json={"body": "The CLF pays it by the 10th."}
    )
    assert reply.status_code == 201
    run_jobs()
    assert [(to, text) for to, text, _ in sent] == [
        ("+919812345678", "The CLF pays it by the 10th.")
    ]
    [sms] = db.session.scalars(sa.select(SmsMessage).where(SmsMessage.direction == "out"))
    assert sms.status == "sent" and sms.provider_id == sent[0][2] and sms.sent_at is not None
    assert sms.message_id == reply.json["id"]
    send_sms(sms.id)  # the job delivered a second time
    assert len(sent) == 1
    # The requester's own texts are never echoed back to them.
    assert brc.phone == "+919812345678"
    sms_in("Thank you", sender="9812345678")
    run_jobs()
    assert len(sent) == 1


class FailingGateway:
    def send(self, to: str, text: str) -> str:
        raise RuntimeError("provider said: DND number")


def test_a_gateway_failure_marks_the_text_failed(app, sms_in, api_as, make_user, run_jobs, sent):
    app.config["SMS_GATEWAY"] = "tests.test_sms:FailingGateway"
    make_user("brc", phone="+919812345678")
    ticket_id = sms_in("Need TEAM course dates", sender="9812345678").json["ticket"]
    response = api_as(make_user("agent")).post(
        f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Next batch starts 5 March."}
    )
    assert response.status_code == 201
    run_jobs()
    [sms] = db.session.scalars(sa.select(SmsMessage).where(SmsMessage.direction == "out"))
    assert (sms.status, sms.error) == ("failed", "provider said: DND number")
    assert len(sent) == 0


def test_a_text_the_gateway_delivers_twice_is_taken_once(app, client, make_user):
    app.config["SMS_TOKEN"] = TOKEN
    make_user("brc", phone="+919812345678")

    def deliver(text, sms_id):
        return client.post(
            "/api/v1/sms/inbound",
            headers={"X-SMS-Token": TOKEN},
            json={"from": "9812345678", "text": text, "id": sms_id},
        )

    first = deliver("Cafe licence renewal?", "gw-1")
    again = deliver("Cafe licence renewal?", "gw-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    reply = deliver("Also the FSSAI form", "gw-2")
    assert reply.status_code == 201 and reply.json["created"] is False
    assert count(Ticket) == 1 and count(SmsMessage) == 2
