"""Report charts waiting to be delivered, and which scheduled reports were sent.

A chart is kept as bytes in `report_files`, so the outbox message that carries it (by id) can be
delivered by any replica, after a restart too. `reports_sent` has one row per scheduled report
(its unique key names the period), so two replicas, or a sweep run twice, send it once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, UtcDateTime


class ReportFile(Base):
    __tablename__ = "report_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ReportSent(Base):
    __tablename__ = "reports_sent"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. weekly:2026-11-23
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    file_id: Mapped[int | None] = mapped_column(Integer)


def store_file(session: Session, *, filename: str, content: bytes, at: datetime,
               content_type: str = "image/png") -> ReportFile:
    row = ReportFile(filename=filename, content_type=content_type, content=content, created_at=at)
    session.add(row)
    session.flush()  # the id goes into the outbox payload
    return row


def load_file(session: Session, file_id: int) -> ReportFile | None:
    return session.get(ReportFile, file_id)


def purge_files(session: Session, *, before: datetime) -> int:
    """Forget charts older than `before` (delivered long ago, or never deliverable)."""
    return session.execute(delete(ReportFile).where(ReportFile.created_at < before)).rowcount or 0


def was_sent(session: Session, key: str) -> bool:
    return session.execute(select(ReportSent.key).where(ReportSent.key == key)).first() is not None


def any_sent(session: Session, *, prefix: str) -> bool:
    return session.execute(select(ReportSent.key).where(ReportSent.key.startswith(prefix)).limit(1)).first() is not None


def mark_sent(session: Session, *, key: str, at: datetime, file_id: int | None) -> None:
    """Record a scheduled report; a second replica's insert fails on the primary key."""
    session.add(ReportSent(key=key, sent_at=at, file_id=file_id))
    session.flush()
