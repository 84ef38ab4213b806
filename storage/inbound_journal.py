"""The inbound journal: a chat event written down before the platform is told "got it".

Slack (and Socket Mode) must be acknowledged within 3 seconds, so the desk's work runs after the
ack. Without a record, a crash between the ack and the work's commit would lose a message that
Slack will never send again. The ack therefore commits the raw event here first; the work marks
it handled; a replay after a restart (or on another replica) finishes what was left. The work is
idempotent (inbound dedup keys), so a replay never makes a second ticket.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import JSON, Index, String, delete, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.database import Database, DatabaseUnavailable, create_db_engine
from storage.inbound import insert_once
from storage.models import Base, UtcDateTime

KEEP_HANDLED = timedelta(days=1)  # the payload holds user text: keep it no longer than needed


class InboundJournalEntry(Base):
    __tablename__ = "inbound_journal"
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (Index("ix_inbound_journal_handled_received", "handled_at", "received_at"),)


def write_down(session: Session, *, source: str, external_id: str, payload: dict, at: datetime) -> bool:
    """Record an event; False when it was already recorded (a retry, or another replica's)."""
    return insert_once(session, InboundJournalEntry, source=source, external_id=external_id, payload=payload,
                       received_at=at)


class GroupWrites:
    """Commits several events in one transaction before their acks (group commit): one
    multi-row `INSERT ... ON CONFLICT DO NOTHING` (a retried event is recorded once).

    On SQLite the writes go through an engine of their own whose connections do not wait inside
    SQLite's busy handler (it sleeps in growing steps, up to 100 ms at a time, while the ticket
    work holds the write lock) but retry every `retry_every` seconds, so an ack waits about as
    long as the transaction in its way and no longer. On PostgreSQL rows do not block each
    other here and the desk's own engine is used."""

    def __init__(self, database: Database, *, source: str, retry_every: float = 0.0005) -> None:
        self.source, self.retry_every = source, retry_every
        self._own_engine = database.is_sqlite
        if self._own_engine:
            self._engine = create_db_engine(database.engine.url.render_as_string(hide_password=False))
            event.listen(self._engine, "connect", _no_busy_wait)  # runs after the desk's own pragmas
            self._statement = sqlite_insert(InboundJournalEntry).on_conflict_do_nothing()
        else:
            self._engine = database.engine
            self._statement = postgresql_insert(InboundJournalEntry).on_conflict_do_nothing()

    def write(self, events: Iterable[tuple[str, dict]], *, at: datetime, deadline: float) -> None:
        """Commit (external id, payload) pairs; DatabaseUnavailable if not done by `deadline`
        (a time.monotonic() value)."""
        rows = [{"source": self.source, "external_id": external_id, "payload": payload, "received_at": at,
                 "handled_at": None} for external_id, payload in events]
        while True:
            try:
                with self._engine.begin() as connection:
                    connection.execute(self._statement, rows)
                return
            except OperationalError as error:
                locked = self._own_engine and "locked" in str(error.orig)
                if not locked or time.monotonic() + self.retry_every > deadline:
                    raise DatabaseUnavailable(f"the inbound journal could not be written ({error.orig})") from error
                time.sleep(self.retry_every)

    def dispose(self) -> None:
        if self._own_engine:
            self._engine.dispose()


def _no_busy_wait(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def mark_handled(session: Session, *, source: str, external_id: str, at: datetime) -> None:
    session.execute(update(InboundJournalEntry)
                    .where(InboundJournalEntry.source == source, InboundJournalEntry.external_id == external_id,
                           InboundJournalEntry.handled_at.is_(None))
                    .values(handled_at=at))


def unhandled(session: Session, *, source: str, received_before: datetime, limit: int = 100) -> list[tuple[str, dict]]:
    """(external id, payload) of events recorded before `received_before` and never handled,
    oldest first."""
    rows = session.execute(
        select(InboundJournalEntry.external_id, InboundJournalEntry.payload)
        .where(InboundJournalEntry.source == source, InboundJournalEntry.handled_at.is_(None),
               InboundJournalEntry.received_at < received_before)
        .order_by(InboundJournalEntry.received_at).limit(limit)
    )
    return [(external_id, payload) for external_id, payload in rows]


def forget_handled(session: Session, *, now: datetime) -> int:
    return session.execute(delete(InboundJournalEntry).where(
        InboundJournalEntry.handled_at.is_not(None), InboundJournalEntry.handled_at < now - KEEP_HANDLED)).rowcount
