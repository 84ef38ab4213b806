"""The audit trail: every state change (and every refusal) leaves a row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import AuditEntry, Ticket


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    ticket: Ticket | None = None,
    field: str | None = None,
    before: object = None,
    after: object = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        ticket_id=ticket.id if ticket is not None else None,
        actor=actor,
        action=action,
        field=field,
        before=None if before is None else str(before),
        after=None if after is None else str(after),
        reason=reason,
        created_at=at,
    )
    session.add(entry)
    return entry
