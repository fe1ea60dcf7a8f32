"""Ticket jobs. Each takes primary keys and is idempotent."""

from helpdesk import jobs, signals
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.services import unit_of_work

ACKNOWLEDGEMENTS = {
    "en": "We have received your query {number}. A call-centre agent will answer you soon.",
    "hi": "आपका प्रश्न {number} हमें मिल गया है। कॉल-सेंटर का एजेंट जल्द ही आपको उत्तर देगा।",
    "ml": "നിങ്ങളുടെ ചോദ്യം {number} ഞങ്ങൾക്ക് ലഭിച്ചു. കോൾ സെന്റർ ഏജന്റ് ഉടൻ മറുപടി നൽകും.",
}


@jobs.task("tickets.acknowledge")
def acknowledge(ticket_id: int) -> None:
    """Tell the requester their query is logged, once, in their language where we can."""
    # The row lock makes a second run that overlaps this one (a retry while the first still
    # commits) wait, then see the first one's acknowledgement.
    ticket = db.session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or any(m.automatic for m in ticket.messages):
        return
    template = ACKNOWLEDGEMENTS.get(ticket.language, ACKNOWLEDGEMENTS["en"])
    with unit_of_work():
        message = Message(
            ticket=ticket,
            body=template.format(number=ticket.number),
            internal=False,
            automatic=True,
            channel=ticket.channel,
        )
        db.session.add(message)
        # Consoles showing the conversation redraw it; from an RQ worker this goes out
        # through the Redis message queue to whichever process holds each console.
        signals.message_added.send(
            ticket, message=message, author=None, internal=False, automatic=True, staff_reply=False
        )
