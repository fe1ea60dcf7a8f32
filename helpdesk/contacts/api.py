"""API: who is behind a phone number, for the agent taking the call."""

from flask import jsonify, request

from helpdesk.agents.access import CALLER_LOOKUP_ROLES
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.contacts.services import lookup_caller
from helpdesk.errors import ValidationFailed
from helpdesk.tickets.serializers import ticket_to_dict


@api_v1.get("/contacts/lookup")
@endpoint(
    summary="The people and open tickets behind a phone number",
    query={
        "phone": "the caller's number in any common Indian form, e.g. 09876543210, "
        "98765 43210, +91-98765-43210 or 919876543210"
    },
    responses={200: "{phone (E.164), contacts, users, open_tickets}"},
    roles=CALLER_LOOKUP_ROLES,
    tag="contacts",
)
def lookup_contact():
    """``open_tickets`` holds only the open tickets the reader may see (a mentor: those of
    their states and escalations). BRC staff may not look callers up. An unknown but valid number answers 200 with empty lists; an invalid one 422."""
    viewer = api_user()
    try:
        phone = normalize_phone(request.args.get("phone", ""))
    except InvalidPhone as exc:
        raise ValidationFailed("Not a valid phone number.", {"phone": str(exc)}) from exc
    found = lookup_caller(phone, viewer)
    return jsonify(
        {
            "phone": phone,
            "contacts": [c.to_dict() for c in found.contacts],
            "users": [
                {
                    "id": u.id,
                    "name": u.name,
                    "role": u.role,
                    "block": u.block.code if u.block else None,
                }
                for u in found.users
            ],
            "open_tickets": [ticket_to_dict(t, viewer) for t in found.open_tickets],
        }
    )
