"""Demo canned responses and enterprises: shared replies in Hindi and English, and
enterprises run by demo callers, with their tickets about them."""

import sqlalchemy as sa

from helpdesk.contacts.models import Contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.replies.models import CannedResponse
from helpdesk.tickets.models import Category, Ticket

RESPONSES = [
    (
        "Greeting",
        "en",
        None,
        "Namaste {requester_name}, this is {agent_name} from the Enterprise Call-Centre about "
        "your question {ticket_number}.",
    ),
    (
        "नमस्ते",
        "hi",
        None,
        "नमस्ते {requester_name} जी, मैं एंटरप्राइज़ कॉल-सेंटर से {agent_name} बोल रही हूँ। "
        "आपका प्रश्न {ticket_number} हमें मिल गया है।",
    ),
    (
        "Business plan: papers for the bank",
        "en",
        "business-plan",
        "For the loan the bank needs the business plan, two years of projections, Aadhaar and "
        "the SHG resolution. The {block_name} BRC can help you fill the form.",
    ),
    (
        "बैंक के लिए व्यवसाय योजना",
        "hi",
        "business-plan",
        "ऋण के लिए बैंक को व्यवसाय योजना, दो साल का अनुमान, आधार और SHG का प्रस्ताव चाहिए। "
        "{block_name} BRC फ़ॉर्म भरने में मदद करेगा।",
    ),
    (
        "Waiting for the documents",
        "en",
        None,
        "We are waiting for your documents for {ticket_number}. Send them to the BRC; we will "
        "call you back when they arrive.",
    ),
]

ACTIVITIES = ["poultry", "tailoring unit", "Nutrimix unit", "grocery shop", "goat rearing", "dairy"]
ENTERPRISES_SHOWN = 12


def ensure_responses() -> int:
    if db.session.scalar(sa.select(sa.func.count()).select_from(CannedResponse)):
        return 0
    categories = {c.slug: c for c in db.session.scalars(sa.select(Category))}
    for title, language, category, body in RESPONSES:
        db.session.add(
            CannedResponse(
                title=title,
                body=body,
                language=language,
                category=categories.get(category) if category else None,
                owner=None,
                usage_count=0,
            )
        )
    db.session.commit()
    return len(RESPONSES)


def ensure_enterprises() -> int:
    """Callers with tickets run an enterprise each; their tickets are about it."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)):
        return 0
    owners = db.session.scalars(
        sa.select(Contact)
        .where(
            Contact.block_id.is_not(None),
            Contact.id.in_(sa.select(Ticket.requester_id).where(Ticket.block_id.is_not(None))),
        )
        .order_by(Contact.id)
        .limit(ENTERPRISES_SHOWN)
    ).all()
    for n, owner in enumerate(owners, start=1):
        activity = ACTIVITIES[n % len(ACTIVITIES)]
        enterprise = Enterprise(
            code=f"{owner.block.code}-E{n:04d}"[:40],
            name=f"{owner.name.split()[0]}'s {activity}",
            activity=activity,
            block=owner.block,
            owner=owner,
        )
        db.session.add(enterprise)
        db.session.flush()
        db.session.execute(
            sa.update(Ticket)
            .where(Ticket.requester_id == owner.id, Ticket.block_id == owner.block_id)
            .values(enterprise_id=enterprise.id)
        )
    db.session.commit()
    return len(owners)
