"""Status updates to stakeholders: each P1/P2 ticket's cadence, and when the next update is due.

`next_due_at` (indexed) is when the assignee is next nudged; NULL when no update is expected
(waiting on hold, resolved, closed, or a priority without a cadence). A nudge moves it one
interval on, so a repeated sweep finds nothing and a sweep after downtime nudges once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, UtcDateTime


class UpdateCadence(Base):
    __tablename__ = "update_cadences"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_update_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_nudged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    nudges: Mapped[int] = mapped_column(Integer, default=0)
    updates: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_update_cadences_next_due_at", "next_due_at"),)


def cadence_of(session: Session, *, ticket_id: int) -> UpdateCadence | None:
    return session.get(UpdateCadence, ticket_id, populate_existing=True)


def due_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    statement = (
        select(UpdateCadence.ticket_id)
        .where(UpdateCadence.next_due_at <= now)
        .order_by(UpdateCadence.next_due_at, UpdateCadence.ticket_id)
        .limit(limit)
    )
    if exclude:
        statement = statement.where(UpdateCadence.ticket_id.not_in(exclude))
    return list(session.execute(statement).scalars())
