"""The /console namespace against a real server: who may connect, and that each socket
hears only what its user may see (a BRC user never hears about another block's tickets;
Zammad once leaked other users' data over its WebSocket, CVE-2022-40816)."""

import pytest
import socketio


def test_a_socket_without_a_valid_token_or_session_is_refused(console_client):
    anonymous = console_client(None, connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect()
    forged = console_client(None, connect=False)
    forged.token = "not-a-token"
    with pytest.raises(socketio.exceptions.ConnectionError):
        forged.connect()


def test_ticket_events_reach_staff_its_block_and_its_mentors_but_no_one_else(
    console_client, make_user, make_block, make_ticket
):
    home, other = make_block(state="IN-JH"), make_block(state="IN-JH")
    agent = make_user("agent")
    listeners = {
        "agent": console_client(agent),
        "brc of the block": console_client(make_user("brc", block=home)),
        "mentor of the state": console_client(make_user("mentor", states=["IN-JH"])),
        "brc of another block": console_client(make_user("brc", block=other)),
        "mentor of another state": console_client(make_user("mentor", states=["IN-KL"])),
    }

    ticket = make_ticket(actor=agent, block=home.code, subject="Loan papers for the goat unit")

    for who in ("agent", "brc of the block", "mentor of the state"):
        [event] = listeners[who].received("ticket.created")
        assert event["number"] == ticket.number, who
        assert event["subject"] == "Loan papers for the goat unit"
    # Give a wrongly routed event every chance to arrive before saying it did not.
    for who in ("brc of another block", "mentor of another state"):
        assert listeners[who].received("ticket.created", wait=0.7) == [], who
