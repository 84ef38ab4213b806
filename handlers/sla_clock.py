"""A ticket's running SLA clocks: started when it opens, paused while it waits (on hold, resolved
awaiting confirmation, a request awaiting approval: first response and resolution both), resumed
with the deadline pushed back by the working time spent waiting, stopped when the target is met or
the ticket closes.

`reconcile` brings the clocks in line with the ticket after any change, so every path that
changes a ticket (commands, buttons, sweeps, other features) only has to call it. The ticket's
own `first_response_due` / `resolution_due` columns mirror the clocks' deadlines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.business_hours import Calendar, calendar_for
from handlers.organisation import Organisation
from handlers.sla import APPROVAL, FIRST_RESPONSE, RESOLUTION, TARGET_LABEL, Target, duration_text, targets_for
from storage.models import Ticket
from storage.sla import SlaClock

RUNNING_STATUSES = ("new", "assigned", "in_progress")
WAITING_STATUSES = ("on_hold", "resolved")  # the clock stops ticking, and starts again if reopened
STARTED_AT_OPEN = (FIRST_RESPONSE, RESOLUTION)  # approval starts when an approval is asked for
# While a request waits for its approver the team has nothing to answer or fulfil: the desk has told
# the requester who decides, so neither clock runs (nor escalates) until the decision.
WAIT_FOR_APPROVAL = (FIRST_RESPONSE, RESOLUTION)


def start(organisation: Organisation, ticket: Ticket, *, at: datetime) -> None:
    """Start the clocks of a new ticket (first response and resolution)."""
    targets = targets_for(organisation, kind=ticket.kind, priority=ticket.priority)
    for name in STARTED_AT_OPEN:
        if name in targets and _clock(ticket, name) is None:
            _new_clock(organisation, ticket, targets[name], at=at)
    reconcile(organisation, ticket, now=at)


def retarget(organisation: Organisation, ticket: Ticket, *, now: datetime) -> None:
    """The priority or kind changed: the clocks keep their start and pauses, with the new targets.
    A target that no longer exists stops; a new one starts from when the ticket opened. A target
    agreed for the ticket itself (a catalog item's, see `agree`) still stands."""
    targets = targets_for(organisation, kind=ticket.kind, priority=ticket.priority)
    targets.update(_agreed(organisation, ticket))
    for clock in list(ticket.sla_clocks):
        if clock.outcome == "cancelled":
            continue
        target = targets.get(clock.target)
        if target is None:
            if clock.stopped_at is None:
                _stop(clock, now, "cancelled")
            continue
        clock.business_hours = target.business_hours
        clock.target_seconds = int(target.seconds(organisation))
        _schedule(organisation, clock)  # a settled clock keeps its outcome; its deadline reads anew
    for name in STARTED_AT_OPEN:
        existing = _clock(ticket, name)
        if name not in targets or (existing is not None and existing.outcome != "cancelled"):
            continue
        if name == FIRST_RESPONSE and ticket.first_responded_at is not None:
            continue
        _new_clock(organisation, ticket, targets[name], at=ticket.created_at, reuse=existing)
    reconcile(organisation, ticket, now=now)


def agree(organisation: Organisation, ticket: Ticket, target: Target, *, now: datetime) -> SlaClock:
    """A target agreed for this ticket replaces the generic one of the same name, whether longer or
    shorter: a confirmed catalog item's target is the agreed service level of that offering, so it
    is the resolution target (handlers/fulfilment.py); first response stays as the kind or priority
    says. The clock keeps its start (the opening) and its pauses; its deadline reads anew."""
    clock = _clock(ticket, target.name)
    if clock is None or clock.outcome == "cancelled":
        clock = _new_clock(organisation, ticket, target, at=ticket.created_at, reuse=clock)
    else:
        clock.business_hours = target.business_hours
        clock.target_seconds = int(target.seconds(organisation))
        _schedule(organisation, clock)
    reconcile(organisation, ticket, now=now)
    return clock


def start_approval(organisation: Organisation, ticket: Ticket, *, now: datetime) -> SlaClock | None:
    """An approval was asked for: its clock starts (again), and fulfilment waits for it.
    For request fulfilment (issue #8); None when the ticket's kind has no approval target."""
    target = targets_for(organisation, kind=ticket.kind, priority=ticket.priority).get(APPROVAL)
    if target is None:
        return None
    clock = _new_clock(organisation, ticket, target, at=now, reuse=_clock(ticket, APPROVAL))
    reconcile(organisation, ticket, now=now)
    return clock


def finish_approval(organisation: Organisation, ticket: Ticket, *, now: datetime) -> None:
    """The approval was decided (either way): its clock stops and fulfilment runs again."""
    clock = _clock(ticket, APPROVAL)
    if clock is not None and clock.stopped_at is None:
        _stop(clock, now, "breached" if clock.breached_at or now > clock.due_at else "met")
    reconcile(organisation, ticket, now=now)


def responded(ticket: Ticket, *, at: datetime) -> None:
    """Staff answered for the first time: the first-response clock stops."""
    clock = _clock(ticket, FIRST_RESPONSE)
    if clock is not None and clock.stopped_at is None:
        _stop(clock, at, "breached" if clock.breached_at or at > clock.due_at else "met")


def reconcile(organisation: Organisation, ticket: Ticket, *, now: datetime) -> None:
    """Pause, resume or stop each clock as the ticket's state says, and mirror the deadlines."""
    approval = _clock(ticket, APPROVAL)
    awaiting_approval = approval is not None and approval.stopped_at is None
    for clock in ticket.sla_clocks:
        if clock.stopped_at is not None:
            continue
        if ticket.status == "closed":
            if clock.target == FIRST_RESPONSE and ticket.first_responded_at is not None:
                responded(ticket, at=ticket.first_responded_at)
            elif clock.breached_at is not None:
                _stop(clock, now, "breached")
            else:  # closed without being resolved (a duplicate, withdrawn): no target was met
                _stop(clock, now, "met" if ticket.resolved_at is not None else "cancelled")
            continue
        if clock.target == FIRST_RESPONSE and ticket.first_responded_at is not None:
            responded(ticket, at=ticket.first_responded_at)
            continue
        wait = ticket.status in WAITING_STATUSES or (clock.target in WAIT_FOR_APPROVAL and awaiting_approval)
        if wait and clock.paused_at is None:
            clock.paused_at = now
            clock.next_check_at = None
        elif not wait and clock.paused_at is not None:
            calendar = _calendar(organisation, clock)
            clock.paused_seconds += int(calendar.working_seconds(clock.paused_at, now))
            clock.paused_at = None
            _schedule(organisation, clock)
    _mirror(ticket)


def settle(clock: SlaClock) -> None:
    """After a sweep acted on a clock: point `next_check_at` at its next step, if any."""
    clock.next_check_at = _next_check(clock)


@dataclass(frozen=True)
class ClockState:
    """How one target stands, for people: `/sd show`, cards, summaries."""

    target: str
    state: str  # running | paused | breached (still open) | met | missed (settled) | cancelled
    due_at: datetime
    left_seconds: float  # working time left (negative: overdue); paused: left when it resumes; settled: the margin
    business_hours: bool
    day_seconds: float = 86400.0  # a working day on the clock's calendar

    @property
    def label(self) -> str:
        return TARGET_LABEL.get(self.target, self.target)

    @property
    def open(self) -> bool:
        return self.state in ("running", "paused", "breached")

    def describe(self) -> str:
        left = self._amount(self.left_seconds)
        if self.state == "paused":
            return f"paused ({left} left when it resumes)" if self.left_seconds >= 0 else f"paused (overdue by {left})"
        if self.state == "met":
            return "met"
        if self.state == "missed":
            return f"missed by {left}" if self.left_seconds < 0 else "missed"
        if self.state == "cancelled":
            return "no target any more"
        if self.left_seconds < 0:
            return f"overdue by {duration_text(self.left_seconds)}"
        return f"{left} left" + (" (business hours)" if self.business_hours and "business day" not in left else "")

    def _amount(self, seconds: float) -> str:
        """Working time in working days and hours on a business-hours clock ("2 working days 3h"),
        wall-clock time otherwise."""
        if not self.business_hours or abs(seconds) < self.day_seconds or seconds < 0:
            return duration_text(seconds)
        days, rest = divmod(int(seconds), int(self.day_seconds))
        words = f"{days} business day{'s' if days != 1 else ''}"
        return f"{words} {duration_text(rest)}" if rest >= 60 else words

    def as_dict(self) -> dict:
        return {"target": self.target, "state": self.state, "due": self.due_at.isoformat(),
                "left_seconds": int(self.left_seconds), "business_hours": self.business_hours,
                "text": self.describe()}


def states(organisation: Organisation, ticket: Ticket, *, now: datetime) -> list[ClockState]:
    """Each target's standing. A resolved ticket's resolution clock is settled (met or missed)
    unless the ticket is reopened."""
    order = list(TARGET_LABEL)
    found = []
    for clock in sorted(ticket.sla_clocks, key=lambda c: order.index(c.target) if c.target in order else 9):
        if clock.stopped_at is not None or (clock.paused_at is not None and ticket.status == "resolved"):
            ended = clock.stopped_at or clock.paused_at
            left = (clock.due_at - ended).total_seconds()
            if clock.outcome == "cancelled":
                state = "cancelled"
            else:
                state = "missed" if clock.breached_at is not None or left < 0 else "met"
        elif clock.paused_at is not None:
            state = "paused"
            left = _calendar(organisation, clock).working_seconds(clock.paused_at, clock.due_at) \
                if clock.due_at > clock.paused_at else (clock.due_at - clock.paused_at).total_seconds()
        else:
            left = (clock.due_at - now).total_seconds()
            if left > 0 and clock.business_hours:  # working time left, as the target counts it
                left = _calendar(organisation, clock).working_seconds(now, clock.due_at)
            state = "breached" if clock.due_at <= now else "running"
        found.append(ClockState(clock.target, state, clock.due_at, left, clock.business_hours,
                                _calendar(organisation, clock).day_seconds))
    return found


# Inside.

def _clock(ticket: Ticket, name: str) -> SlaClock | None:
    return next((c for c in ticket.sla_clocks if c.target == name), None)


def _agreed(organisation: Organisation, ticket: Ticket) -> dict[str, Target]:
    """Targets agreed for the ticket itself (`agree`): today a confirmed catalog item's."""
    from handlers.fulfilment import agreed_targets  # fulfilment builds on the clocks, not the other way

    return agreed_targets(organisation, ticket)


def _calendar(organisation: Organisation, clock: SlaClock) -> Calendar:
    return calendar_for(organisation.business_hours, business_hours=clock.business_hours)


def _new_clock(organisation: Organisation, ticket: Ticket, target: Target, *, at: datetime,
               reuse: SlaClock | None = None) -> SlaClock:
    """A fresh clock for a target; an old row of the same target starts over (one row per target)."""
    clock = reuse if reuse is not None else SlaClock(target=target.name)
    clock.business_hours = target.business_hours
    clock.target_seconds = int(target.seconds(organisation))
    clock.started_at = at
    clock.paused_seconds = 0
    clock.paused_at = clock.warned_at = clock.breached_at = clock.stopped_at = None
    clock.outcome = None
    if reuse is None:
        ticket.sla_clocks.append(clock)
    _schedule(organisation, clock)
    return clock


def _schedule(organisation: Organisation, clock: SlaClock) -> None:
    """Deadline and warning point from the start, the target and the pauses so far."""
    calendar = _calendar(organisation, clock)
    fraction = organisation.escalation.warn_at_percent / 100
    clock.due_at = calendar.add(clock.started_at, clock.target_seconds + clock.paused_seconds)
    clock.warn_at = calendar.add(clock.started_at, clock.target_seconds * fraction + clock.paused_seconds)
    clock.next_check_at = _next_check(clock)


def _next_check(clock: SlaClock) -> datetime | None:
    if clock.stopped_at is not None or clock.paused_at is not None:
        return None
    if clock.warned_at is None and clock.breached_at is None:
        return clock.warn_at
    if clock.breached_at is None:
        return clock.due_at
    return None


def _stop(clock: SlaClock, at: datetime, outcome: str) -> None:
    clock.stopped_at = at
    clock.outcome = outcome
    clock.next_check_at = None


def _mirror(ticket: Ticket) -> None:
    first, resolution = _clock(ticket, FIRST_RESPONSE), _clock(ticket, RESOLUTION)
    if first is not None:
        ticket.first_response_due = first.due_at
    if resolution is not None and resolution.outcome != "cancelled":
        ticket.resolution_due = resolution.due_at
    elif ticket.sla_clocks:
        ticket.resolution_due = None  # planned: no fixed target
