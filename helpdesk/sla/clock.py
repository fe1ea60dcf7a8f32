"""``evaluate(ticket, now)``: a ticket's SLA due dates and breaches, from its history alone.

The services, the timers, the reconciler and (later) the reports all call this one pure
function, so they cannot disagree. It reads the ticket's creation time, its status changes
(``TicketEvent`` kind ``status``) and its messages; it writes nothing.

The rules:

- Clocks count business time of the ticket's policy calendar only.
- Every clock stops while the ticket is ``pending`` (waiting on the requester), ``resolved``
  or ``closed``, and runs again from the moment the ticket leaves that status; its due
  date moves later by the business time it was stopped. While a clock is stopped its due
  date is projected as if it restarted now.
- first_response: from creation to the first public reply by an agent or mentor (internal
  notes, automatic acknowledgements and the requester side's messages do not count).
- next_response: after the first response, from the requester side's oldest unanswered
  public message to the next public reply by an agent or mentor. Every such wait is
  measured; ``next_response_due`` is the one still open, if any.
- resolution: from creation to ``resolved`` (or ``closed``); a reopened ticket's clock
  resumes where it stopped.
- mentor_response: from the latest escalation to the mentor's first public reply after it.
- A target is breached when its due moment passed before it was met (met exactly at the
  due moment is in time); an unmet target is breached from its due moment on.
- The warning moment is when 80% of a target's business time has run.
- ``elapsed`` is the business time a clock has counted, pauses excluded: up to the moment
  it was met, or up to ``now`` while unmet. The reports aggregate it (stored on the ticket
  as ``first_response_minutes`` / ``resolution_minutes`` once met).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.tickets.models import Message, Ticket

TARGETS = ("first_response", "next_response", "resolution", "mentor_response")
STOPPED_STATUSES = frozenset({"pending", "resolved", "closed"})
SOLVED_STATUSES = frozenset({"resolved", "closed"})
WARNING_SHARE = 0.8


@dataclass(frozen=True)
class Clock:
    """One measured wait: when it started, when it was met (None while it runs), its due
    and warning moments, and whether it was breached as of ``now``."""

    target: str
    started_at: datetime
    met_at: datetime | None
    due: datetime
    warn_at: datetime
    breached: bool
    running: bool  # counting right now (unmet and the ticket not in a stopping status)
    elapsed: timedelta = timedelta(0)  # business time counted (pauses excluded) to met_at/now

    @property
    def elapsed_minutes(self) -> int:
        """Whole business minutes counted (rounded down)."""
        return int(self.elapsed // timedelta(minutes=1))


@dataclass
class Evaluation:
    now: datetime
    clocks: list[Clock] = field(default_factory=list)
    paused: bool = False

    def current(self, target: str) -> Clock | None:
        """The latest clock of ``target`` (the open one, for next_response)."""
        matching = [c for c in self.clocks if c.target == target]
        return matching[-1] if matching else None

    def due(self, target: str) -> datetime | None:
        clock = self.current(target)
        if clock is None or (target in ("next_response", "mentor_response") and clock.met_at):
            return None
        return clock.due

    @property
    def breached(self) -> list[str]:
        """Breached targets, each once, in TARGETS order."""
        hit = {c.target for c in self.clocks if c.breached}
        return [t for t in TARGETS if t in hit]

    def upcoming(self) -> list[tuple[datetime, str, str]]:
        """(moment, "sla_warning"|"sla_breach", target) still ahead for unmet clocks."""
        moments = []
        for clock in self.clocks:
            if clock.met_at is None and not clock.breached:
                if clock.warn_at > self.now:
                    moments.append((clock.warn_at, "sla_warning", clock.target))
                moments.append((clock.due, "sla_breach", clock.target))
        return sorted(moments)


def status_timeline(ticket: Ticket) -> list[tuple[datetime, str]]:
    """(since, status) pairs in time order, from creation on."""
    changes = sorted(
        ((e.at, e.id or 0, e.new_value) for e in ticket.events if e.kind == "status"),
        key=lambda item: (item[0], item[1]),
    )
    return [(ticket.created_at, "new")] + [(at, status) for at, _, status in changes]


def is_response(message: Message) -> bool:
    """A public reply by an agent or mentor (the side that answers)."""
    return not message.internal and not message.automatic and not message.from_requester_side


def is_requester_message(message: Message) -> bool:
    return not message.internal and not message.automatic and message.from_requester_side


def evaluate(
    ticket: Ticket,
    now: datetime,
    *,
    minutes: dict[str, int],
    calendar: BusinessCalendar,
) -> Evaluation:
    """Due dates and breaches of ``ticket`` as of ``now``; ``minutes`` maps each target
    to its business minutes (see ``policies.evaluate_ticket`` for the usual call)."""
    timeline = status_timeline(ticket)
    messages = sorted(ticket.messages, key=lambda m: (m.created_at, m.id or 0))
    result = Evaluation(now=now, paused=timeline[-1][1] == "pending")

    def measure(target: str, start: datetime, met_at: datetime | None) -> None:
        if minutes.get(target) is None:
            return
        result.clocks.append(
            _clock(target, start, met_at, minutes[target], timeline, now, calendar)
        )

    responses = [m for m in messages if is_response(m)]
    first = responses[0].created_at if responses else None
    measure("first_response", ticket.created_at, first)

    if first is not None:
        waiting_since = None
        for message in messages:
            if message.created_at < first:
                continue
            if is_requester_message(message) and waiting_since is None:
                waiting_since = message.created_at
            elif is_response(message) and waiting_since is not None:
                measure("next_response", waiting_since, message.created_at)
                waiting_since = None
        if waiting_since is not None:
            measure("next_response", waiting_since, None)

    solved_at = timeline[-1][0] if timeline[-1][1] in SOLVED_STATUSES else None
    measure("resolution", ticket.created_at, solved_at)

    escalations = [at for at, status in timeline if status == "escalated"]
    if escalations and ticket.mentor_id is not None:
        since = escalations[-1]
        replies = [
            m.created_at
            for m in responses
            if m.created_at >= since and m.author_id == ticket.mentor_id
        ]
        measure("mentor_response", since, replies[0] if replies else None)
    return result


def _clock(target, start, met_at, target_minutes, timeline, now, calendar) -> Clock:
    spans = _running_spans(start, met_at, timeline, now)
    due = _reach(spans, timedelta(minutes=target_minutes), calendar)
    warn_at = _reach(spans, timedelta(minutes=target_minutes * WARNING_SHARE), calendar)
    breached = met_at > due if met_at is not None else now >= due
    running = met_at is None and timeline[-1][1] not in STOPPED_STATUSES
    elapsed = _counted(spans, met_at if met_at is not None else now, calendar)
    return Clock(target, start, met_at, due, warn_at, breached, running, elapsed)


def _counted(spans, until: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time the running spans hold up to ``until``."""
    total = timedelta(0)
    for lo, hi in spans:
        end = until if hi is None else min(hi, until)
        total += calendar.business_time(lo, end)
    return total


def _running_spans(start, met_at, timeline, now) -> list[tuple[datetime, datetime | None]]:
    """Spans in which the clock counts, the last one open-ended. After ``met_at`` the
    history no longer matters (the clock counts on, so a met target keeps a stable due
    date); a stop still going on is taken to end now (or at ``met_at``)."""
    resume = met_at if met_at is not None else now
    bounds = [(at, status) for at, status in timeline if met_at is None or at < met_at]
    spans: list[tuple[datetime, datetime | None]] = []
    for index, (since, status) in enumerate(bounds):
        until = bounds[index + 1][0] if index + 1 < len(bounds) else None
        lo = max(since, start)
        if until is None:
            spans.append((max(lo, resume) if status in STOPPED_STATUSES else lo, None))
        elif status not in STOPPED_STATUSES and until > lo:
            spans.append((lo, until))
    return spans or [(start, None)]


def _reach(spans, amount: timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment the running spans have accumulated ``amount`` of business time."""
    remaining = amount
    for lo, hi in spans:
        if hi is None:
            return calendar.add_business_time(lo, remaining)
        available = calendar.business_time(lo, hi)
        if available >= remaining:
            return calendar.add_business_time(lo, remaining)
        remaining -= available
    raise AssertionError("the last running span is open-ended")
