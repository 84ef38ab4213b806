"""Approval steps: who is asked to decide each step of a ticket's approval, and how they are told.

A ticket asks for approval in steps (`request_approval`), named as in app.yaml: a staff or people
name, `manager` (the beneficiary's manager, else the requester's), or `group:NAME` (access.groups).
The first step is asked at once; the next when the one before it is approved (handlers.approvals
decides). A step's approvers get a direct message with Approve / Deny buttons
(`apr:<step>:approve|deny`).

Separation of duties: neither the requester nor the beneficiary may decide, and one person
decides at most one step of a request (two steps mean two people). A step's approvers are
resolved without them; a stand-in comes from further up the management chain (`people:`), then
the IT managers. When nobody eligible is left the step is held: the requester is told, the
queue's channel is asked to act, and the sweep looks again every hour (`recheck`: app.yaml may
have gained an approver). `check_approver` checks all of it again when a decision is made.

A step is open while it is `pending` or `held`; it ends approved, denied, timed out, cancelled
(asked again, or withdrawn because its ticket closed: `withdraw_open`) or withdrawn (its ticket
was resolved while it waited; reopening the ticket asks it again: `ask_withdrawn_again`).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import notify, sla_clock
from handlers.access_config import GROUP, MANAGER, identity_of, label_of, management_chain, manager_of, name_of
from handlers.desk import Desk
from handlers.lifecycle import DeskError, Refused
from handlers.messages import Person
from storage import audit
from storage.access import OPEN_STEP_STATES, ApprovalStep, approved_before, steps_of
from storage.models import Ticket

BUTTON_PREFIX = "apr:"
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
            close_step(old, "cancelled")
    start = max((s.position for s in steps_of(session, ticket.id)), default=-1) + 1
    rows = [ApprovalStep(ticket_id=ticket.id, position=start + i, spec=spec.strip(), approvers=[],
                         beneficiary=beneficiary_id, state="waiting") for i, spec in enumerate(steps)]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor=ticket.requester_name, action="approval_requested", ticket=ticket,
                 field="approval", after=" → ".join(steps), at=desk.clock.now())
    if not activate(session, desk, ticket, rows[0]):
        return held_text(session, desk, ticket, rows[0])
    return f"Waiting for approval from {who(desk, rows[0])}."


def approvers_of(session: Session, ticket: Ticket) -> list[dict]:
    """Every step's decision for views: [{approver, decision, at, note, step}]."""
    return [{"step": s.spec, "approver": s.decided_by, "approvers": list(s.approvers or []), "decision": s.state,
             "at": s.decided_at.isoformat() if s.decided_at else None, "note": s.note}
            for s in steps_of(session, ticket.id)]


def check_approver(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep, person: Person) -> str:
    """The approver's name, or Refused: the requester and the beneficiary never decide, nobody
    decides two steps, and only the step's approvers do (checked at the moment of the decision)."""
    organisation = desk.organisation
    name = name_of(organisation, person.platform, person.user_id, person.groups)
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    others = who(desk, step) if step.approvers else "an approver the team finds"
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
                      f"({spec_text(desk, step)}); {team(desk, ticket)} has been asked to find an approver.")
    if name not in step.approvers:
        raise Refused(f"Sorry, only {others} can approve or deny {ticket.ref} at this step.")
    return name


def activate(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> bool:
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
    about = subject(session, desk, ticket)
    for name in step.approvers:
        tell(session, desk, ticket, name, event="approval_requested", choices=choices(step),
             text=f"{ticket.requester_name} asks for your approval on {ticket.ref}: {about} "
                  f"Approve or deny (with a reason): /sd approve {ticket.ref} [note] · /sd deny {ticket.ref} REASON")
    return True


def recheck(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep, now) -> list[str]:
    """A held step, looked at again: cancelled with its ticket, or asked of someone now eligible."""
    if ticket.status in ("resolved", "closed"):
        close_step(step, "cancelled")
        sla_clock.finish_approval(desk.organisation, ticket, now=now)
        return [f"{ticket.ref}: held approval cancelled, the ticket is {ticket.status}"]
    if not _resolve(session, desk, ticket, step):
        step.next_check_at = now + HOLD_RECHECK
        return []
    activate(session, desk, ticket, step)
    audit.record(session, actor=SWEEP_ACTOR, action="approval_resumed", ticket=ticket, field="approval",
                 after=",".join(step.approvers), at=now)
    notify.requester(session, desk, ticket, event="approval_step",
                     text=f"{ticket.ref} is no longer on hold: waiting for approval from {who(desk, step)}.")
    return [f"{ticket.ref}: held approval now goes to {who(desk, step)}"]


def withdraw_open(session: Session, desk: Desk, ticket: Ticket, *, why: str,
                  state: str = "cancelled") -> list[ApprovalStep]:
    """Every step still open or still to come ends as `state` (cancelled; withdrawn while its
    ticket is resolved); whoever was asked to decide hears that `ticket.ref` "no longer needs your
    decision" and `why`. Returns the open steps it ended."""
    ended = []
    for step in steps_of(session, ticket.id):
        if step.state in OPEN_STEP_STATES:
            for name in step.approvers or []:
                tell(session, desk, ticket, name, event="approval_cancelled",
                     text=f"{ticket.ref} no longer needs your decision. {why}")
            ended.append(step)
        if step.state in ("waiting", *OPEN_STEP_STATES):
            close_step(step, state)
    return ended


def ask_withdrawn_again(session: Session, desk: Desk, ticket: Ticket) -> ApprovalStep | None:
    """The steps withdrawn when the ticket was resolved wait again, in order, from where the
    approval stopped (approvals already given stand, and still count for separation of duties);
    the first is asked (`activate`, which may hold it). Returns it; None when nothing was withdrawn."""
    withdrawn = [step for step in steps_of(session, ticket.id) if step.state == "withdrawn"]
    for step in withdrawn:
        step.state, step.approvers = "waiting", []
        step.activated_at = step.remind_at = step.due_at = step.reminded_at = step.next_check_at = None
    if withdrawn:
        activate(session, desk, ticket, withdrawn[0])
    return withdrawn[0] if withdrawn else None


def close_step(step: ApprovalStep, state: str) -> None:
    step.state = state
    step.next_check_at = None
    step.deny_asked_by = step.deny_asked_at = None


# Words for people.

def held_text(session: Session, desk: Desk, ticket: Ticket, step: ApprovalStep) -> str:
    number = len(approved_before(session, step)) + 1
    return (f"No eligible approver exists for step {number} of {ticket.ref} ({spec_text(desk, step)}): the person "
            f"asking, the person it is for and whoever approved an earlier step can't approve it, and nobody "
            f"else is on record. {ticket.ref} is on hold and I've asked {team(desk, ticket)} to find an approver.")


def spec_text(desk: Desk, step: ApprovalStep) -> str:
    if step.spec == MANAGER:
        return "manager approval"
    if step.spec.startswith(GROUP):
        return f"the {step.spec[len(GROUP):]} group"
    return label_of(desk.organisation, step.spec.lower())


def team(desk: Desk, ticket: Ticket) -> str:
    return desk.organisation.queues[ticket.queue].title


def who(desk: Desk, step: ApprovalStep) -> str:
    names = [label_of(desk.organisation, n) for n in step.approvers or []]
    return " or ".join(names) if names else step.spec


def choices(step: ApprovalStep) -> list[tuple[str, str]]:
    return [(f"{BUTTON_PREFIX}{step.id}:approve", "Approve"), (f"{BUTTON_PREFIX}{step.id}:deny", "Deny")]


def tell(session: Session, desk: Desk, ticket: Ticket, name: str, *, event: str, text: str,
         choices: list[tuple[str, str]] | None = None) -> None:
    """A direct message to a named person on the ticket's front end."""
    address = identity_of(desk.organisation, name, ticket.conversation_platform)
    if address:
        notify.person(session, desk, ticket, platform=ticket.conversation_platform, user_id=address, event=event,
                      text=text, choices=choices)


def subject(session: Session, desk: Desk, ticket: Ticket) -> str:
    if ticket.kind == "access_request":
        from handlers.access_requests import describe

        return describe(session, desk, ticket)
    from handlers.fulfilment import approval_subject  # a catalog request: its item and details

    return approval_subject(session, desk.organisation, ticket) or f"{ticket.title}."


# Inside.

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
    number, spec = len(approved_before(session, step)) + 1, spec_text(desk, step)
    step.state, step.next_check_at = "held", now + HOLD_RECHECK
    audit.record(session, actor="desk", action="approval_held", ticket=ticket, field="approval", after="held",
                 reason=f"step {number} ({step.spec}): no eligible approver", at=now)
    notify.queue_channel(
        session, desk, ticket, event="approval_held",
        text=f"{ticket.ref} is on hold: step {number} of its approval ({spec}) has no eligible approver. The "
             f"requester, the beneficiary and whoever approved an earlier step may not approve it, and nobody else "
             f"is on record. Add an approver in app.yaml (access.groups, a manager under people:) and I'll ask them "
             f"within the hour after the restart, or close it: /sd close {ticket.ref} REASON")
