"""API of the telephony system (CTI events) and the SMS gateway, each authenticated by its
shared secret rather than a user's token."""

from flask import current_app, g, jsonify, request

from helpdesk.api import api_v1
from helpdesk.api.spec import endpoint
from helpdesk.calls import services, sms
from helpdesk.calls.schemas import CtiEventIn, SmsInboundIn
from helpdesk.extensions import limiter

GATEWAY_ERRORS = {
    401: "The shared-secret header is missing or wrong (code unauthorized).",
    429: "Too many requests with a missing or wrong secret from this address "
    "(GATEWAY_TOKEN_FAILURE_LIMIT); everything from it is refused until the window passes. "
    "Requests with the right secret are never counted (code rate_limited).",
    503: "The shared secret is not configured on the helpdesk, so the endpoint is off "
    "(code cti_token_not_configured / sms_token_not_configured).",
}


def _wrong_token(response) -> bool:
    return response.status_code == 401


# Only failed attempts count, per client address, on both webhooks together: guessing the
# secret is slowed down while the gateway's own traffic is never limited. While an address
# is over the limit it gets 429 whatever it sends, or the answer would tell a right guess.
gateway_token_failures = limiter.shared_limit(
    lambda: current_app.config["GATEWAY_TOKEN_FAILURE_LIMIT"],
    scope="gateway-token",
    deduct_when=_wrong_token,
    error_message="Too many requests with a wrong gateway secret from this address. "
    "Try again later.",
)


def _require_token(header: str, setting: str):
    def guard() -> None:
        services.check_gateway_token(
            request.headers.get(header),
            current_app.config.get(setting),
            header=header,
            setting=setting,
        )

    return guard


@api_v1.post("/cti/events")
@gateway_token_failures
@endpoint(
    summary="A telephony event: newCall, answer or hangup",
    body=CtiEventIn,
    auth=False,
    guard=_require_token("X-CTI-Token", "CTI_TOKEN"),
    header_secret=("ctiToken", "X-CTI-Token"),
    responses={200: "{call_id, status, applied}: applied is false for a repeated event"}
    | GATEWAY_ERRORS,
    tag="calls",
)
def post_cti_event():
    """Send the `X-CTI-Token` header with the `CTI_TOKEN` secret. Numbers may be written in
    any common Indian form; they are stored in E.164 (an invalid one is a 422).
    `newCall` looks the caller up and sends `call.incoming` to agents', managers' and
    admins' consoles; `answer` (with `user`, the agent's e-mail) sends `call.screenpop`
    to that agent only; `hangup` ends the call (a call never answered is missed, 0 s) and
    logs it on the caller's ticket. Each (call_id, event) applies once; an answer or hangup
    for an unknown call_id creates the call."""
    call, applied = services.handle_cti_event(g.body)
    return jsonify({"call_id": call.call_id, "status": call.status, "applied": applied})


@api_v1.post("/sms/inbound")
@gateway_token_failures
@endpoint(
    summary="A text received by the SMS gateway",
    body=SmsInboundIn,
    auth=False,
    guard=_require_token("X-SMS-Token", "SMS_TOKEN"),
    header_secret=("smsToken", "X-SMS-Token"),
    responses={
        201: "{ticket, message, sms, created, rating}",
        200: "the same answer for a text whose id was already taken",
    }
    | GATEWAY_ERRORS,
    tag="calls",
)
def post_sms_inbound():
    """Send the `X-SMS-Token` header with the `SMS_TOKEN` secret. A text from a number with
    an open ticket is a reply on the latest one (`created: false`, `message` its id; a
    pending or resolved ticket reopens). Otherwise a new `sms` ticket (`created: true`,
    `message: null`: the text is its description) in the sender's block. A text from a
    number nobody has on file (or on file in several blocks) is never refused: its ticket
    has no block (`"block": null`) and waits in the staff's triage view
    (`GET /api/v1/tickets?triage=1`) until staff set its block with
    `PATCH /api/v1/tickets/<id>` `{"block": <code>}`; later texts from that number thread
    onto it. Only numbers the gateways or call-centre staff recorded count as on file, not
    numbers BRC staff typed in for a requester. With the gateway's optional `id`, a text
    delivered twice is taken once (the repeat answers 200 with the first answer). A text
    that is one digit 1-5 from a caller with a ticket resolved (or closed) in the last 7 days
    rates the latest such ticket not rated yet (`rating`: the digit; null otherwise) and
    reopens nothing; when all are rated it changes nothing."""
    result = sms.receive_sms(g.body)
    return jsonify(
        {
            "ticket": result.ticket.id,
            "message": result.message.id if result.message else None,
            "sms": result.sms.id,
            "created": result.created,
            "rating": result.rating.rating if result.rating else None,
        }
    ), (200 if result.repeat else 201)
