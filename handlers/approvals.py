"""Approvals: a ticket waits for the right people to say yes, in order, before it is fulfilled.

Any kind of request can ask (`request_approval`, in handlers.approval_steps, which also says who
decides each step and checks separation of duties): access requests (ACC) and catalog service
requests (REQ). This module takes the decisions. A step's approvers press Approve / Deny in their
direct message (`apr:<step>:approve|deny`); the console and everyone else use
`/sd approve ID [note]` and `/sd deny ID REASON`. Refusals are answered and audited.

When the last step approves, the ticket's own process takes over (access: provisioning; service
requests: `handlers.request_fulfilment.approved`). A denial closes the ticket and tells the
requester why. The approval SLA clock runs per step; `sweep` reminds the approvers at the
warning point and times the request out at the deadline.

An approval lives only as long as its ticket is open (new, assigned, in progress, on hold):
- Closing the ticket (staff, the requester, a sweep; handlers.lifecycle calls `ticket_closed`)
  withdraws its open steps and tells their approvers it "no longer needs your decision".
- Resolving it does the same (`ticket_resolved`): resolved is not closed, but nothing is waiting
  for a decision any more (the work was done another way, or is not needed), so the steps are
  withdrawn, the approvers told, and a catalog request's form stops (handlers.request_fulfilment).
- A decision on a resolved or closed ticket is answered "it is resolved (...); nothing to
  approve" and changes nothing; the sweep neither reminds about nor times out its approval (if a
  step still waits, the sweep withdraws it).
- Reopening a resolved ticket (`ticket_reopened`) means it is not done after all: what the
  resolve withdrew is asked again where it stopped (approvals already given stand), the requester
  and the team are told, and the request goes on as before: approved, on to fulfilment; denied or
  timed out, closed. So a reopened request never waits on an approval nobody is asked for, and
  work needing approval never starts without it.
handlers.lifecycle tells the resolve and the reopen through `status_changed`.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import notify, request_fulfilment, sla_clock
from handlers.access_config import label_of, name_of
from handlers.approval_steps import (  # noqa: F401 (request_approval, approvers_of: callers use handlers.approvals)
    BUTTON_PREFIX, SWEEP_ACTOR, activate, approvers_of, ask_withdrawn_again, check_approver, choices, close_step,
    held_text, recheck, request_approval, subject, team, tell, who, withdraw_open,
)
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, Refused, _status, actor_for
from handlers.messages import Person, Reply
from handlers.sweeping import sweep_tickets
from storage import audit
from storage.access import (
    OPEN_STEP_STATES, ApprovalStep, active_step, due_step_ticket_ids, step_awaiting_reason, steps_of,
)
from storage.models import Ticket
from storage.tickets import get_ticket, parse_ref

REASON_OPEN_FOR = timedelta(hours=1)  # after pressing Deny, the approver's next message is the reason
ENDED = ("resolved", "closed")  # nothing waits for a decision on these


def decide(session: Session, desk: Desk, ticket: Ticket, person: Person, decision: str, note: str = "") -> str:
    """An approver approves or denies the ticket's current step (raises Refused / DeskError)."""
    if ticket.status in ENDED:  # whatever a step still says: a resolved or closed ticket is not decided
        raise DeskError(_ended_text(ticket, decision))
    step = active_step(session, ticket.id)
    if step is None:
        raise DeskError(f"{ticket.ref} is not waiting for an approval.")
    name = check_approver(session, desk, ticket, step, person)
    if decision == "approve" and ticket.kind == "access_request":
        from handlers.grants import approval_blocked  # an extension of access that is being removed

        blocked = approval_blocked(session, desk, ticket)
        if blocked:
            raise DeskError(blocked)
    note = note.strip()
    if decision == "deny" and not note:
        raise DeskError(f"Say why, so {ticket.requester_name} knows: /sd deny {ticket.ref} REASON")
    now = desk.clock.now()
    step.decided_by, step.decided_at, step.note = name, now, note or None
    step.deny_asked_by = step.deny_asked_at = None
    close_step(step, "approved" if decision == "approve" else "denied")
    sla_clock.finish_approval(desk.organisation, ticket, now=now)
    ticket.updated_at = now
    by = label_of(desk.organisation, name)
    if decision == "deny":
        audit.record(session, actor=name, action="denied", ticket=ticket, field="approval", after="denied",
                     reason=note, at=now)
        _end(session, desk, ticket, actor_for(desk, person), reason=f"Denied by {by}: {note}",
             told=f"{ticket.ref} was not approved: {by} said: {note}")
        return f"Denied {ticket.ref}; {ticket.requester_name} has been told why."
    audit.record(session, actor=name, action="approved", ticket=ticket, field="approval", after="approved",
                 reason=note or None, at=now)
    following = next((s for s in steps_of(session, ticket.id) if s.state == "waiting"), None)
    if following is not None and not activate(session, desk, ticket, following):
        notify.requester(session, desk, ticket, event="approval_held",
                         text=f"{by} approved {ticket.ref}. {held_text(session, desk, ticket, following)}")
        return (f"Approved {ticket.ref}. Nobody eligible is left for its next step, so it is on hold and "
                f"{team(desk, ticket)} has been asked to find an approver.")
    if following is not None:
        notify.requester(session, desk, ticket, event="approval_step",
                         text=f"{by} approved {ticket.ref}. Now waiting for approval from {who(desk, following)}.")
        return f"Approved {ticket.ref}; it now goes to {who(desk, following)}."
    notify.requester(session, desk, ticket, event="approved", text=f"{by} approved {ticket.ref}.")
    _after_approval(session, desk, ticket, name)
    return f"Approved {ticket.ref}."


def _ended_text(ticket: Ticket, decision: str) -> str:
    """"ACC-1 is not waiting for an approval: it is closed (Cancelled by ...); nothing to approve."
    (or "it is resolved (what the team did)")."""
    resolution = re.sub(r"^closed\b[^:]*:\s*", "", (ticket.resolution or "").strip(), flags=re.I).rstrip(".")
    why = f" ({resolution})" if resolution else ""
    return f"{ticket.ref} is not waiting for an approval: it is {ticket.status}{why}; nothing to {decision}."


# Commands and buttons.

def command(session: Session, desk: Desk, actor: Actor, rest: str, *, decision: str) -> str:
    """`/sd approve ID [note]` and `/sd deny ID REASON`, for approvers whether staff or not."""
    ref_text, _, note = rest.strip().partition(" ")
    usage = "/sd approve ID [note]" if decision == "approve" else "/sd deny ID REASON"
    if not ref_text:
        raise DeskError(f"Usage: {usage}")
    ref = parse_ref(ref_text)
    if ref is None:
        raise DeskError(f"'{ref_text}' is not a ticket id; ids look like ACC-7 or REQ-3.")
    ticket = get_ticket(session, ref=ref, for_update=True)
    if ticket is None:
        raise DeskError(f"I can't find a ticket {ref}.")
    return decide(session, desk, ticket, actor.person, decision, note)


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply | None:
    """Approve / Deny pressed in a direct message. Deny asks for the reason: the approver's next
    message (or `/sd deny ID REASON`)."""
    number, _, decision = value.removeprefix(BUTTON_PREFIX).partition(":")
    if not number.isdigit() or decision not in ("approve", "deny"):
        return Reply("That button is not one of mine.", ok=False)
    try:
        with desk.database.session() as session:
            step = session.get(ApprovalStep, int(number))
            ticket = session.get(Ticket, step.ticket_id, with_for_update=True) if step else None
            if step is None or ticket is None:
                return Reply("That approval no longer exists.", ok=False)
            if ticket.status in ENDED:
                return Reply(_ended_text(ticket, decision), ok=False)
            if step.state not in OPEN_STEP_STATES:
                return Reply(f"{ticket.ref}: that approval step is already {step.state.replace('_', ' ')}.", ok=False)
            if decision == "approve":
                return Reply(decide(session, desk, ticket, person, "approve"))
            step.deny_asked_by = check_approver(session, desk, ticket, step, person)
            step.deny_asked_at = desk.clock.now()
            return Reply(f"Why are you denying {ticket.ref}? Your next message is the reason "
                         f"{ticket.requester_name} will see (or use /sd deny {ticket.ref} REASON).")
    except Refused as refusal:
        audit_refusal(desk, person, "approve" if decision == "approve" else "deny", value, str(refusal))
        return Reply(str(refusal), ok=False)
    except DeskError as error:
        return Reply(str(error), ok=False)


def typed_answer(session: Session, desk: Desk, person: Person, text: str) -> Reply | None:
    """After pressing Deny, the approver's next message is the reason; None when no Deny waits."""
    name = name_of(desk.organisation, person.platform, person.user_id, person.groups)
    step = step_awaiting_reason(session, approver=name, since=desk.clock.now() - REASON_OPEN_FOR)
    if step is None:
        return None
    ticket = session.get(Ticket, step.ticket_id, with_for_update=True)
    try:
        return Reply(decide(session, desk, ticket, person, "deny", text))
    except (Refused, DeskError) as error:  # refused since the button was pressed (e.g. roles changed)
        step.deny_asked_by = step.deny_asked_at = None
        return Reply(str(error), ok=False)


def audit_refusal(desk: Desk, person: Person, what: str, about: str, reason: str) -> None:
    with desk.database.session() as session:
        ticket = None
        if about.startswith(BUTTON_PREFIX) and about.removeprefix(BUTTON_PREFIX).split(":")[0].isdigit():
            step = session.get(ApprovalStep, int(about.removeprefix(BUTTON_PREFIX).split(":")[0]))
            ticket = session.get(Ticket, step.ticket_id) if step else None
        audit.record(session, actor=f"{person.platform}:{person.user_id}", action="refused", ticket=ticket,
                     field=what, reason=reason, at=desk.clock.now())


# The ticket closes.

def ticket_closed(session: Session, desk: Desk, ticket: Ticket, *, by: str, reason: str | None) -> None:
    """The ticket was closed (handlers.lifecycle): its open approval steps are withdrawn, their
    approvers hear they needn't decide, and an access request stops asking. The approval's SLA
    clock stops with the ticket's other clocks."""
    why = f"It was closed: {reason.rstrip('.')}." if reason else "It was closed."
    withdrawn = withdraw_open(session, desk, ticket, why=why)
    if withdrawn:
        audit.record(session, actor=by, action="approval_withdrawn", ticket=ticket, field="approval",
                     before=",".join(s.state for s in withdrawn), after="cancelled",
                     reason=reason or "the ticket was closed", at=desk.clock.now())
    if ticket.kind == "access_request":
        from handlers.access_requests import closed

        closed(session, desk, ticket)
    else:
        request_fulfilment.ticket_closed(session, desk, ticket)


# The ticket is resolved, or reopened.

def status_changed(session: Session, desk: Desk, ticket: Ticket, before: str, after: str, *, by: str,
                   reason: str | None = None) -> None:
    """handlers.lifecycle, after any status change (the clocks moved already): resolving withdraws
    the approval, reopening asks it again (the module docstring). Closing has `ticket_closed`."""
    if after == "resolved":
        ticket_resolved(session, desk, ticket, by=by, reason=reason)
    elif before == "resolved" and after != "closed":
        ticket_reopened(session, desk, ticket, by=by)


def ticket_resolved(session: Session, desk: Desk, ticket: Ticket, *, by: str,
                    reason: str | None = None) -> list[ApprovalStep]:
    """Its open steps are withdrawn (kept as `withdrawn`, to ask again if it is reopened), their
    approvers hear they needn't decide, and a catalog request's form stops. An access request
    keeps its state: reopened, its approval goes on. Returns the open steps it withdrew."""
    resolution = (ticket.resolution or reason or "").strip().rstrip(".")
    why = f"It was resolved: {resolution}." if resolution else "It was resolved."
    withdrawn = withdraw_open(session, desk, ticket, why=why, state="withdrawn")
    if withdrawn:
        audit.record(session, actor=by, action="approval_withdrawn", ticket=ticket, field="approval",
                     before=",".join(s.state for s in withdrawn), after="withdrawn",
                     reason=resolution or "the ticket was resolved", at=desk.clock.now())
    if ticket.kind != "access_request":
        request_fulfilment.ticket_resolved(session, desk, ticket)
    return withdrawn


def ticket_reopened(session: Session, desk: Desk, ticket: Ticket, *, by: str) -> None:
    """What the resolve withdrew is asked again where it stopped; the requester and the team hear
    that the work waits for it."""
    step = ask_withdrawn_again(session, desk, ticket)
    if step is not None:
        asked = step.state == "pending"
        audit.record(session, actor=by, action="approval_requested", ticket=ticket, field="approval",
                     after=step.spec, reason="asked again: the ticket was reopened", at=desk.clock.now())
        waiting = f"Waiting for approval from {who(desk, step)}." if asked else held_text(session, desk, ticket, step)
        notify.requester(session, desk, ticket, event="approval_step",
                         text=f"{ticket.ref} is open again. Its approval was withdrawn when it was resolved, so it "
                              f"is asked again. {waiting}")
        if asked:
            notify.queue_channel(session, desk, ticket, event="approval_step",
                                 text=f"{ticket.ref} waits for approval from {who(desk, step)} again before work "
                                      f"starts (it was withdrawn when {ticket.ref} was resolved).")
    if ticket.kind != "access_request":
        request_fulfilment.ticket_reopened(session, desk, ticket)


# The sweep: reminders before the approval target runs out, the timeout at it.

def sweep(desk: Desk) -> list[str]:
    return sweep_tickets(desk, name="approvals", find=due_step_ticket_ids, act=_act)


def _act(session: Session, desk: Desk, ticket: Ticket, now) -> list[str]:
    done = []
    if ticket.status in ENDED:  # resolved or closed while it still waited (before that withdrew it)
        if ticket.status == "resolved":
            withdrawn = ticket_resolved(session, desk, ticket, by=SWEEP_ACTOR)
        else:
            withdrawn = withdraw_open(session, desk, ticket, why="It is closed.")
        return [f"{ticket.ref}: approval withdrawn, the ticket is {ticket.status}"] if withdrawn else []
    for step in steps_of(session, ticket.id):
        if step.state not in OPEN_STEP_STATES or step.next_check_at is None or step.next_check_at > now:
            continue
        if step.state == "held":
            done.extend(recheck(session, desk, ticket, step, now))
            continue
        if step.due_at is not None and now >= step.due_at:
            close_step(step, "timed_out")
            step.decided_at = now
            sla_clock.finish_approval(desk.organisation, ticket, now=now)
            audit.record(session, actor=SWEEP_ACTOR, action="approval_timed_out", ticket=ticket, field="approval",
                         after="timed_out", reason=f"no decision from {who(desk, step)}", at=now)
            _end(session, desk, ticket, None, reason="No approval decision in time",
                 told=f"{ticket.ref} timed out: {who(desk, step)} did not decide in time, so it is closed. "
                      f"Ask again if you still need it.")
            for name in step.approvers or []:
                tell(session, desk, ticket, name, event="approval_timed_out",
                     text=f"{ticket.ref} timed out waiting for your approval and is closed.")
            done.append(f"{ticket.ref}: approval timed out")
            continue
        step.reminded_at = now
        step.next_check_at = step.due_at
        for name in step.approvers or []:
            tell(session, desk, ticket, name, event="approval_reminder", choices=choices(step),
                 text=f"Reminder: {ticket.ref} is waiting for your approval; it times out at "
                      f"{step.due_at:%Y-%m-%d %H:%M} UTC. {subject(session, desk, ticket)}")
        audit.record(session, actor=SWEEP_ACTOR, action="approval_reminded", ticket=ticket, field="approval",
                     after=",".join(step.approvers or []), at=now)
        done.append(f"{ticket.ref}: reminded {who(desk, step)}")
    return done


# Inside.

def _after_approval(session: Session, desk: Desk, ticket: Ticket, approver: str) -> None:
    if ticket.kind == "access_request":
        from handlers.access_requests import approved

        approved(session, desk, ticket)
    elif ticket.kind == "service_request":
        request_fulfilment.approved(session, desk, ticket, approver)


def withdraw(session: Session, desk: Desk, ticket: Ticket, *, reason: str, told: str) -> None:
    """What the ticket asks can't happen any more: it closes like a denial, and whoever was
    deciding hears they needn't (`reason`)."""
    _end(session, desk, ticket, None, reason=reason, told=told, event="cancelled")


def _end(session: Session, desk: Desk, ticket: Ticket, actor: Actor | None, *, reason: str, told: str,
         event: str = "denied") -> None:
    """Denied, timed out or withdrawn: the requester is told, the ticket's own process hears about
    it (before the close, which would cancel what is still waiting), and the ticket closes with the
    reason as its resolution (nothing to confirm)."""
    if withdraw_open(session, desk, ticket, why=reason):  # withdrawn while it waited for someone's decision
        sla_clock.finish_approval(desk.organisation, ticket, now=desk.clock.now())
    now = desk.clock.now()
    ticket.resolution = reason
    ticket.resolved_at = now
    notify.requester(session, desk, ticket, event=event, text=told)
    if ticket.kind == "access_request":
        from handlers.access_requests import ended

        ended(session, desk, ticket, reason)
    elif ticket.kind == "service_request":
        request_fulfilment.denied(session, desk, ticket, reason)
    if ticket.status != "closed":
        sweeper = Actor(Person("desk", SWEEP_ACTOR, SWEEP_ACTOR), None)
        _status(session, desk, ticket, actor or sweeper, "closed", reason=reason)
