"""Grants: who has access to what, until when; the expiry sweep; `/sd granted` and `/sd access list`.

A grant is recorded when access is really there: staff confirm a manual task (`/sd granted
ACC-n`) or the webhook receiver answered 2xx (its outbox row is delivered). From then on the
expiry sweep warns the beneficiary `access.warn_before` ahead and revokes at the expiry, through
the provisioner that gave it. Every step is audited; the sweep claims each grant's ticket (SKIP
LOCKED on PostgreSQL) and records what it did in the same commit, so it is idempotent.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from handlers import notify
from handlers.access_config import identity_of, label, label_of, name_of, span
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, Refused, _status, require_staff
from handlers.messages import Person
from handlers.provisioners import send
from handlers.sweeping import sweep_tickets
from storage import audit
from storage.access import AccessGrant, current_grants, due_grant_ticket_ids, due_grants, request_of
from storage.models import OutboxMessage, Ticket

SWEEP_ACTOR = "access-expiry"


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "no expiry"


def confirm(session: Session, desk: Desk, grant: AccessGrant, *, by: str, at: datetime) -> None:
    """Access is in place: the grant starts now and runs its duration; the ticket resolves."""
    grant.state, grant.granted_at, grant.delivery_id = "active", at, None
    grant.expires_at = at + timedelta(seconds=grant.duration_seconds) if grant.duration_seconds else None
    _schedule(desk, grant)
    ticket = session.get(Ticket, grant.ticket_id)
    audit.record(session, actor=by, action="granted", ticket=ticket, field="access",
                 after=f"{grant.resource}:{grant.beneficiary}", reason=f"until {when(grant.expires_at)}", at=at)
    what = _what(desk, grant)
    _resolve(session, desk, ticket, by, f"{label_of(desk.organisation, grant.beneficiary)} has access to {what} "
                                        f"until {when(grant.expires_at)}.")
    request = request_of(session, ticket)
    if request is not None:
        request.state = "granted"
    if grant.beneficiary != name_of(desk.organisation, ticket.requester_platform, ticket.requester_id):
        tell_beneficiary(session, desk, ticket, grant, event="access_granted",
                         text=f"You now have access to {what} until {when(grant.expires_at)} ({ticket.ref}).")


def extend(session: Session, desk: Desk, grant: AccessGrant, *, ticket: Ticket, seconds: int, approvers: list[str]) -> None:
    session.get(Ticket, grant.ticket_id, with_for_update=True)  # the expiry sweep works under this lock
    now = desk.clock.now()
    before = grant.expires_at
    grant.expires_at = max(before or now, now) + timedelta(seconds=seconds)
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
    _resolve(session, desk, ticket, "desk", f"Access to {_what(desk, grant)} extended until {when(grant.expires_at)}.")


def revoke(session: Session, desk: Desk, grant: AccessGrant, *, by: str, reason: str, ticket: Ticket | None = None) -> None:
    """Take access away through its provisioner: manual posts a task and records it now; webhook
    records it when the receiver has answered."""
    now = desk.clock.now()
    grant.revoked_by, grant.revoke_reason = by, reason
    resource = desk.organisation.access.resources.get(grant.resource)
    owner = session.get(Ticket, grant.ticket_id)
    if resource is not None and grant.provisioner == "webhook" and resource.provisioner == "webhook":
        grant.state = "revoking"
        send(session, desk, grant, resource, action="revoke")
        audit.record(session, actor=by, action="revoking", ticket=ticket or owner, field="access",
                     after=f"{grant.resource}:{grant.beneficiary}", reason=reason, at=now)
        return
    queue = resource.queue if resource else owner.queue
    notify.queue_channel(session, desk, ticket or owner, event="access_task", queue=queue,
                         text=f"Task {(ticket or owner).ref}: remove {label_of(desk.organisation, grant.beneficiary)}'s "
                              f"access to {_what(desk, grant)} ({reason}).")
    revoked(session, desk, grant, at=now, ticket=ticket)


def revoked(session: Session, desk: Desk, grant: AccessGrant, *, at: datetime, ticket: Ticket | None = None) -> None:
    grant.state, grant.revoked_at, grant.next_check_at, grant.delivery_id = "revoked", at, None, None
    owner = session.get(Ticket, grant.ticket_id)
    audit.record(session, actor=grant.revoked_by or "desk", action="revoked", ticket=ticket or owner, field="access",
                 before=f"{grant.resource}:{grant.beneficiary}", reason=grant.revoke_reason, at=at)
    text = f"Access to {_what(desk, grant)} for {label_of(desk.organisation, grant.beneficiary)} has been removed"
    tell_beneficiary(session, desk, owner, grant, event="access_revoked",
                     text=f"{text} ({grant.revoke_reason}). Ask me again if you still need it.")
    if ticket is not None and ticket.id != owner.id:
        _resolve(session, desk, ticket, grant.revoked_by or "desk", f"{text}.")


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
            done.append(f"{ticket.ref}: {what} expired, revoked")
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
            revoked(session, desk, grant, at=at)
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
                              f"{_what(desk, grant)} by hand" + (f", then /sd granted {ticket.ref}." if action == "give" else "."))
    if grant.state == "revoking":
        revoked(session, desk, grant, at=now)
    audit.record(session, actor="desk", action="provisioner_failed", ticket=ticket, field="access",
                 reason=message.last_error, at=now)
    return [f"{ticket.ref}: webhook failed, handed to the queue"]


# Commands.

def granted_command(session: Session, desk: Desk, ticket: Ticket, actor: Actor, rest: str) -> str:
    """`/sd granted ACC-n`: staff confirm they gave the access (manual provisioner)."""
    require_staff(actor, ticket, "confirm access grants")
    request = request_of(session, ticket)
    grant = session.get(AccessGrant, request.grant_id) if request and request.grant_id else None
    if grant is None or grant.state != "provisioning":
        state = f"its access is {grant.state}" if grant else "it has no approved access waiting"
        raise DeskError(f"{ticket.ref} has nothing to confirm: {state}.")
    confirm(session, desk, grant, by=actor.name, at=desk.clock.now())
    return f"{ticket.ref}: access recorded, until {when(grant.expires_at)}."


def access_command(session: Session, desk: Desk, actor: Actor, rest: str) -> str:
    """`/sd access list [USER|RESOURCE]`: current grants (staff see all; others their own)."""
    words = rest.split()
    if not words or words[0].lower() != "list":
        raise DeskError("Usage: /sd access list [USER|RESOURCE]")
    organisation = desk.organisation
    me = name_of(organisation, actor.person.platform, actor.person.user_id, actor.person.groups)
    arg = words[1].lower().lstrip("@") if len(words) > 1 else None
    resource = None
    if arg is not None:
        from handlers.access_config import match_resource

        found = arg in organisation.access.resources and (arg, None) or match_resource(organisation.access, " ".join(words[1:]))
        resource = found[0] if found else None
    user = None if resource else (arg or (None if actor.staff else me))
    if actor.staff is None and (resource is not None or user != me):
        raise Refused("Sorry, you can only list your own access; support staff can see everyone's.")
    rows = current_grants(session, beneficiary=user, resource=resource)
    scope = label(resource, organisation.access.resources[resource]) if resource else (
        label_of(organisation, user) if user else "everyone")
    if not rows:
        return f"No current access for {scope}."
    lines = [f"  {_what(desk, g)} · {label_of(organisation, g.beneficiary)} · "
             f"{g.state if g.state != 'active' else 'until ' + when(g.expires_at)} · approved by "
             f"{', '.join(g.approvers or []) or '-'} · {session.get(Ticket, g.ticket_id).ref}" for g in rows]
    return f"Current access ({scope}):\n" + "\n".join(lines)


# Inside.

def _schedule(desk: Desk, grant: AccessGrant) -> None:
    if grant.expires_at is None:
        grant.next_check_at = None
        return
    warn = grant.expires_at - span(desk.organisation.access.warn_before)
    grant.next_check_at = grant.expires_at if grant.warned_at is not None else warn


def _what(desk: Desk, grant: AccessGrant) -> str:
    resource = desk.organisation.access.resources.get(grant.resource)
    return label(grant.resource, resource) if resource else grant.resource


def _resolve(session: Session, desk: Desk, ticket: Ticket, by: str, resolution: str) -> None:
    if ticket.status in ("resolved", "closed"):
        return
    ticket.resolution = resolution
    _status(session, desk, ticket, Actor(Person("desk", by, by), desk.organisation.staff_named(by)), "resolved",
            reason=resolution)
    notify.requester(session, desk, ticket, event="resolved", text=f"{ticket.ref} is done: {resolution}")
