"""Problems and known errors: the cause of one or more incidents, their links, the workaround
offers made at intake, and the "these look related" notices already given."""
from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Ticket, UtcDateTime
from storage.tickets import OPEN_STATUSES, next_number

PROBLEM_STATUSES = ("open", "known_error", "resolved")
_REF = re.compile(r"^#?\s*PRB\s*-?\s*(\d{1,9})$", re.IGNORECASE)


class Problem(Base):
    __tablename__ = "problems"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | known_error | resolved
    root_cause: Mapped[str | None] = mapped_column(Text)
    workaround: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    known_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProblemLink(Base):
    """An incident caused by a problem. An incident has at most one problem."""

    __tablename__ = "problem_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    linked_by: Mapped[str] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(32))  # command | workaround_accepted | new_problem
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WorkaroundOffer(Base):
    """A known error's workaround offered to a requester at intake, waiting for Yes or No."""

    __tablename__ = "workaround_offers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(8))  # yes | no

    __table_args__ = (Index("ix_workaround_offers_person", "platform", "user_id", "answered_at"),)


class RecurrenceNotice(Base):
    """A queue channel was told that these incidents look related (told once per cluster)."""

    __tablename__ = "recurrence_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(32))
    ticket_ids: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id", ondelete="SET NULL"))


def parse_problem_ref(text: str) -> str | None:
    match = _REF.match(text.strip())
    return f"PRB-{int(match.group(1))}" if match else None


def add_problem(session: Session, *, title: str, opened_by: str, at: datetime) -> Problem:
    number = next_number(session, kind="problem")  # its own counter row beside INC/REQ/ACC
    problem = Problem(ref=f"PRB-{number}", number=number, title=title, status="open", opened_by=opened_by,
                      created_at=at, updated_at=at)
    session.add(problem)
    session.flush()
    return problem


def get_problem(session: Session, *, ref: str, for_update: bool = False) -> Problem | None:
    statement = select(Problem).where(Problem.ref == ref)
    if for_update:
        statement = statement.with_for_update()
    return session.execute(statement).scalar_one_or_none()


def list_problems(session: Session, *, include_resolved: bool = False, limit: int = 50) -> list[Problem]:
    statement = select(Problem)
    if not include_resolved:
        statement = statement.where(Problem.status != "resolved")
    return list(session.execute(statement.order_by(Problem.id).limit(limit)).scalars())


def known_errors(session: Session, *, limit: int = 500) -> list[Problem]:
    """Problems with a documented workaround that are not resolved yet."""
    return list(session.execute(
        select(Problem).where(Problem.status == "known_error", Problem.workaround.is_not(None))
        .order_by(Problem.id.desc()).limit(limit)
    ).scalars())


def problem_of_ticket(session: Session, *, ticket_id: int) -> Problem | None:
    return session.execute(
        select(Problem).join(ProblemLink, ProblemLink.problem_id == Problem.id)
        .where(ProblemLink.ticket_id == ticket_id)
    ).scalar_one_or_none()


def link(session: Session, *, problem: Problem, ticket: Ticket, linked_by: str, via: str, at: datetime) -> ProblemLink:
    entry = ProblemLink(problem_id=problem.id, ticket_id=ticket.id, linked_by=linked_by, via=via, created_at=at)
    session.add(entry)
    session.flush()
    return entry


def linked_tickets(session: Session, *, problem: Problem, open_only: bool = False) -> list[Ticket]:
    statement = (select(Ticket).join(ProblemLink, ProblemLink.ticket_id == Ticket.id)
                 .where(ProblemLink.problem_id == problem.id).order_by(Ticket.id))
    if open_only:
        statement = statement.where(Ticket.status.in_(OPEN_STATUSES))
    return list(session.execute(statement).scalars())


def linked_titles(session: Session, *, problem_ids: list[int], per_problem: int = 20) -> dict[int, list[str]]:
    """The titles of each problem's incidents: how users described its symptoms."""
    found: dict[int, list[str]] = {pid: [] for pid in problem_ids}
    if not problem_ids:
        return found
    rows = session.execute(
        select(ProblemLink.problem_id, Ticket.title).join(Ticket, Ticket.id == ProblemLink.ticket_id)
        .where(ProblemLink.problem_id.in_(problem_ids)).order_by(ProblemLink.id.desc())
    )
    for problem_id, title in rows:
        if len(found[problem_id]) < per_problem:
            found[problem_id].append(title)
    return found


def add_offer(session: Session, *, ticket: Ticket, problem: Problem, score: float, at: datetime) -> WorkaroundOffer:
    offer = WorkaroundOffer(ticket_id=ticket.id, problem_id=problem.id, platform=ticket.requester_platform,
                            user_id=ticket.requester_id, score=score, created_at=at)
    session.add(offer)
    session.flush()
    return offer


def pending_offer(session: Session, *, platform: str, user_id: str, since: datetime) -> WorkaroundOffer | None:
    return session.execute(
        select(WorkaroundOffer)
        .where(WorkaroundOffer.platform == platform, WorkaroundOffer.user_id == user_id,
               WorkaroundOffer.answered_at.is_(None), WorkaroundOffer.created_at >= since)
        .order_by(WorkaroundOffer.id.desc()).limit(1)
    ).scalar_one_or_none()


class IncidentText(NamedTuple):
    id: int
    ref: str
    text: str
    linked: bool  # to a problem already


def recent_incident_texts(session: Session, *, since: datetime, exclude_platform: str, limit: int = 1000,
                          title: bool = False) -> list[IncidentText]:
    """The description (or `title`) of incidents opened since `since`, newest first, leaving out
    the ones monitoring opened. Only these columns are read: this runs for every new incident."""
    text = Ticket.title if title else Ticket.description
    rows = session.execute(
        select(Ticket.id, Ticket.ref, text, ProblemLink.id.is_not(None))
        .outerjoin(ProblemLink, ProblemLink.ticket_id == Ticket.id)
        .where(Ticket.kind == "incident", Ticket.created_at >= since, Ticket.requester_platform != exclude_platform)
        .order_by(Ticket.id.desc()).limit(limit)
    )
    return [IncidentText(*row) for row in rows]


def notices_since(session: Session, *, since: datetime) -> list[RecurrenceNotice]:
    return list(session.execute(select(RecurrenceNotice).where(RecurrenceNotice.created_at >= since)).scalars())


def add_notice(session: Session, *, queue: str, ticket_ids: list[int], at: datetime) -> RecurrenceNotice:
    notice = RecurrenceNotice(queue=queue, ticket_ids=sorted(ticket_ids), created_at=at)
    session.add(notice)
    session.flush()
    return notice
