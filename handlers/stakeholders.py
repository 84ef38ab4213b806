"""`/sd update ID TEXT` and `/sd major ID [LEAD]`: keeping stakeholders informed by hand."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import major_incidents, status_updates
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, _touch, closed_stays_closed, require_staff
from storage import major_incidents as incidents_store
from storage.models import Ticket

UPDATE_LIMIT = 3_000


def update(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str) -> str:
    require_staff(actor, ticket, "post status updates")
    text = text.strip()
    if not text:
        raise DeskError(f"Write the update after the id: /sd update {ticket.ref} the database is back, testing now")
    if ticket.status == "closed":
        raise DeskError(f"{ticket.ref} is closed; there is nothing to update people about.")
    if len(text) > UPDATE_LIMIT:
        raise DeskError(f"That update is {len(text)} characters; keep it under {UPDATE_LIMIT}.")
    _touch(desk, ticket, actor)
    return status_updates.post(session, desk, ticket, author=actor.name, author_label=actor.label, text=text)


def major(session: Session, desk: Desk, ticket: Ticket, actor: Actor, rest: str) -> str:
    require_staff(actor, ticket, "declare major incidents")
    words = rest.split()
    lead = None
    if words:
        lead = desk.organisation.staff_named(words[0])
        if lead is None:
            raise DeskError(f"'{words[0]}' is not a member of staff here; name the lead by their staff name.")
    existing = incidents_store.major_incident_of(session, ticket_id=ticket.id)
    if existing is not None:
        if lead is None:
            raise DeskError(f"{ticket.ref} is already a major incident ({existing.channel}); "
                            f"/sd major {ticket.ref} NAME changes its lead.")
        if existing.lead == lead.name:
            raise DeskError(f"{lead.label} already leads {ticket.ref}.")
        _touch(desk, ticket, actor)
        return major_incidents.change_lead(session, desk, ticket, existing, lead, actor=actor.name,
                                           actor_label=actor.label)
    if ticket.status == "closed":
        raise DeskError(closed_stays_closed(ticket))
    if ticket.status == "resolved":
        raise DeskError(f"{ticket.ref} is resolved; reopen it first (/sd reopen {ticket.ref}).")
    _touch(desk, ticket, actor)
    incident = major_incidents.declare(session, desk, ticket, declared_by=actor.name, declared_label=actor.label,
                                       lead=lead, reason=f"declared by {actor.label}")
    named = desk.organisation.staff_named(incident.lead) if incident.lead else None
    return (f"{ticket.ref} is now a major incident: channel {incident.channel}, lead "
            f"{named.label if named else 'to be named'}.")
