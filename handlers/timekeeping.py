"""What the desk keeps track of in time when a ticket changes: its SLA clocks, its status-update
cadence, its open questions to the requester, its major incident.

The life cycle (handlers/lifecycle.py) and intake call these, so every path that opens or
changes a ticket keeps the clocks right; a feature that changes tickets another way should too.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import escalation, follow_up, major_incidents, sla_clock, status_updates
from handlers.desk import Desk
from handlers.sla_clock import RUNNING_STATUSES
from storage import follow_up as follow_up_store
from storage import major_incidents as incidents_store
from storage.models import Ticket

DESK_ACTOR, DESK_LABEL = "desk", "the desk"


def opened(session: Session, desk: Desk, ticket: Ticket, *, notices: bool = True) -> None:
    """A new ticket: its clocks start; a P1 is a major incident and management hears at once.
    Without `notices`, the caller sends `priority_notices(..., before_priority=None)` after its
    own messages."""
    sla_clock.start(desk.organisation, ticket, at=ticket.created_at)
    status_updates.reconcile(session, desk, ticket)
    if notices:
        priority_notices(session, desk, ticket, before_priority=None)


def status_changed(session: Session, desk: Desk, ticket: Ticket, before: str, after: str,
                   reason: str | None = None) -> None:
    """Clocks pause and resume, a resolve schedules the close (and sums up a major incident),
    leaving `resolved` settles the "fixed?" question."""
    now = desk.clock.now()
    sla_clock.reconcile(desk.organisation, ticket, now=now)
    status_updates.reconcile(session, desk, ticket)
    if after == "resolved":
        follow_up.schedule_close(session, desk, ticket)
        major_incidents.on_resolved(session, desk, ticket, resolution=ticket.resolution or reason)
    if before == "resolved" and after != "resolved":
        follow_up_store.settle_open(session, ticket_id=ticket.id, kind=follow_up_store.FIXED,
                                    answer="closed" if after == "closed" else "reopened", at=now)
        if after in RUNNING_STATUSES:
            major_incidents.on_reopened(session, desk, ticket)


def retargeted(session: Session, desk: Desk, ticket: Ticket, *, before_priority: str, notices: bool = True) -> None:
    """The priority or kind changed: new targets and cadence; with `notices`, what the new
    priority calls for too (a major incident, management told), else the caller sends
    `priority_notices` after its own messages."""
    sla_clock.retarget(desk.organisation, ticket, now=desk.clock.now())
    status_updates.reconcile(session, desk, ticket)
    if notices:
        priority_notices(session, desk, ticket, before_priority=before_priority)


def priority_notices(session: Session, desk: Desk, ticket: Ticket, *, before_priority: str | None) -> None:
    _major_priority(session, desk, ticket, before=before_priority)


def responded(ticket: Ticket, *, at) -> None:
    sla_clock.responded(ticket, at=at)


def _major_priority(session: Session, desk: Desk, ticket: Ticket, *, before: str | None) -> None:
    organisation = desk.organisation
    declare = ticket.kind == "incident" and ticket.priority in organisation.major_incidents.declare_for \
        and before not in organisation.major_incidents.declare_for  # requests are never major incidents
    incident = None
    if declare and incidents_store.major_incident_of(session, ticket_id=ticket.id) is None:
        incident = major_incidents.declare(session, desk, ticket, declared_by=DESK_ACTOR, declared_label=DESK_LABEL,
                                           reason=f"priority {ticket.priority}", tell_managers=ticket.priority != "P1")
    if ticket.priority == "P1" and before != "P1":
        escalation.p1_opened(session, desk, ticket, incident=incident)
