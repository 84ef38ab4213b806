"""SLA clocks: one row per ticket and target (first response, resolution, approval).

A clock records when it started, the working time it spent paused, its current deadline and
75% point, and which steps were taken (warned, breached). `next_check_at` (indexed) is the next
moment the SLA sweep has something to do for it, NULL when nothing (paused, stopped, done), so a
sweep finds the due clocks with one index range scan and a repeated sweep finds nothing.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, backref, mapped_column, relationship

from storage.models import Base, Ticket, UtcDateTime


class SlaClock(Base):
    __tablename__ = "sla_clocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(32))  # first_response | resolution | approval
    business_hours: Mapped[bool] = mapped_column(Boolean)
    target_seconds: Mapped[int] = mapped_column(Integer)  # working seconds on its calendar
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)  # working time of finished pauses
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # paused since (None: running)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    warn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # met | breached | cancelled

    ticket: Mapped[Ticket] = relationship(
        Ticket, backref=backref("sla_clocks", lazy="selectin", order_by="SlaClock.id", cascade="all, delete-orphan"),
    )

    __table_args__ = (
        UniqueConstraint("ticket_id", "target", name="uq_sla_clocks_ticket_target"),
        Index("ix_sla_clocks_next_check_at", "next_check_at"),
    )

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


def due_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    """Tickets with a clock that has something due, most overdue first."""
    first_due = func.min(SlaClock.next_check_at)
    # Grouped on an expression, not the bare column: otherwise SQLite's planner walks the whole
    # (ticket_id, target) index to group instead of taking the next_check_at range (87x slower
    # at 100k open tickets, bench/sweep.py).
    ticket = (SlaClock.ticket_id + 0).label("ticket")
    statement = (
        select(ticket)
        .where(SlaClock.next_check_at <= now)
        .group_by(ticket)
        .order_by(first_due, ticket)
        .limit(limit)
    )
    if exclude:
        statement = statement.where(SlaClock.ticket_id.not_in(exclude))
    return list(session.execute(statement).scalars())


def due_clocks(session: Session, *, ticket_id: int, now: datetime) -> list[SlaClock]:
    statement = (
        select(SlaClock)
        .where(SlaClock.ticket_id == ticket_id, SlaClock.next_check_at <= now)
        .order_by(SlaClock.next_check_at, SlaClock.id)
        .execution_options(populate_existing=True)
    )
    return list(session.execute(statement).scalars())


def claim_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """Lock a ticket for a sweep's work on it, in this transaction; None when another replica
    (or a person's command) holds it right now, which the next pass picks up.

    PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`. SQLite has one writer at a time: taking the
    write lock first (a no-op UPDATE) makes the reads that follow see the latest committed state,
    so two processes never act on the same due row twice either; they queue instead of skipping.
    Everything that changes a ticket's clocks locks the ticket first, so locks are always taken
    in the same order (ticket, then its rows).
    """
    dialect = session.get_bind().dialect.name
    statement = select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    if dialect == "postgresql":
        return session.execute(statement.with_for_update(skip_locked=True)).scalar_one_or_none()
    if dialect == "sqlite":
        table = Ticket.__table__
        session.execute(update(table).where(table.c.id == ticket_id).values(updated_at=table.c.updated_at))
        return session.execute(statement).scalar_one_or_none()
    return session.execute(statement.with_for_update()).scalar_one_or_none()

