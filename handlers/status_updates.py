"""Status updates to stakeholders: the cadence of P1 and P2 tickets (app.yaml `sla.P1.status_update`),
`/sd update ID TEXT` (to the requester, the queue channel and the major-incident channel), and the
sweep that nudges the assignee when an update is due.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.escalation import tier_channel
from handlers.sla import duration_text, status_update_interval
from handlers.sla_clock import RUNNING_STATUSES
from handlers.sweeping import sweep_tickets
from storage import audit
from storage import major_incidents as incidents_store
from storage import status_updates as store
from storage.models import Ticket
from storage.tickets import add_comment

NUDGE_ACTOR = "update-cadence"


def reconcile(session: Session, desk: Desk, ticket: Ticket) -> None:
    """After a change: a cadence while a P1/P2 ticket is worked, none while it waits or is done."""
    now = desk.clock.now()
    interval = status_update_interval(desk.organisation, priority=ticket.priority)
    cadence = store.cadence_of(session, ticket_id=ticket.id)
    if interval is None:
        if cadence is not None:
            cadence.next_due_at = None
        return
    seconds = int(interval.as_timedelta().total_seconds())
    if cadence is None:
        cadence = store.UpdateCadence(ticket_id=ticket.id, interval_seconds=seconds, nudges=0, updates=0)
        session.add(cadence)
    if ticket.status not in RUNNING_STATUSES:
        cadence.next_due_at = None
    elif cadence.next_due_at is None or cadence.interval_seconds != seconds:
        cadence.next_due_at = now + timedelta(seconds=seconds)
    cadence.interval_seconds = seconds


def post(session: Session, desk: Desk, ticket: Ticket, *, author: str, author_label: str, text: str) -> str:
    """An update for stakeholders: on the record, to the requester, the team and the incident channel."""
    now = desk.clock.now()
    add_comment(session, ticket=ticket, author=author, visibility="public", body=text, at=now)
    audit.record(session, actor=author, action="status_update", ticket=ticket, reason=text, at=now)
    notify.requester(session, desk, ticket, event="status_update", text=f"Update on {ticket.ref}: {text}")
    notify.queue_channel(session, desk, ticket, event="status_update",
                         text=f"Update on {ticket.ref} by {author_label}: {text}")
    told = [ticket.requester_name, desk.organisation.queues[ticket.queue].channels.on(ticket.conversation_platform)
            or f"the {ticket.queue} team"]
    incident = incidents_store.major_incident_of(session, ticket_id=ticket.id)
    if incident is not None and incident.archived_at is None:
        notify.channel(session, desk, ticket, incident.channel, platform=incident.platform, event="status_update",
                       text=f"Update by {author_label}: {text}", card=False)
        told.append(incident.channel)
    cadence = store.cadence_of(session, ticket_id=ticket.id)
    if cadence is not None:
        cadence.last_update_at = now
        cadence.updates += 1
        if cadence.next_due_at is not None:
            cadence.next_due_at = now + timedelta(seconds=cadence.interval_seconds)
    return f"Update on {ticket.ref} sent to {', '.join(told[:-1])} and {told[-1]}."


def sweep(desk: Desk) -> list[str]:
    """Nudge whoever owes stakeholders an update, once per interval (once after downtime too)."""
    return sweep_tickets(desk, name="status updates", find=store.due_ticket_ids, act=_nudge)


def _nudge(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> list[str]:
    cadence = store.cadence_of(session, ticket_id=ticket.id)
    if cadence is None or cadence.next_due_at is None or cadence.next_due_at > now:
        return []
    interval = timedelta(seconds=cadence.interval_seconds)
    if ticket.status not in RUNNING_STATUSES:
        cadence.next_due_at = None
        return []
    if cadence.last_update_at is not None:
        last = f"the last was {duration_text((now - cadence.last_update_at).total_seconds())} ago"
    else:
        last = "none has been posted yet"
    text = (f"{ticket.ref} ({ticket.priority}): stakeholders are due an update (every "
            f"{duration_text(cadence.interval_seconds)}; {last}). Post it with /sd update {ticket.ref} TEXT")
    who = _owner(session, desk, ticket)
    if who is not None:
        notify.staff_member(session, desk, ticket, who, event="update_due", text=text)
        told = who.label
    else:
        told = tier_channel(desk.organisation, ticket) or "nobody"
        notify.channel(session, desk, ticket, tier_channel(desk.organisation, ticket), event="update_due", text=text)
    cadence.last_nudged_at = now
    cadence.nudges += 1
    cadence.next_due_at = now + interval
    audit.record(session, actor=NUDGE_ACTOR, action="update_nudge", ticket=ticket, reason=f"{told} nudged", at=now)
    return [f"{ticket.ref}: status update due, {told} nudged"]


def _owner(session: Session, desk: Desk, ticket: Ticket):
    """Who owes the update: the assignee, else the major incident's lead (if they are on this front end)."""
    organisation = desk.organisation
    names = [ticket.assignee]
    incident = incidents_store.major_incident_of(session, ticket_id=ticket.id)
    if incident is not None:
        names.append(incident.lead)
    for name in names:
        member = organisation.staff_named(name) if name else None
        if member is not None and getattr(member.identities, ticket.conversation_platform, None):
            return member
    return None
