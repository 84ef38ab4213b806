"""Major incidents and the chat channels the desk opens for them.

- `MajorIncident`: one per ticket: its channel, lead, who declared it and when, the update
  cadence, and the resolve summary and archiving (`archive_due_at`, indexed, for the sweep).
- `ChannelAlias`: a channel the desk asked a front end to create, by the name it asked for, and
  the platform's id once it exists (the relay resolves names to ids, so messages queued before
  the channel existed still reach it).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, UtcDateTime


class MajorIncident(Base):
    __tablename__ = "major_incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(128))  # the address messages use (a name until created)
    lead: Mapped[str | None] = mapped_column(String(64))  # a staff name
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    archive_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_major_incidents_archive_due_at", "archive_due_at"),)


class ChannelAlias(Base):
    __tablename__ = "channel_aliases"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    ref: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def major_incident_of(session: Session, *, ticket_id: int) -> MajorIncident | None:
    return session.execute(
        select(MajorIncident).where(MajorIncident.ticket_id == ticket_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def due_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    statement = (
        select(MajorIncident.ticket_id)
        .where(MajorIncident.archive_due_at <= now)
        .order_by(MajorIncident.archive_due_at, MajorIncident.ticket_id)
        .limit(limit)
    )
    if exclude:
        statement = statement.where(MajorIncident.ticket_id.not_in(exclude))
    return list(session.execute(statement).scalars())


def remember_channel(session: Session, *, platform: str, name: str, ref: str, at: datetime) -> None:
    alias = session.get(ChannelAlias, (platform, name))
    if alias is None:
        session.add(ChannelAlias(platform=platform, name=name, ref=ref, created_at=at))
    else:
        alias.ref = ref


def channel_ref(session: Session, *, platform: str, name: str) -> str | None:
    alias = session.get(ChannelAlias, (platform, name))
    return alias.ref if alias is not None else None
