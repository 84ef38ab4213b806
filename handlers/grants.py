"""Grants: who has access to what, until when; the expiry sweep; `/sd granted`, `/sd revoked`
and `/sd access list`.

A grant is recorded when access is really there: staff confirm a manual task (`/sd granted
ACC-n`) or the webhook receiver answered 2xx (its outbox row is delivered). From then on the
expiry sweep warns the beneficiary `access.warn_before` ahead and revokes at the expiry, through
the provisioner that gave it. Removal is recorded the same way, when it is really done: staff
confirm the manual task (`/sd revoked ACC-n`) or the webhook answered 2xx; until then the grant
is `revoking`. A removal's ticket closes when it is done: there is nothing for the requester to
confirm. An extension still waiting for approval when its grant ends becomes a request for new
access (the grant expired: it was asked in time) or is cancelled (someone asked for the removal);
approving an extension of access being removed is refused. Every step is audited; the sweep
claims each grant's ticket (SKIP LOCKED on PostgreSQL) and records what it did in the same
commit, so it is idempotent.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from handlers import access_confirmation, follow_up, notify
from handlers.access_config import identity_of, label, label_of, name_of, span
from handlers.access_dates import day_text
from handlers.access_text import zone_of
from handlers.access_window import phrase, window_of
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, _status, require_staff
from handlers.messages import Person
from handlers.provisioners import send
from handlers.sla import local_time
from handlers.sweeping import sweep_tickets
from storage import audit
from storage.access import (
    AccessGrant, due_grant_ticket_ids, due_grants, extensions_waiting, removals_asked, request_of,
)
from storage.models import OutboxMessage, Ticket

SWEEP_ACTOR = "access-expiry"


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "no expiry"


def until(desk: Desk, moment: datetime | None) -> str:
    """An expiry as people there read it: "the end of Thu 31 Dec" (an end date's midnight) or
    "Mon 14 Dec 15:30 GMT"."""
    if moment is None:
        return "no expiry"
    zone = zone_of(desk.organisation)
    if moment.astimezone(zone).time() == time(0):
        return f"the end of {day_text(moment, zone, now=desk.clock.now(), last=True)}"
    return local_time(desk.organisation, moment)


def confirm(session: Session, desk: Desk, grant: AccessGrant, *, by: str, at: datetime) -> None:
    """Access is in place: the grant starts now and runs its duration, or to the end date the
    requester gave (handlers.access_window); the ticket resolves."""
    grant.state, grant.granted_at, grant.delivery_id = "active", at, None
    grant.expires_at = window_of(session, grant.ticket_id).ends_at or (
        at + timedelta(seconds=grant.duration_seconds) if grant.duration_seconds else None)
    _schedule(desk, grant)
    ticket = session.get(Ticket, grant.ticket_id)
    audit.record(session, actor=by, action="granted", ticket=ticket, field="access",
                 after=f"{grant.resource}:{grant.beneficiary}", reason=f"until {when(grant.expires_at)}", at=at)
    what, end = _what(desk, grant), until(desk, grant.expires_at)
    told = f"You now have access to {what} until {end} ({ticket.ref})."
    asked = _resolve(session, desk, ticket, by, f"{label_of(desk.organisation, grant.beneficiary)} has access to "
                                                f"{what} until {end}.", grant=grant, told=told)
    request = request_of(session, ticket)
    if request is not None:
        request.state = "granted"
    if not asked and grant.beneficiary != name_of(desk.organisation, ticket.requester_platform, ticket.requester_id):
        tell_beneficiary(session, desk, ticket, grant, event="access_granted", text=told)


def extend(session: Session, desk: Desk, grant: AccessGrant, *, ticket: Ticket, seconds: int, approvers: list[str]) -> None:
    session.get(Ticket, grant.ticket_id, with_for_update=True)  # the expiry sweep works under this lock
    now = desk.clock.now()
    before = grant.expires_at
    end = window_of(session, ticket.id).ends_at  # the end date asked for, if one was
    grant.expires_at = end if end and end > max(before or now, now) else max(before or now, now) + timedelta(
        seconds=seconds)
    grant.duration_seconds = int((grant.expires_at - (grant.granted_at or now)).total_seconds())
    grant.approvers = list(dict.fromkeys([*(grant.approvers or []), *approvers]))
    grant.warned_at = None
    if grant.state == "active":
        _schedule(desk, grant)
    audit.record(session, actor="desk", action="extended", ticket=ticket, field="expires_at", before=before,
                 after=grant.expires_at.isoformat(), reason=f"approved by {', '.join(approvers)}", at=now)
    resource = desk.organisation.access.resources.get(grant.resource)
    if resource is not None and resource.provisioner == "webhook":
        send(session, desk, grant, resource, action="extend")
        grant.next_check_at = now if grant.state != "active" else grant.next_check_at
    what, who, end = _what(desk, grant), label_of(desk.organisation, grant.beneficiary), until(desk, grant.expires_at)
    _resolve(session, desk, ticket, "desk", f"Access to {what} for {who} extended until {end}.", grant=grant,
             told=f"Your access to {what} is extended until {end} ({ticket.ref}).")


def revoke(session: Session, desk: Desk, grant: AccessGrant, *, by: str, reason: str, ticket: Ticket | None = None) -> None:
    """Take access away through its provisioner: webhook is recorded when the receiver has
    answered, manual posts a task and is recorded when staff confirm it (`/sd revoked`). A grant
    already being removed is left to the removal under way."""
    if grant.state == "revoked" and ticket is not None and ticket.id != grant.ticket_id:
        request = request_of(session, ticket)
        if request is not None:
            request.state = "revoked"
        _resolve(session, desk, ticket, by, f"{label_of(desk.organisation, grant.beneficiary)}'s access to "
                                            f"{_what(desk, grant)} was already removed at {when(grant.revoked_at)}.",
                 removal=True)
    if grant.state not in ("provisioning", "active"):
        return
    now = desk.clock.now()
    grant.state, grant.revoked_by, grant.revoke_reason, grant.next_check_at = "revoking", by, reason, None
    resource = desk.organisation.access.resources.get(grant.resource)
    owner = session.get(Ticket, grant.ticket_id)
    audit.record(session, actor=by, action="revoking", ticket=ticket or owner, field="access",
                 after=f"{grant.resource}:{grant.beneficiary}", reason=reason, at=now)
    if by == SWEEP_ACTOR:
        _extensions_end(session, desk, grant, expired=True)
    if resource is not None and grant.provisioner == "webhook" and resource.provisioner == "webhook":
        send(session, desk, grant, resource, action="revoke")
        return
    ref = (ticket or owner).ref
    notify.queue_channel(session, desk, ticket or owner, event="access_task",
                         queue=resource.queue if resource else owner.queue,
                         text=f"Task {ref}: remove {label_of(desk.organisation, grant.beneficiary)}'s access to "
                              f"{_what(desk, grant)} ({reason}). When it's done: /sd revoked {ref}")


def revoked(session: Session, desk: Desk, grant: AccessGrant, *, at: datetime, by: str | None = None) -> None:
    """The access is gone (staff confirmed, or the webhook answered): the grant ends, the
    beneficiary is told, and each ticket that asked for the removal is resolved."""
    grant.state, grant.revoked_at, grant.next_check_at, grant.delivery_id = "revoked", at, None, None
    owner = session.get(Ticket, grant.ticket_id)
    asked = [(session.get(Ticket, r.ticket_id), r) for r in removals_asked(session, grant.id)]
    by = by or grant.revoked_by or "desk"
    audit.record(session, actor=by, action="revoked", ticket=asked[0][0] if asked else owner, field="access",
                 before=f"{grant.resource}:{grant.beneficiary}", reason=grant.revoke_reason, at=at)
    text = f"Access to {_what(desk, grant)} for {label_of(desk.organisation, grant.beneficiary)} has been removed"
    by_themselves = any(grant.beneficiary == name_of(desk.organisation, t.requester_platform, t.requester_id)
                        for t, _ in asked)
    if not by_themselves:
        tell_beneficiary(session, desk, owner, grant, event="access_revoked",
                         text=f"{text} ({grant.revoke_reason}). Ask me again if you still need it.")
    for ticket, request in asked:
        request.state = "revoked"
        if ticket.id != owner.id:
            _resolve(session, desk, ticket, by, f"{text}.", removal=True)
    if owner.status == "resolved":  # its "Do you have the access?" is moot now; silence would close it saying so
        _status(session, desk, owner, Actor(Person("desk", by, by), desk.organisation.staff_named(by)), "closed",
                reason="the access was removed")
    _extensions_end(session, desk, grant, expired=False)


def approval_blocked(session: Session, desk: Desk, ticket: Ticket) -> str | None:
    """Why an access request can't be approved now (None: it can): it extends access that is
    being removed or is gone."""
    request = request_of(session, ticket)
    grant = session.get(AccessGrant, request.grant_id) if request and request.action == "extend" \
        and request.grant_id else None
    if grant is None or grant.state in ("provisioning", "active"):
        return None
    who, what = label_of(desk.organisation, grant.beneficiary), _what(desk, grant)
    if grant.state == "revoking":
        return (f"{ticket.ref} can't be approved: it would extend {who}'s access to {what}, which is being removed "
                f"({grant.revoke_reason}). It is cancelled when the removal is done, and {who} can ask for new access.")
    return (f"{ticket.ref} can't be approved: it would extend {who}'s access to {what}, which was removed at "
            f"{when(grant.revoked_at)}, so there is nothing left to extend.")


def _extensions_end(session: Session, desk: Desk, grant: AccessGrant, *, expired: bool) -> None:
    """The extensions of this grant still waiting for approval, when it expires (they become
    requests for new access, asked of the approvers again) or its removal is done (cancelled)."""
    from handlers import approvals

    who, what = label_of(desk.organisation, grant.beneficiary), _what(desk, grant)
    resource = desk.organisation.access.resources.get(grant.resource)
    for request in extensions_waiting(session, grant.id):
        ticket = session.get(Ticket, request.ticket_id, with_for_update=True)
        if ticket is None or ticket.status in ("resolved", "closed"):
            continue
        now = desk.clock.now()
        if expired and resource is not None:
            request.action, request.grant_id = "grant", None
            audit.record(session, actor="desk", action="access_detail", ticket=ticket, field="action",
                         before="extend", after="grant", reason=f"{grant.resource} expired before approval", at=now)
            waiting = approvals.request_approval(session, desk, ticket, list(resource.approvers),
                                                 beneficiary_id=request.beneficiary)
            length = phrase(desk, window_of(session, ticket.id), request.duration_seconds)
            length = f" {length}" if length else ""
            notify.requester(session, desk, ticket, event="access_question",
                             text=f"{who}'s access to {what} has expired, so {ticket.ref} now asks for new access "
                                  f"to {what}{length} instead of an extension. {waiting}")
            continue
        reason = f"{who}'s access to {what} was removed, so there is nothing left to extend"
        requester = name_of(desk.organisation, ticket.requester_platform, ticket.requester_id)
        whose = "your" if grant.beneficiary == requester else f"{who}'s"
        audit.record(session, actor="desk", action="access_cancelled", ticket=ticket, reason=reason, at=now)
        approvals.withdraw(session, desk, ticket, reason=f"Cancelled: {reason}.",
                           told=f"{ticket.ref} is cancelled: {whose} access to {what} was removed, so there is "
                                f"nothing left to extend. Ask me for new access if you still need it.")
        request.state = "cancelled"


def tell_beneficiary(session: Session, desk: Desk, ticket: Ticket, grant: AccessGrant, *, event: str, text: str) -> None:
    """The beneficiary hears in the ticket's conversation when they asked, else by direct message."""
    if grant.beneficiary == name_of(desk.organisation, ticket.requester_platform, ticket.requester_id):
        notify.requester(session, desk, ticket, event=event, text=text)
        return
    address = grant.beneficiary_id or identity_of(desk.organisation, grant.beneficiary, grant.beneficiary_platform)
    if address:
        notify.person(session, desk, ticket, platform=grant.beneficiary_platform, user_id=address, event=event, text=text)


# The sweep.

def sweep(desk: Desk) -> list[str]:
    return sweep_tickets(desk, name="access-expiry", find=due_grant_ticket_ids, act=_act)


def _act(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> list[str]:
    done = []
    for grant in due_grants(session, ticket_id=ticket.id, now=now):
        what = f"{grant.resource} for {grant.beneficiary}"
        if grant.delivery_id is not None:
            done.extend(_delivery(session, desk, grant, now))
        elif grant.state == "active" and grant.expires_at is not None and now >= grant.expires_at:
            revoke(session, desk, grant, by=SWEEP_ACTOR, reason=f"expired at {when(grant.expires_at)}")
            done.append(f"{ticket.ref}: {what} expired, {'revoking' if grant.delivery_id else 'removal task posted'}")
        elif grant.state == "active" and grant.warned_at is None:
            grant.warned_at, grant.next_check_at = now, grant.expires_at
            audit.record(session, actor=SWEEP_ACTOR, action="expiry_warned", ticket=ticket, field="access",
                         after=f"{grant.resource}:{grant.beneficiary}", reason=f"expires {when(grant.expires_at)}", at=now)
            tell_beneficiary(session, desk, ticket, grant, event="access_expiring",
                             text=f"Your access to {_what(desk, grant)} ends at {when(grant.expires_at)}. To keep it, "
                                  f"tell me \"extend my access to {_what(desk, grant)}\".")
            done.append(f"{ticket.ref}: {what} expires {when(grant.expires_at)}, warned")
        else:
            grant.next_check_at = None if grant.state != "active" else grant.expires_at
    return done


def _delivery(session: Session, desk: Desk, grant: AccessGrant, now: datetime) -> list[str]:
    """A webhook call's outcome: delivered → recorded; given up → the queue does it by hand."""
    message = session.get(OutboxMessage, grant.delivery_id)
    ticket = session.get(Ticket, grant.ticket_id)
    if message is None or message.status == "pending":
        return []
    if message.status == "delivered":
        at = message.delivered_at or now
        grant.delivery_id = None
        if grant.state == "provisioning":
            confirm(session, desk, grant, by="webhook", at=at)
            return [f"{ticket.ref}: {grant.resource} for {grant.beneficiary} granted by the webhook"]
        if grant.state == "revoking":
            revoked(session, desk, grant, at=at, by="webhook")
            return [f"{ticket.ref}: {grant.resource} for {grant.beneficiary} revoked by the webhook"]
        _schedule(desk, grant)
        return []
    grant.delivery_id, grant.provisioner = None, "manual"
    grant.next_check_at = None
    action = "remove" if grant.state == "revoking" else "give"
    notify.queue_channel(session, desk, ticket, event="access_task",
                         queue=desk.organisation.access.resources[grant.resource].queue,
                         text=f"Task {ticket.ref}: the provisioning webhook failed ({message.last_error}); please "
                              f"{action} {label_of(desk.organisation, grant.beneficiary)}'s access to "
                              f"{_what(desk, grant)} by hand, then /sd {'granted' if action == 'give' else 'revoked'} "
                              f"{ticket.ref}.")
    audit.record(session, actor="desk", action="provisioner_failed", ticket=ticket, field="access",
                 reason=message.last_error, at=now)
    return [f"{ticket.ref}: webhook failed, handed to the queue"]


# Commands.

def granted_command(session: Session, desk: Desk, ticket: Ticket, actor: Actor, rest: str) -> str:
    """`/sd granted ACC-n`: staff confirm they gave the access (manual provisioner)."""
    return _staff_confirms(session, desk, ticket, actor, "granted")


def revoked_command(session: Session, desk: Desk, ticket: Ticket, actor: Actor, rest: str) -> str:
    """`/sd revoked ACC-n`: staff confirm they removed the access (manual provisioner), on the
    revocation request or on the grant's own ticket (expiry)."""
    return _staff_confirms(session, desk, ticket, actor, "revoked")


def _staff_confirms(session: Session, desk: Desk, ticket: Ticket, actor: Actor, done: str) -> str:
    """The manual provisioner's task is done: the grant starts (granted) or ends (revoked)."""
    waiting = "provisioning" if done == "granted" else "revoking"
    require_staff(actor, ticket, "confirm access grants" if done == "granted" else "confirm access removals")
    request = request_of(session, ticket)
    grant = session.get(AccessGrant, request.grant_id) if request and request.grant_id else None
    now = desk.clock.now()
    if grant is None and done == "revoked" and request is not None and request.action == "revoke" \
            and request.state == "approved" and request.resource:  # none on record: staff checked and removed any
        request.state = "revoked"
        audit.record(session, actor=actor.name, action="revoked", ticket=ticket, field="access", at=now,
                     before=f"{request.resource}:{request.beneficiary}", reason="none on record; removed by hand")
        _resolve(session, desk, ticket, actor.name, f"Any access {label_of(desk.organisation, request.beneficiary)} "
                                                    f"had to {_what_of(desk, request.resource)} has been removed.",
                 removal=True)
        return f"{ticket.ref}: removal recorded."
    if grant is None or grant.state != waiting:
        raise DeskError(f"{ticket.ref} has nothing to confirm: {_state_text(desk, request, grant, done, ticket.ref)}.")
    if grant.delivery_id is not None:
        raise DeskError(f"{ticket.ref} has nothing to confirm by hand: the provisioning webhook is doing it, and it "
                        f"is recorded when the receiver answers.")
    if done == "granted":
        confirm(session, desk, grant, by=actor.name, at=now)
        return f"{ticket.ref}: access recorded, until {until(desk, grant.expires_at)}."
    revoked(session, desk, grant, at=now, by=actor.name)
    return (f"{ticket.ref}: removal recorded; {label_of(desk.organisation, grant.beneficiary)} no longer has "
            f"access to {_what(desk, grant)}.")


def _state_text(desk: Desk, request, grant: AccessGrant | None, done: str, ref: str) -> str:
    if request is None:
        return "it is not an access request"
    if request.state == "passed":
        return f"it asks for access the desk doesn't arrange, so it is handled by hand (/sd resolve {ref} TEXT)"
    if done == "revoked" and request.state == "revoked":
        return "its removal was already recorded"
    if grant is None:
        return "it has no approved access waiting" if done == "granted" else "it has no access on record to remove"
    if grant.state == "revoked":
        return (f"{label_of(desk.organisation, grant.beneficiary)}'s access to {_what(desk, grant)} was already "
                f"removed at {when(grant.revoked_at)}")
    if done == "granted":
        return f"its access is {grant.state}"
    if request.action == "revoke" and request.state == "approval":
        return "its removal is not approved yet"
    if grant.state == "provisioning":
        return "its access is not given yet (/sd granted confirms that)"
    return f"no removal is waiting (the access is active until {when(grant.expires_at)})"


def access_command(session: Session, desk: Desk, actor: Actor, rest: str) -> str:
    """`/sd access list [USER|RESOURCE]` (handlers.access_list)."""
    from handlers.access_list import access_list

    return access_list(session, desk, actor, rest)


# Inside.

def _schedule(desk: Desk, grant: AccessGrant) -> None:
    if grant.expires_at is None:
        grant.next_check_at = None
        return
    warn = grant.expires_at - span(desk.organisation.access.warn_before)
    grant.next_check_at = grant.expires_at if grant.warned_at is not None else warn


def _what(desk: Desk, grant: AccessGrant) -> str:
    return _what_of(desk, grant.resource)


def _what_of(desk: Desk, name: str) -> str:
    resource = desk.organisation.access.resources.get(name)
    return label(name, resource) if resource else name


def _resolve(session: Session, desk: Desk, ticket: Ticket, by: str, resolution: str, *, removal: bool = False,
             grant: AccessGrant | None = None, told: str = "") -> bool:
    """Access given or extended: resolved, and whoever has it is asked whether it works (the
    beneficiary, told `told`, when someone else asked: handlers.access_confirmation; True then).
    A removal has nothing to confirm: resolved and closed at once, no question, no close later."""
    if ticket.status in ("resolved", "closed"):
        return False
    ticket.resolution = resolution
    actor = Actor(Person("desk", by, by), desk.organisation.staff_named(by))
    _status(session, desk, ticket, actor, "resolved", reason=resolution)
    if removal:
        _status(session, desk, ticket, actor, "closed", reason="a removal has nothing to confirm")
        notify.requester(session, desk, ticket, event="resolved",
                         text=f"{ticket.ref} is done: {resolution.rstrip('.')}. I've closed it; nothing more to do.")
        return False
    if grant is not None and access_confirmation.ask(session, desk, ticket, grant, resolution=resolution, told=told):
        return True
    question, choices = follow_up.fixed_question(session, desk, ticket)  # "Do you have the access ...?"
    notify.requester(session, desk, ticket, event="resolved",
                     text=f"{ticket.ref} is done: {resolution.rstrip('.')}. {question}", choices=choices)
    return False
