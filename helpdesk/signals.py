"""Domain signals: how features built on tickets (console, SLA, SMS, knowledge) hear about
changes without the ticket code importing them.

Each signal's docstring is its contract: who sends it, when, and the keyword arguments.
Receivers accept ``**kwargs`` so a new argument breaks nobody; they are connected once, in
``create_app``, by each package's ``receivers.connect_signals()``.

Timing. Ticket changes are made inside ``tickets.unit_of_work``; the signals about them are
sent inside that transaction, right after the write, because their receivers write in the
same transaction (notification rows, an outgoing SMS row, outbox jobs, SLA due dates) and
what commits together today commits together. A receiver never talks to the outside world
from there: it queues (outbox jobs, the console's pending events), and the queue is
delivered after the commit (``unit-of-work-committed``) or forgotten on rollback
(``unit-of-work-rolled-back``), so a rolled-back change announces nothing. Receivers of the
post-commit signal never raise into the sender: they log (jobs are retried from the outbox).
"""

from collections.abc import Iterable, Iterator, MutableSet

from blinker import NamedSignal, Namespace


class _OrderedSet(MutableSet):
    """Blinker keeps receivers in a ``set``; this keeps them in the order they were
    connected, so receivers run in the order ``create_app`` connects them."""

    def __init__(self, items: Iterable = ()):
        self._items = dict.fromkeys(items)

    def __contains__(self, item) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> "_OrderedSet":
        return _OrderedSet(self._items)


class _OrderedSignal(NamedSignal):
    set_class = _OrderedSet


class _OrderedNamespace(Namespace):
    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        if name not in self:
            self[name] = _OrderedSignal(name, doc)
        return self[name]


_signals = _OrderedNamespace()

# ---- the unit of work (sent by helpdesk.tickets.unit_of_work) ---------------------------------

unit_of_work_before_commit = _signals.signal(
    "unit-of-work-before-commit",
    """The outermost unit of work is about to commit. Receivers may still write in the
    transaction (the SLA engine refreshes due dates, warnings and breaches here); an
    exception rolls everything back. Sender: None. Kwargs: ``touched``, a list of
    ``(ticket, at)``: each ticket that got an audit event, with the moment to evaluate it
    as of; ``historical``: True while importing past tickets.""",
)

unit_of_work_committed = _signals.signal(
    "unit-of-work-committed",
    """The outermost unit of work committed: deliver what was queued during it (live
    console events, SLA timers). Sent before the outbox jobs are delivered. Receivers never
    raise. Sender: None. Kwargs: ``historical`` (True: imported history, announce nothing
    live).""",
)

unit_of_work_rolled_back = _signals.signal(
    "unit-of-work-rolled-back",
    """The outermost unit of work rolled back: forget what was queued during it. Sender:
    None. No kwargs.""",
)

# ---- tickets (sent by helpdesk.tickets.services and .escalation) ------------------------------

ticket_created = _signals.signal(
    "ticket-created",
    """A ticket was opened (``tickets.services.create_ticket``), inside its transaction, after
    the flush (it has an id). Sender: the Ticket. Kwargs: ``actor`` (User or None),
    ``live`` (False for imported history: no acknowledgement, no auto-assignment).""",
)

ticket_changed = _signals.signal(
    "ticket-changed",
    """An audited change was recorded on a ticket (a TicketEvent, ``record_event``): its
    creation, a message, a status, priority, category, language, assignee or mentor change,
    a logged call. Inside the transaction. Sender: the Ticket. Kwargs: ``kind`` (the event
    kind: ``created``, ``message``, ``status``, ...), ``actor``, ``old``, ``new``, ``at``.
    Sent before the ticket's attribute is set: read the new value from ``new``.""",
)

message_added = _signals.signal(
    "message-added",
    """A message was added to a ticket (``tickets.services.add_message``, or an automatic
    acknowledgement), inside the transaction, after the ticket's status and first response
    were updated. Sender: the Ticket. Kwargs: ``message``, ``author`` (User or None),
    ``internal`` (an internal note), ``automatic`` (written by the system),
    ``staff_reply`` (True for a public, non-automatic reply by the staff side: an answer
    the requester should receive).""",
)

status_changed = _signals.signal(
    "status-changed",
    """A ticket's status changed, inside the transaction, before the new status is set.
    Sender: the Ticket. Kwargs: ``actor``, ``old``, ``new``.""",
)

ticket_escalated = _signals.signal(
    "ticket-escalated",
    """A ticket was handed to a mentor, inside the transaction: by a person
    (``tickets.escalation.escalate``) or by an SLA policy on breach
    (``sla.alerts.escalate_on_breach``). Sender: the Ticket. Kwargs: ``mentor`` (User),
    ``actor`` (the person, or None when automatic), ``automatic`` (bool), ``at`` (the
    moment, None meaning now).""",
)

# ---- the SLA engine (sent by helpdesk.sla.alerts) -----------------------------------------------

sla_warning = _signals.signal(
    "sla-warning",
    """A ticket reached the warning point (80 %) of an SLA target; recorded once, inside the
    transaction that records it. Not sent for imported history. Sender: the Ticket.
    Kwargs: ``target`` (``first_response``, ``resolution``, ...), ``due`` (aware
    datetime), ``now``.""",
)

sla_breached = _signals.signal(
    "sla-breached",
    """A ticket breached an SLA target; recorded once, inside the transaction that records
    it. Not sent for imported history. Sender: the Ticket. Kwargs: ``target``, ``due``,
    ``now``.""",
)

sla_escalation_needed = _signals.signal(
    "sla-escalation-needed",
    """A breached ticket's policy asks for escalation but no mentor fits its category,
    language and state: someone must escalate it by hand. Inside the transaction; not sent
    for imported history. Sender: the Ticket. Kwargs: ``now``.""",
)

# ---- the ticket page (sent by helpdesk.tickets.routes) ------------------------------------------

ticket_page = _signals.signal(
    "ticket-page",
    """The ticket page is being rendered. Each receiver returns a dict of extra template
    context (a panel's data, e.g. the knowledge panel's suggested articles). Sender: the
    Ticket. Kwargs: ``viewer`` (the signed-in User).""",
)

ticket_serialized = _signals.signal(
    "ticket-serialized",
    """Tickets are being turned into the contract's dicts (``tickets.serializers``). Each
    receiver returns ``{ticket_id: {key: value}}``: extra keys for those tickets (the
    attachments list), found for the whole batch at once so a page of tickets costs one
    query per feature, not one per ticket. Sender: None. Kwargs: ``tickets`` (a list of
    Ticket), ``viewer`` (the User the answer is for; None for the live console's broadcast,
    which must carry only what every viewer of the ticket may see).""",
)

reply_posted = _signals.signal(
    "reply-posted",
    """A reply or note was posted from the ticket page's form (``tickets.routes.reply``),
    inside its unit of work, right after its message was added. Receivers may write in the
    same transaction (the files sent with the reply); a DomainError they raise refuses the
    whole reply and its ``fields`` name the form's fields. Sender: the Ticket. Kwargs:
    ``message`` (the Message), ``viewer`` (the signed-in User), ``files`` (the form's
    uploaded files, a werkzeug MultiDict of FileStorage).""",
)
