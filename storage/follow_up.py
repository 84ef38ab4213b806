"""Closing the loop with the requester: "Is it fixed?" after a resolve, and a 1-5 rating after
a close. One row per question asked; the answer (and a rating's comment) is stored on it.

A "fixed?" question carries `close_due_at` (indexed): when silence closes the ticket. It is
cleared once the question is settled (answered, or the ticket reopened or closed another way),
so the auto-close sweep finds each ticket once.

A "which" row is the desk's question back when a typed yes/no fits more than one open "fixed?"
question ("Which one do you mean?"): its `comment` holds, as JSON, the yes/no waiting to be
applied, the candidate questions' ids (in the order listed) and the requester's comment; it is
settled (answered_at) once one of them is answered.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Ticket, UtcDateTime

FIXED, RATING, WHICH = "fixed", "rating", "which"


class FollowUp(Base):
    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # fixed | rating | which
    platform: Mapped[str] = mapped_column(String(16))  # the requester, who alone may answer
    user_id: Mapped[str] = mapped_column(String(128))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(32))  # yes | no | 1..5 | reopened | closed | no_answer
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_follow_ups_close_due_at", "close_due_at"),
        Index("ix_follow_ups_person", "platform", "user_id", "answered_at"),
    )


def answerable(session: Session, *, platform: str, user_id: str, now: datetime) -> list[FollowUp]:
    """A person's questions a typed answer can still settle, newest first: the unanswered ones,
    and a rating without a comment yet (sending it again with a comment, or a comment written soon
    after it, adds one)."""
    statement = (
        select(FollowUp)
        .where(FollowUp.platform == platform, FollowUp.user_id == user_id,
               or_(FollowUp.answered_at.is_(None),
                   and_(FollowUp.kind == RATING, FollowUp.answer.in_(("1", "2", "3", "4", "5")),
                        FollowUp.comment.is_(None))))
        .order_by(FollowUp.asked_at.desc(), FollowUp.id.desc())
        .limit(20)
    )
    return [q for q in session.execute(statement).scalars() if q.expires_at is None or q.expires_at > now]


def settle_open(session: Session, *, ticket_id: int, kind: str, answer: str, at: datetime) -> int:
    """Mark a ticket's unanswered questions of a kind as settled (e.g. reopened by staff)."""
    rows = session.execute(
        select(FollowUp).where(FollowUp.ticket_id == ticket_id, FollowUp.kind == kind, FollowUp.answered_at.is_(None))
    ).scalars().all()
    for row in rows:
        row.answered_at, row.answer, row.close_due_at = at, answer, None
    return len(rows)


def settle_which(session: Session, *, platform: str, user_id: str, answer: str, at: datetime) -> None:
    """Settle a person's open "which one?" questions (one of the candidates was answered, or it was asked again)."""
    rows = session.execute(
        select(FollowUp).where(FollowUp.platform == platform, FollowUp.user_id == user_id, FollowUp.kind == WHICH,
                               FollowUp.answered_at.is_(None))
    ).scalars().all()
    for row in rows:
        row.answered_at, row.answer = at, answer


def open_fixed(session: Session, *, ticket_id: int) -> FollowUp | None:
    return session.execute(
        select(FollowUp).where(FollowUp.ticket_id == ticket_id, FollowUp.kind == FIXED, FollowUp.answered_at.is_(None))
        .order_by(FollowUp.id.desc()).limit(1)
    ).scalar_one_or_none()


def opened_since(session: Session, *, platform: str, user_id: str, since: datetime) -> bool:
    """Whether the person has opened a ticket since `since` (a message after it is about that, not a rating)."""
    return session.execute(
        select(Ticket.id).where(Ticket.requester_platform == platform, Ticket.requester_id == user_id,
                                Ticket.created_at > since).limit(1)
    ).first() is not None


def due_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    statement = (
        select(FollowUp.ticket_id)
        .where(FollowUp.close_due_at <= now)
        .order_by(FollowUp.close_due_at, FollowUp.ticket_id)
        .limit(limit)
    )
    if exclude:
        statement = statement.where(FollowUp.ticket_id.not_in(exclude))
    return list(session.execute(statement).scalars())


def due_for_closing(session: Session, *, ticket_id: int, now: datetime) -> list[FollowUp]:
    return list(session.execute(
        select(FollowUp).where(FollowUp.ticket_id == ticket_id, FollowUp.close_due_at <= now)
        .execution_options(populate_existing=True)
    ).scalars())


def ratings(session: Session, *, since: datetime | None = None) -> list[FollowUp]:
    """Answered satisfaction ratings (for reports)."""
    statement = select(FollowUp).where(FollowUp.kind == RATING, FollowUp.rating.is_not(None))
    if since is not None:
        statement = statement.where(FollowUp.answered_at >= since)
    return list(session.execute(statement.order_by(FollowUp.answered_at)).scalars())
