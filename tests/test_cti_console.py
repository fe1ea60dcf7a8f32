"""Telephony events on the live console: who hears an incoming call, who gets the pop-up."""

TOKEN = "cti-shared-secret"


def send(client, event, call_id="c-1", **fields):
    body = {
        "event": event,
        "call_id": call_id,
        "from": "098765 43210",
        "to": "08022223333",
        "direction": "in",
    } | fields
    response = client.post("/api/v1/cti/events", json=body, headers={"X-CTI-Token": TOKEN})
    assert response.status_code == 200, response.json
    return response


def test_an_incoming_call_reaches_agents_but_not_brc_staff_or_mentors(
    app, client, console_client, make_user, make_block, make_ticket
):
    app.config["CTI_TOKEN"] = TOKEN
    block = make_block(state="IN-JH")
    ticket = make_ticket(
        block=block.code,
        subject="Loan papers for the goat unit",
        requester={"name": "Sunita Devi", "phone": "+919876543210"},
    )
    agent, manager = console_client(make_user("agent")), console_client(make_user("manager"))
    brc = console_client(make_user("brc", block=block))
    mentor = console_client(make_user("mentor", states=["IN-JH"]))

    send(client, "newCall")

    for listener in (agent, manager):
        [alert] = listener.received("call.incoming")
        assert alert["call_id"] == "c-1" and alert["from"] == "+919876543210"
        assert [p["name"] for p in alert["caller"]] == ["Sunita Devi"]
        assert [(t["number"], t["subject"]) for t in alert["open_tickets"]] == [
            (ticket.number, "Loan papers for the goat unit")
        ]
    for listener in (brc, mentor):
        assert listener.received("call.incoming", wait=0.7) == []


def test_the_screenpop_goes_to_the_answering_agent_only(
    app, client, console_client, make_user, make_ticket
):
    app.config["CTI_TOKEN"] = TOKEN
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    answering, other = make_user("agent"), make_user("agent")
    mine, theirs = console_client(answering), console_client(other)

    send(client, "newCall")
    send(client, "answer", user=answering.email)

    [pop] = mine.received("call.screenpop")
    assert pop["caller_name"] == "Sunita Devi"
    assert pop["ticket"]["number"] == ticket.number
    assert pop["ticket"]["url"] == f"/tickets/{ticket.id}"
    assert pop["new_ticket_url"] == "/tickets/new?phone=%2B919876543210"
    assert theirs.received("call.screenpop", wait=0.7) == []
    # A repeated answer pops nothing again.
    send(client, "answer", user=answering.email)
    assert len(mine.received("call.screenpop", wait=0.5)) == 1


def test_a_caller_without_an_open_ticket_pops_the_prefilled_log_a_call_form(
    app, client, console_client, make_user, login_as
):
    app.config["CTI_TOKEN"] = TOKEN
    agent = make_user("agent")
    listener = console_client(agent)
    send(client, "newCall", **{"from": "+91 91234 56789"})
    send(client, "answer", user=agent.email)
    [pop] = listener.received("call.screenpop")
    assert pop["ticket"] is None and pop["caller"] == []
    login_as(agent)
    form = client.get(pop["new_ticket_url"])
    assert form.status_code == 200
    assert 'value="+919123456789"' in form.get_data(as_text=True)
