"""The ticket life cycle: new → assigned → in_progress → (on_hold) → resolved → closed.

Every change checks who may make it, records an audit row and tells the people it matters to.
Commands (typed) and buttons (clicked) both end up here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers import escalation, follow_up, notify, timekeeping
from handlers import log_context
from handlers.access_config import label_of
from handlers.desk import Desk
from handlers.messages import Person
from handlers.organisation import StaffMember
from handlers.views import KIND_LABEL, STATUS_LABEL
from storage import audit
from storage.access import active_step
from storage.models import Ticket
from storage.tickets import add_comment, get_ticket, parse_ref

TRANSITIONS: dict[str, set[str]] = {
    "new": {"assigned", "in_progress", "on_hold", "resolved", "closed"},
    "assigned": {"new", "in_progress", "on_hold", "resolved", "closed"},
    "in_progress": {"assigned", "on_hold", "resolved", "closed"},
    "on_hold": {"assigned", "in_progress", "resolved", "closed"},
    "resolved": {"in_progress", "closed"},
    "closed": set(),
}


KIND_ARTICLE = {"incident": "an", "service_request": "a", "access_request": "an"}  # "INC-1 is now an incident"


class DeskError(Exception):
    """Something the caller can fix; the message is shown to them as it is."""


class Refused(DeskError):
    """The caller may not do this; shown politely and audited."""


@dataclass(frozen=True)
class Actor:
    person: Person
    staff: StaffMember | None

    @property
    def name(self) -> str:
        return self.staff.name if self.staff else self.person.display_name

    @property
    def label(self) -> str:
        return self.staff.label if self.staff else self.person.display_name

    def is_requester(self, ticket: Ticket) -> bool:
        return (ticket.requester_platform, ticket.requester_id) == (self.person.platform, self.person.user_id)


def actor_for(desk: Desk, person: Person) -> Actor:
    staff = desk.organisation.staff_for(person.platform, person.user_id, person.groups, person.display_name)
    return Actor(person=person, staff=staff)


def load(session: Session, text: str, *, actor: Actor) -> Ticket:
    """The ticket a typed id names, or a clear error. End users only ever see their own."""
    ref = parse_ref(text)
    if ref is None:
        raise DeskError(f"'{text}' is not a ticket id; ids look like INC-12, REQ-3 or ACC-7.")
    ticket = get_ticket(session, ref=ref, for_update=True)
    if ticket is None or (actor.staff is None and not actor.is_requester(ticket)):
        raise DeskError(f"I can't find a ticket {ref}.")
    log_context.note(ticket=ticket.ref)
    return ticket


def require_staff(actor: Actor, ticket: Ticket | None, doing: str) -> StaffMember:
    if actor.staff is None:
        raise Refused(f"Sorry, only support staff can {doing}. If something is wrong, just tell me and I'll log it.")
    if ticket is not None and not actor.staff.may_work(ticket.queue):
        raise Refused(
            f"Sorry, {ticket.ref} is in the {ticket.queue} queue, and you work "
            f"{', '.join(actor.staff.queues) or 'no queue'}; ask the service desk to reassign it."
        )
    return actor.staff


def _touch(desk: Desk, ticket: Ticket, actor: Actor) -> datetime:
    now = desk.clock.now()
    ticket.updated_at = now
    if actor.staff is not None and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        timekeeping.responded(ticket, at=now)
    return now


def _change(session: Session, desk: Desk, ticket: Ticket, actor: Actor, field: str, value, *, reason: str | None = None) -> None:
    before = getattr(ticket, field)
    if before == value:
        return
    setattr(ticket, field, value)
    now = _touch(desk, ticket, actor)
    audit.record(session, actor=actor.name, action=f"set_{field}", ticket=ticket, field=field,
                 before=before, after=value, reason=reason, at=now)


def _status(session: Session, desk: Desk, ticket: Ticket, actor: Actor, new: str, *, reason: str | None = None) -> None:
    if new == ticket.status:
        raise DeskError(f"{ticket.ref} is already {STATUS_LABEL[new]}.")
    if ticket.status == "closed":
        raise DeskError(closed_stays_closed(ticket))
    if new not in TRANSITIONS[ticket.status]:
        allowed = ", ".join(sorted(TRANSITIONS[ticket.status]))
        raise DeskError(f"{ticket.ref} is {STATUS_LABEL[ticket.status]}; from there it can go to {allowed}.")
    before = ticket.status
    _change(session, desk, ticket, actor, "status", new, reason=reason)
    now = desk.clock.now()
    if new == "resolved":
        ticket.resolved_at = now
    elif new == "closed":
        ticket.closed_at = now
        _closing(session, desk, ticket, actor, reason)
    elif ticket.resolved_at is not None:
        ticket.resolved_at = None  # reopened
    timekeeping.status_changed(session, desk, ticket, before, new, reason=reason)
    from handlers import approvals  # approvals builds on this module

    approvals.status_changed(session, desk, ticket, before, new, by=actor.name, reason=reason)


def _closing(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str | None) -> None:
    """Nothing waits on a closed ticket: an approval still open is withdrawn (its approvers are
    told), before the clocks stop. However it closes: staff, the requester, a denial, a sweep."""
    from handlers import approvals  # approvals builds on this module

    approvals.ticket_closed(session, desk, ticket, by=actor.name, reason=reason)


def _refuse_when_done(ticket: Ticket, doing: str) -> None:
    """Work needs an open ticket: a resolved one is reopened first; a closed one stays closed
    (SERVICE-OPERATION.md), so whatever is still wrong goes on a new ticket."""
    if ticket.status == "resolved":
        raise DeskError(f"{ticket.ref} is resolved; reopen it before {doing} (/sd reopen {ticket.ref}).")
    if ticket.status == "closed":
        raise DeskError(closed_stays_closed(ticket))


def closed_stays_closed(ticket: Ticket) -> str:
    return (f"{ticket.ref} is closed, and a closed ticket stays closed; if the problem is still there, it needs a "
            f"new ticket (the requester can just tell me, naming {ticket.ref}).")


def take(session: Session, desk: Desk, ticket: Ticket, actor: Actor) -> str:
    member = require_staff(actor, ticket, "take tickets")
    return _assign(session, desk, ticket, actor, member)


def assign(session: Session, desk: Desk, ticket: Ticket, actor: Actor, target_name: str) -> str:
    require_staff(actor, ticket, "assign tickets")
    target = desk.organisation.staff_named(target_name)
    if target is None:
        raise DeskError(f"'{target_name}' is not a member of staff here.")
    if not target.may_work(ticket.queue):
        raise DeskError(f"{target.label} does not work the {ticket.queue} queue.")
    return _assign(session, desk, ticket, actor, target)


def _assign(session: Session, desk: Desk, ticket: Ticket, actor: Actor, target: StaffMember) -> str:
    _refuse_when_done(ticket, "assigning it")
    if ticket.assignee == target.name:
        raise DeskError(f"{ticket.ref} is already with {target.label}.")
    _change(session, desk, ticket, actor, "assignee", target.name)
    if ticket.status == "new":
        _status(session, desk, ticket, actor, "assigned")
    notify.requester(session, desk, ticket, event="assigned",
                     text=f"{target.label} is now looking after your {KIND_LABEL[ticket.kind]} {ticket.ref}.")
    taken = target.name == actor.name
    notify.queue_channel(session, desk, ticket, event="assigned",
                         text=f"{ticket.ref} taken by {target.label}." if taken
                         else f"{ticket.ref} assigned to {target.label} by {actor.label}.")
    if not taken:
        notify.staff_member(session, desk, ticket, target, event="assigned_to_you",
                            text=f"{actor.label} assigned {ticket.ref} to you: {ticket.title}")
    return f"{ticket.ref} is now assigned to {target.label}."


def state_and_reason(text: str) -> tuple[str, str]:
    """`closed duplicate of INC-1` -> ("closed", "duplicate of INC-1"); `on hold` reads as on_hold."""
    words = text.strip().split()
    for size in (2, 1):
        state = "_".join(words[:size]).lower().replace("-", "_")
        if len(words) >= size and state in TRANSITIONS:
            return state, " ".join(words[size:])
    return (words[0].lower() if words else ""), " ".join(words[1:])


def set_status(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str) -> str:
    """`/sd status ID STATE [REASON]`; closing goes the way of `/sd close` (a reason unless resolved)."""
    require_staff(actor, ticket, "change a ticket's status")
    state, reason = state_and_reason(text)
    if state not in TRANSITIONS:
        raise DeskError(f"'{state}' is not a status; use one of: {', '.join(TRANSITIONS)}.")
    if state == "resolved":
        raise DeskError(f"Resolving needs a resolution: /sd resolve {ticket.ref} what fixed it")
    if state == "closed":
        return close(session, desk, ticket, actor, reason)
    if state == "in_progress":
        _refuse_while_awaiting_approval(session, desk, ticket)
    before = ticket.status
    _status(session, desk, ticket, actor, state, reason=reason or None)
    why = f": {reason}" if reason else "."
    notify.requester(session, desk, ticket, event="status",
                     text=f"{ticket.ref} is now {STATUS_LABEL[state]} (was {STATUS_LABEL[before]}){why}")
    notify.queue_channel(session, desk, ticket, event="status",
                         text=f"{ticket.ref}: {STATUS_LABEL[before]} → {STATUS_LABEL[state]} by {actor.label}{why}")
    return f"{ticket.ref}: {STATUS_LABEL[before]} → {STATUS_LABEL[state]}."


def _refuse_while_awaiting_approval(session: Session, desk: Desk, ticket: Ticket) -> None:
    """Work on a request starts once it is approved (approvals move it on by themselves)."""
    step = active_step(session, ticket.id)
    if step is None:
        return
    if step.state == "held" or not step.approvers:
        waiting = "an approval that is on hold (nobody eligible is left to decide it)"
    else:
        waiting = "approval from " + " or ".join(label_of(desk.organisation, name) for name in step.approvers)
    raise DeskError(f"{ticket.ref} is still waiting for {waiting}; work starts once it is approved, and the "
                    f"team is told then. Until then you can take it, add notes, or close it with a reason.")


def comment(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str, *, public: bool) -> str:
    require_staff(actor, ticket, "reply on tickets" if public else "add internal notes")
    text = text.strip()
    if not text:
        raise DeskError("There is nothing to add: write the text after the ticket id.")
    now = _touch(desk, ticket, actor)
    add_comment(session, ticket=ticket, author=actor.name, visibility="public" if public else "internal",
                body=text, at=now)
    audit.record(session, actor=actor.name, action="reply" if public else "note", ticket=ticket, at=now)
    if public:
        notify.requester(session, desk, ticket, event="reply", text=f"{actor.label} on {ticket.ref}: {text}")
        return f"Sent to {ticket.requester_name} on {ticket.ref}."
    return f"Internal note added to {ticket.ref}."


def requester_comment(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str) -> None:
    """The requester adds to their own ticket (a reply in its thread)."""
    now = desk.clock.now()
    ticket.updated_at = now
    add_comment(session, ticket=ticket, author=actor.name, visibility="public", body=text, at=now)
    audit.record(session, actor=actor.name, action="requester_reply", ticket=ticket, at=now)
    notify.queue_channel(session, desk, ticket, event="requester_reply",
                         text=f"{ticket.requester_name} added to {ticket.ref}: {text}")


def escalate(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str = "") -> str:
    """Functional escalation by hand: the ticket moves to the next tier of its queue (app.yaml
    `escalation.tiers`); management and the requester are told."""
    require_staff(actor, ticket, "escalate tickets")
    _refuse_when_done(ticket, "escalating it")
    _touch(desk, ticket, actor)
    return escalation.escalate(session, desk, ticket, actor_name=actor.name, actor_label=actor.label,
                               reason=reason.strip())


def resolve(session: Session, desk: Desk, ticket: Ticket, actor: Actor, resolution: str) -> str:
    require_staff(actor, ticket, "resolve tickets")
    resolution = resolution.strip()
    if not resolution:
        raise DeskError(f"Say what fixed it: /sd resolve {ticket.ref} replaced the power supply")
    ticket.resolution = resolution
    _status(session, desk, ticket, actor, "resolved", reason=resolution)
    question, choices = follow_up.fixed_question(session, desk, ticket)
    notify.requester(session, desk, ticket, event="resolved",
                     text=f"{ticket.ref} is resolved: {resolution}. {question}", choices=choices)
    notify.queue_channel(session, desk, ticket, event="resolved",
                         text=f"{ticket.ref} resolved by {actor.label}: {resolution}")
    return f"{ticket.ref} resolved."


def reopen(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str = "") -> str:
    if actor.staff is None and not actor.is_requester(ticket):
        raise Refused("Sorry, only the requester or support staff can reopen a ticket.")
    if actor.staff is not None:
        require_staff(actor, ticket, "reopen tickets")
    if ticket.status != "resolved":
        raise DeskError(f"{ticket.ref} is {STATUS_LABEL[ticket.status]}; only a resolved ticket can be reopened.")
    _status(session, desk, ticket, actor, "in_progress", reason=reason or "reopened")
    ticket.resolution = None
    if actor.is_requester(ticket):
        notify.queue_channel(session, desk, ticket, event="reopened",
                             text=f"{ticket.ref} reopened by {ticket.requester_name}.")
        return f"{ticket.ref} is open again; the team has been told."
    notify.requester(session, desk, ticket, event="reopened", text=f"{ticket.ref} has been reopened.")
    notify.queue_channel(session, desk, ticket, event="reopened", text=f"{ticket.ref} reopened by {actor.label}.")
    return f"{ticket.ref} reopened."


def close(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str = "") -> str:
    """Close a ticket: the requester confirms a resolved one or withdraws an unresolved one
    (handlers/withdrawal.py); staff close a resolved one, or an unresolved one with a reason
    (duplicate, ...), which the requester is told. Only a resolved ticket asks for a rating."""
    reason = " ".join(reason.split()).rstrip(" .")
    if actor.staff is None and not actor.is_requester(ticket):
        raise Refused("Sorry, only the requester or support staff can close a ticket.")
    before = ticket.status
    if before == "closed":
        raise DeskError(f"{ticket.ref} is already closed.")
    if actor.staff is None or (actor.is_requester(ticket) and not actor.staff.may_work(ticket.queue)):
        if before != "resolved":  # the requester: confirms a resolved ticket, withdraws an unresolved one
            from handlers.withdrawal import withdraw  # builds on this module

            return withdraw(session, desk, ticket, actor, reason)
    else:
        require_staff(actor, ticket, "close tickets")
    if before != "resolved" and not reason:
        raise DeskError(f"{ticket.ref} is {STATUS_LABEL[before]}, not resolved: closing it without a fix needs a "
                        f"reason the requester will read, e.g. /sd close {ticket.ref} withdrawn by the requester "
                        f"(if it was fixed: /sd resolve {ticket.ref} what fixed it).")
    if before != "resolved":
        ticket.resolution = f"Closed without being resolved: {reason}"
        _status(session, desk, ticket, actor, "closed", reason=reason)
        notify.queue_channel(session, desk, ticket, event="closed",
                             text=f"{ticket.ref} closed without being resolved by {actor.label}: {reason}")
        notify.requester(session, desk, ticket, event="closed",
                         text=f"{ticket.ref} has been closed without being resolved: {reason}. If you still need "
                              f"help with it, just tell me and I'll log it again.")
        return f"{ticket.ref} closed without being resolved; {ticket.requester_name} has been told why."
    _status(session, desk, ticket, actor, "closed", reason=reason or None)
    notify.queue_channel(session, desk, ticket, event="closed", text=f"{ticket.ref} closed by {actor.label}.")
    if actor.is_requester(ticket):
        follow_up.close_after(session, desk, ticket)
        return f"{ticket.ref} is closed. Thanks for confirming!"
    notify.requester(session, desk, ticket, event="closed", text=f"{ticket.ref} is closed.")
    follow_up.close_after(session, desk, ticket)
    return f"{ticket.ref} closed."

