"""Provisioners: how approved access is given, extended and taken away (app.yaml
`access.resources.*.provisioner`).

- `manual`: a task goes to the resource's queue channel; staff do it and confirm with
  `/sd granted ACC-n`, which records the grant, or `/sd revoked ACC-n`, which records its
  removal (handlers.grants).
- `webhook`: the desk POSTs a JSON body to the resource's `url` through the outbox (platform
  `webhook`), so a failed call is retried with backoff; bot/provisioner_sender.py signs it
  (HMAC-SHA256 with SERVICEDESK_PROVISIONER_SECRET, header X-Servicedesk-Signature). The grant
  (or revocation) is recorded once the receiver answered 2xx: the grants sweep sees the
  delivery (`confirm_deliveries`).

The same provisioner that gave access takes it away, at expiry or on request.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from handlers import access_window, notify
from handlers.access_config import AccessResource, label, label_of
from handlers.desk import Desk
from storage import audit, outbox
from storage.access import AccessGrant, AccessRequest, steps_of
from storage.models import Ticket

PLATFORM = "webhook"  # the outbox platform of provisioning calls
DESTINATION = "provision"


def carry_out(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, resource: AccessResource) -> None:
    """After approval (or straight away for a revocation that needs none): grant, extend or revoke."""
    from handlers import grants

    if request.action == "revoke":
        grant = session.get(AccessGrant, request.grant_id) if request.grant_id else None
        if grant is not None:
            grants.revoke(session, desk, grant, by=ticket.requester_name, reason=f"requested on {ticket.ref}",
                          ticket=ticket)
            if grant.state == "revoking":
                request.state = "revoking"
        return
    if request.action == "extend" and request.grant_id:
        grants.extend(session, desk, session.get(AccessGrant, request.grant_id), ticket=ticket,
                      seconds=request.duration_seconds or 0, approvers=_approvers(session, ticket))
        return
    now = desk.clock.now()
    grant = AccessGrant(
        ticket_id=ticket.id, resource=request.resource, beneficiary=request.beneficiary,
        beneficiary_platform=request.beneficiary_platform, beneficiary_id=request.beneficiary_id,
        approvers=_approvers(session, ticket), provisioner=resource.provisioner, state="provisioning",
        duration_seconds=request.duration_seconds, approved_at=now,
        expires_at=now + timedelta(seconds=request.duration_seconds) if request.duration_seconds else None,
    )
    window = access_window.window_of(session, ticket.id)
    if window.ends_at is not None:  # the requester gave an end day: the grant ends with it
        grant.expires_at = window.ends_at
    session.add(grant)
    session.flush()
    request.grant_id = grant.id
    audit.record(session, actor="desk", action="provisioning", ticket=ticket, field="access",
                 after=f"{grant.resource}:{grant.beneficiary}", reason=f"by {resource.provisioner}", at=now)
    who, what = label_of(desk.organisation, grant.beneficiary), label(grant.resource, resource)
    if resource.provisioner == "webhook":
        send(session, desk, grant, resource, action="grant")
        notify.requester(session, desk, ticket, event="provisioning",
                         text=f"Setting up {who}'s access to {what} now; I'll tell you when it's done.")
        return
    team = desk.organisation.queues[resource.queue].title
    notify.queue_channel(
        session, desk, ticket, event="access_task", queue=resource.queue,
        text=f"Task {ticket.ref}: give {who} access to {what}"
             f"{' ' + how_long if (how_long := access_window.phrase(desk, window, grant.duration_seconds)) else ''} "
             f"(approved by {', '.join(label_of(desk.organisation, a) for a in grant.approvers)}). "
             f"When it's done: /sd granted {ticket.ref}")
    notify.requester(session, desk, ticket, event="provisioning",
                     text=f"{team} will set up {who}'s access to {what}; I'll tell you when it's done.")


def send(session: Session, desk: Desk, grant: AccessGrant, resource: AccessResource, *, action: str) -> None:
    """Queue the webhook call; the grant waits for its delivery (checked by the grants sweep)."""
    now = desk.clock.now()
    message = outbox.enqueue(
        session, platform=PLATFORM, destination=DESTINATION, address=resource.url or "", ticket_id=grant.ticket_id,
        event=f"access_{action}", payload={"text": f"{action} {grant.resource} for {grant.beneficiary}",
                                           "body": body(grant, action=action, now=now)}, at=now,
    )
    session.flush()
    grant.delivery_id = message.id
    grant.next_check_at = now


def body(grant: AccessGrant, *, action: str, now: datetime) -> dict:
    """What the receiver gets (signed as sent)."""
    return {
        "action": action, "grant_id": grant.id, "resource": grant.resource,
        "beneficiary": {"name": grant.beneficiary, "platform": grant.beneficiary_platform,
                        "user_id": grant.beneficiary_id},
        "approvers": list(grant.approvers or []),
        "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        "sent_at": now.isoformat(),
    }


def _approvers(session: Session, ticket: Ticket) -> list[str]:
    return [s.decided_by for s in steps_of(session, ticket.id) if s.state == "approved" and s.decided_by]
