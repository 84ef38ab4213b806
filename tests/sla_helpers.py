"""Opening tickets of a chosen priority and queue (the classifier is tested elsewhere), and reading
what the desk sent where."""
from __future__ import annotations

from sqlalchemy import select

from handlers.intake import open_ticket
from handlers.messages import Conversation, Person
from handlers.sweeps import SWEEPS, run_all
from storage.models import AuditEntry, OutboxMessage
from storage.tickets import get_ticket

LEVELS = {"P1": ("high", "high"), "P2": ("high", "medium"), "P3": ("medium", "medium"), "P4": ("low", "medium"),
          "P5": ("low", "low")}


def open_incident(desk, priority: str, *, queue: str = "technical", who: str = "alice", kind: str = "incident",
                  text: str | None = None) -> str:
    impact, urgency = LEVELS[priority]
    with desk.database.session() as session:
        ticket = open_ticket(
            session, desk, person=Person("console", who, who.capitalize()), conversation=Conversation("console", f"@{who}"),
            text=text or f"{priority} trouble in {queue}", kind=kind, queue=queue, impact=impact, urgency=urgency,
            priority=priority, actor_name=who,
        )
        return ticket.ref


def sweep(desk, only: str | None = "sla") -> list[str]:
    """One pass of the SLA sweep (`only`), or of every sweep (`only=None`): what was done."""
    if only is not None:
        return SWEEPS[only](desk)
    return [line for lines in run_all(desk).values() for line in lines]


def sent(desk, *, since: int = 0) -> list[tuple[str, str, str]]:
    """(destination, address, text) of everything in the outbox after message id `since`."""
    with desk.database.session() as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.id > since).order_by(OutboxMessage.id)).scalars()
        return [(m.destination, m.address, m.payload.get("text", "")) for m in rows]


def last_outbox_id(desk) -> int:
    with desk.database.session() as session:
        return session.execute(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)).scalar() or 0


def actions(desk, ref: str) -> list[tuple[str, str, str | None]]:
    """The ticket's history as (actor, action, field)."""
    with desk.database.session() as session:
        ticket = get_ticket(session, ref=ref)
        rows = session.execute(select(AuditEntry).where(AuditEntry.ticket_id == ticket.id).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.field) for e in rows.scalars()]
