"""Approvals: a ticket waits for the right people to say yes, in order, before it is fulfilled.

Any kind of request can ask (`request_approval`): access requests (ACC) and catalog service
requests (REQ). Each step names its approvers as in app.yaml: a staff or people name, `manager`
(the beneficiary's manager, else the requester's), or `group:NAME` (access.groups). A step's
approvers get a direct message with Approve / Deny buttons (`apr:<step>:approve|deny`); the
console and everyone else use `/sd approve ID [note]` and `/sd deny ID REASON`.

Separation of duties: neither the requester nor the beneficiary may decide, and one person
decides at most one step of a request (two steps mean two people). A step's approvers are
resolved without them; a stand-in comes from further up the management chain (`people:`), then
the IT managers. When nobody eligible is left the step is held: the requester is told, the
queue's channel is asked to act, and the sweep looks again every hour (app.yaml may have gained
an approver). All of it is checked again when the decision is made. Refusals are answered and audited.
When the last step approves, the ticket's own process takes over (access: provisioning; service
requests: `handlers.request_fulfilment.approved`). A denial closes the ticket and tells the
requester why. The approval SLA clock runs per step; `sweep` reminds the approvers at the
warning point and times the request out at the deadline.
"""
from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from sqlalchemy.orm import Session

from handlers import notify, sla_clock
from handlers.access_config import GROUP, MANAGER, identity_of, label_of, management_chain, manager_of, name_of
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, Refused, _status, actor_for
from handlers.messages import Person, Reply
from handlers.sweeping import sweep_tickets
from storage import audit
from storage.access import (
    OPEN_STEP_STATES, ApprovalStep, active_step, approved_before, due_step_ticket_ids, step_awaiting_reason, steps_of,
)
from storage.models import Ticket
from storage.tickets import get_ticket, parse_ref

BUTTON_PREFIX = "apr:"
REASON_OPEN_FOR = timedelta(hours=1)  # after pressing Deny, the approver's next message is the reason
SWEEP_ACTOR = "approvals"
HOLD_RECHECK = timedelta(hours=1)  # a held step is resolved again this often


def request_approval(session: Session, desk: Desk, ticket: Ticket, steps: list[str], *,
                     beneficiary_id: str | None = None) -> str:
    """Ask for approval in order (`steps` as in app.yaml); the first step's approvers are told
    now. Returns a sentence for the requester, e.g. "Waiting for approval from Carol (Application)."."""
    if not steps:
        raise DeskError(f"{ticket.ref} has no approvers configured.")
    for old in steps_of(session, ticket.id):  # asking again (after a change) starts over
        if old.state in ("waiting", *OPEN_STEP_STATES):
            _close_step(old, "cancelled")
    start = max((s.position for s in steps_of(session, ticket.id)), default=-1) + 1
    rows = [ApprovalStep(ticket_id=ticket.id, position=start + i, spec=spec.strip(), approvers=[],
                         beneficiary=beneficiary_id, state="waiting") for i, spec in enumerate(steps)]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor=ticket.requester_name, action="approval_requested", ticket=ticket,
                 field="approval", after=" → ".join(steps), at=desk.clock.now())
    if not _activate(session, desk, ticket, rows[0]):
        return _held_text(session, desk, ticket, rows[0])
    return f"Waiting for approval from {_who(desk, rows[0])}."


def approvers_of(session: Session, ticket: Ticket) -> list[dict]:
    """Every step's decision for views: [{approver, decision, at, note, step}]."""
    return [{"step": s.spec, "approver": s.decided_by, "approvers": list(s.approvers or []), "decision": s.state,
             "at": s.decided_at.isoformat() if s.decided_at else None, "note": s.note}
            for s in steps_of(session, ticket.id)]


def decide(session: Session, desk: Desk, ticket: Ticket, person: Person, decision: str, note: str = "") -> str:
    """An approver approves or denies the ticket's current step (raises Refused / DeskError)."""
    step = active_step(session, ticket.id)
    if step is None:
        closed = ticket.status == "closed" and ticket.resolution
        raise DeskError(f"{ticket.ref} is not waiting for an approval"
                        + (f": it is closed ({ticket.resolution.rstrip('.')})." if closed else "."))
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
    _close_step(step, "approved" if decision == "approve" else "denied")
    sla_clock.finish_approval(desk.organisation, ticket, now=now)
    ticket.updated_at = now
    who = label_of(desk.organisation, name)
    if decision == "deny":
        audit.record(session, actor=name, action="denied", ticket=ticket, field="approval", after="denied",
                     reason=note, at=now)
        _end(session, desk, ticket, actor_for(desk, person), reason=f"Denied by {who}: {note}",
             told=f"{ticket.ref} was not approved: {who} said: {note}")
        return f"Denied {ticket.ref}; {ticket.requester_name} has been told why."
    audit.record(session, actor=name, action="approved", ticket=ticket, field="approval", after="approved",
                 reason=note or None, at=now)
    following = next((s for s in steps_of(session, ticket.id) if s.state == "waiting"), None)
    if following is not None and not _activate(session, desk, ticket, following):
        notify.requester(session, desk, ticket, event="approval_held",
                         text=f"{who} approved {ticket.ref}. {_held_text(session, desk, ticket, following)}")
        return (f"Approved {ticket.ref}. Nobody eligible is left for its next step, so it is on hold and "
                f"{_team(desk, ticket)} has been asked to find an approver.")
    if following is not None:
        notify.requester(session, desk, ticket, event="approval_step",
                         text=f"{who} approved {ticket.ref}. Now waiting for approval from {_who(desk, following)}.")
        return f"Approved {ticket.ref}; it now goes to {_who(desk, following)}."
    notify.requester(session, desk, ticket, event="approved", text=f"{who} approved {ticket.ref}.")
    _after_approval(session, desk, ticket, name)
    return f"Approved {ticket.ref}."


def check_approver(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep, person: Person) -> str:
    """The approver's name, or Refused: the requester and the beneficiary never decide, nobody
    decides two steps, and only the step's approvers do (checked at the moment of the decision)."""
    organisation = desk.organisation
    name = name_of(organisation, person.platform, person.user_id, person.groups)
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    others = _who(desk, step) if step.approvers else "an approver the team finds"
    if (person.platform, person.user_id) == (ticket.requester_platform, ticket.requester_id) or name == requester:
        raise Refused(f"You asked for {ticket.ref}, so you can't approve or deny it (separation of duties); "
                      f"{others} will decide.")
    if step.beneficiary and name in (step.beneficiary.lower(), step.beneficiary):
        raise Refused(f"{ticket.ref} is for you, so you can't approve or deny it (separation of duties); "
                      f"{others} will decide.")
    earlier = approved_before(session, step)
    mine = next((number for number, s in enumerate(earlier, 1) if s.decided_by == name), None)
    if mine is not None:
        raise Refused(f"You approved step {mine} of {ticket.ref} already, and one person approves at most one "
                      f"step of a request (separation of duties); {others} will decide step {len(earlier) + 1}.")
    if not step.approvers:
        raise Refused(f"{ticket.ref} is on hold: nobody eligible is left to approve step {len(earlier) + 1} "
                      f"({_spec_text(desk, step)}); {_team(desk, ticket)} has been asked to find an approver.")
    if name not in step.approvers:
        raise Refused(f"Sorry, only {others} can approve or deny {ticket.ref} at this step.")
    return name


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


# The sweep: reminders before the approval target runs out, the timeout at it.

def sweep(desk: Desk) -> list[str]:
    return sweep_tickets(desk, name="approvals", find=due_step_ticket_ids, act=_act)


def _act(session: Session, desk: Desk, ticket: Ticket, now) -> list[str]:
    done = []
    for step in steps_of(session, ticket.id):
        if step.state not in OPEN_STEP_STATES or step.next_check_at is None or step.next_check_at > now:
            continue
        if step.state == "held":
            done.extend(_recheck(session, desk, ticket, step, now))
            continue
        if step.due_at is not None and now >= step.due_at:
            _close_step(step, "timed_out")
            step.decided_at = now
            sla_clock.finish_approval(desk.organisation, ticket, now=now)
            audit.record(session, actor=SWEEP_ACTOR, action="approval_timed_out", ticket=ticket, field="approval",
                         after="timed_out", reason=f"no decision from {_who(desk, step)}", at=now)
            _end(session, desk, ticket, None, reason="No approval decision in time",
                 told=f"{ticket.ref} timed out: {_who(desk, step)} did not decide in time, so it is closed. "
                      f"Ask again if you still need it.")
            for name in step.approvers or []:
                _tell(session, desk, ticket, name, event="approval_timed_out",
                      text=f"{ticket.ref} timed out waiting for your approval and is closed.")
            done.append(f"{ticket.ref}: approval timed out")
            continue
        step.reminded_at = now
        step.next_check_at = step.due_at
        for name in step.approvers or []:
            _tell(session, desk, ticket, name, event="approval_reminder", choices=_choices(step),
                  text=f"Reminder: {ticket.ref} is waiting for your approval; it times out at "
                       f"{step.due_at:%Y-%m-%d %H:%M} UTC. {_subject(session, desk, ticket)}")
        audit.record(session, actor=SWEEP_ACTOR, action="approval_reminded", ticket=ticket, field="approval",
                     after=",".join(step.approvers or []), at=now)
        done.append(f"{ticket.ref}: reminded {_who(desk, step)}")
    return done


# Inside.

def _activate(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> bool:
    """The step's approvers are asked; False when nobody eligible is left (the step is held)."""
    now = desk.clock.now()
    step.approvers = _resolve(session, desk, ticket, step)
    step.state, step.activated_at = "pending", now
    clock = sla_clock.start_approval(desk.organisation, ticket, now=now)
    if not step.approvers:
        _hold(session, desk, ticket, step)
        return False
    if clock is not None:
        step.remind_at, step.due_at = clock.warn_at, clock.due_at
        step.next_check_at = clock.warn_at
    subject = _subject(session, desk, ticket)
    for name in step.approvers:
        _tell(session, desk, ticket, name, event="approval_requested", choices=_choices(step),
              text=f"{ticket.requester_name} asks for your approval on {ticket.ref}: {subject} "
                   f"Approve or deny (with a reason): /sd approve {ticket.ref} [note] · /sd deny {ticket.ref} REASON")
    return True


def _resolve(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> list[str]:
    """The names who may decide a step: not the requester, the beneficiary or anyone who approved
    an earlier step. A stand-in comes from up the management chain (the beneficiary's, then the
    requester's), then the IT managers; [] when nobody eligible is left."""
    organisation = desk.organisation
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    beneficiary = step.beneficiary or requester
    excluded = {requester, requester.lower(), beneficiary, beneficiary.lower(),
                *(s.decided_by for s in approved_before(session, step))}
    spec = step.spec
    if spec == MANAGER:
        names = [manager_of(organisation, beneficiary.lower()) or manager_of(organisation, requester)]
    elif spec.startswith(GROUP):
        group = spec[len(GROUP):]
        if group not in organisation.access.groups:
            raise DeskError(f"The approver group '{group}' is not set up (access.groups in app.yaml).")
        names = list(organisation.access.groups[group])
    else:
        names = [spec.lower()]
    names = [n for n in dict.fromkeys(names) if n and n not in excluded]
    if names:
        return names
    for start in (beneficiary.lower(), requester):
        above = [n for n in management_chain(organisation, start) if n not in excluded]
        if above:
            return above[:1]
    return [m.name for m in organisation.managers_list() if m.name not in excluded]


def _hold(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> None:
    """Nobody eligible is left for the step: it waits, the queue's channel is asked to act."""
    now = desk.clock.now()
    number, spec = len(approved_before(session, step)) + 1, _spec_text(desk, step)
    step.state, step.next_check_at = "held", now + HOLD_RECHECK
    audit.record(session, actor="desk", action="approval_held", ticket=ticket, field="approval", after="held",
                 reason=f"step {number} ({step.spec}): no eligible approver", at=now)
    notify.queue_channel(
        session, desk, ticket, event="approval_held",
        text=f"{ticket.ref} is on hold: step {number} of its approval ({spec}) has no eligible approver. The "
             f"requester, the beneficiary and whoever approved an earlier step may not approve it, and nobody else "
             f"is on record. Add an approver in app.yaml (access.groups, a manager under people:) and I'll ask them "
             f"within the hour after the restart, or close it: /sd close {ticket.ref} REASON")


def _recheck(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep, now) -> list[str]:
    """A held step, looked at again: cancelled with its ticket, or asked of someone now eligible."""
    if ticket.status in ("resolved", "closed"):
        _close_step(step, "cancelled")
        sla_clock.finish_approval(desk.organisation, ticket, now=now)
        return [f"{ticket.ref}: held approval cancelled, the ticket is {ticket.status}"]
    if not _resolve(session, desk, ticket, step):
        step.next_check_at = now + HOLD_RECHECK
        return []
    _activate(session, desk, ticket, step)
    audit.record(session, actor=SWEEP_ACTOR, action="approval_resumed", ticket=ticket, field="approval",
                 after=",".join(step.approvers), at=now)
    notify.requester(session, desk, ticket, event="approval_step",
                     text=f"{ticket.ref} is no longer on hold: waiting for approval from {_who(desk, step)}.")
    return [f"{ticket.ref}: held approval now goes to {_who(desk, step)}"]


def _held_text(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> str:
    number = len(approved_before(session, step)) + 1
    return (f"No eligible approver exists for step {number} of {ticket.ref} ({_spec_text(desk, step)}): the person "
            f"asking, the person it is for and whoever approved an earlier step can't approve it, and nobody "
            f"else is on record. {ticket.ref} is on hold and I've asked {_team(desk, ticket)} to find an approver.")


def _spec_text(desk: Desk, step: ApprovalStep) -> str:
    if step.spec == MANAGER:
        return "manager approval"
    if step.spec.startswith(GROUP):
        return f"the {step.spec[len(GROUP):]} group"
    return label_of(desk.organisation, step.spec.lower())


def _team(desk: Desk, ticket: Ticket) -> str:
    return desk.organisation.queues[ticket.queue].title


def _who(desk: Desk, step: ApprovalStep) -> str:
    names = [label_of(desk.organisation, n) for n in step.approvers or []]
    return " or ".join(names) if names else step.spec


def _choices(step: ApprovalStep) -> list[tuple[str, str]]:
    return [(f"{BUTTON_PREFIX}{step.id}:approve", "Approve"), (f"{BUTTON_PREFIX}{step.id}:deny", "Deny")]


def _tell(session: Session, desk: Desk, ticket: Ticket, name: str, *, event: str, text: str,
          choices: list[tuple[str, str]] | None = None) -> None:
    """A direct message to a named person on the ticket's front end."""
    address = identity_of(desk.organisation, name, ticket.conversation_platform)
    if address:
        notify.person(session, desk, ticket, platform=ticket.conversation_platform, user_id=address, event=event,
                      text=text, choices=choices)


def _subject(session: Session, desk: Desk, ticket: Ticket) -> str:
    if ticket.kind == "access_request":
        from handlers.access_requests import describe

        return describe(session, desk, ticket)
    return f"{ticket.title}."


def _close_step(step: ApprovalStep, state: str) -> None:
    step.state = state
    step.next_check_at = None
    step.deny_asked_by = step.deny_asked_at = None


def _after_approval(session: Session, desk: Desk, ticket: Ticket, approver: str) -> None:
    if ticket.kind == "access_request":
        from handlers.access_requests import approved

        approved(session, desk, ticket)
    elif ticket.kind == "service_request":
        import_module("handlers.request_fulfilment").approved(session, desk, ticket, approver)


def withdraw(session: Session, desk: Desk, ticket: Ticket, *, reason: str, told: str) -> None:
    """What the ticket asks can't happen any more: it closes like a denial, and whoever was
    deciding hears they needn't (`reason`)."""
    _end(session, desk, ticket, None, reason=reason, told=told, event="cancelled")


def _end(session: Session, desk: Desk, ticket: Ticket, actor: Actor | None, *, reason: str, told: str,
         event: str = "denied") -> None:
    """Denied, timed out or withdrawn: the requester is told, the ticket closes with the reason as
    its resolution (nothing to confirm), and the ticket's own process hears about it."""
    for step in steps_of(session, ticket.id):
        if step.state in OPEN_STEP_STATES:  # withdrawn while it waited for someone's decision
            for name in step.approvers or []:
                _tell(session, desk, ticket, name, event="approval_cancelled",
                      text=f"{ticket.ref} no longer needs your decision. {reason}")
            sla_clock.finish_approval(desk.organisation, ticket, now=desk.clock.now())
        if step.state in ("waiting", *OPEN_STEP_STATES):
            _close_step(step, "cancelled")
    now = desk.clock.now()
    ticket.resolution = reason
    ticket.resolved_at = now
    notify.requester(session, desk, ticket, event=event, text=told)
    if ticket.status != "closed":
        sweeper = Actor(Person("desk", SWEEP_ACTOR, SWEEP_ACTOR), None)
        _status(session, desk, ticket, actor or sweeper, "closed", reason=reason)
    if ticket.kind == "access_request":
        from handlers.access_requests import ended

        ended(session, desk, ticket, reason)
    elif ticket.kind == "service_request":
        denied = getattr(import_module("handlers.request_fulfilment"), "denied", None)
        if denied is not None:
            denied(session, desk, ticket, reason)
