"""Catalog requests on record: the form a service request is filled through (which item, which
question is pending), the details collected, and the team's fulfilment checklist."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, UtcDateTime

# confirming: "Sounds like X: right?" · collecting: asking fields · approval: waiting for approvers ·
# fulfilment: the team works the steps · done | declined (not that item) | cancelled | denied
FORM_STATES = ("confirming", "collecting", "approval", "fulfilment", "done", "resolved", "declined", "cancelled",
               "denied")  # resolved: the ticket was resolved before the form finished (reopening resumes it)
ASKING = ("confirming", "collecting")


class RequestForm(Base):
    """A service request matched to a catalog item, one per ticket."""

    __tablename__ = "request_forms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    item_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    pending_field: Mapped[str | None] = mapped_column(String(64))  # the field last asked for
    platform: Mapped[str] = mapped_column(String(16))  # the requester, who answers
    user_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[float]
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when the pending question was asked
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_request_forms_person", "platform", "user_id", "state"),)


class RequestField(Base):
    """One detail collected for a request (typed, pressed, or read from the first message)."""

    __tablename__ = "request_fields"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("request_forms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the field's place in the catalog item
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # first_message | typed | button
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("form_id", "name", name="uq_request_fields_form_name"),)


class FulfilmentStep(Base):
    """One line of the team's checklist for a request, ticked off with `/sd done`."""

    __tablename__ = "fulfilment_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ...
    name: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("ticket_id", "position", name="uq_fulfilment_steps_ticket_position"),)


def add_form(session: Session, *, ticket_id: int, item_id: str, platform: str, user_id: str, score: float,
             at: datetime) -> RequestForm:
    form = RequestForm(ticket_id=ticket_id, item_id=item_id, state="confirming", platform=platform, user_id=user_id,
                       score=score, asked_at=at, created_at=at, updated_at=at)
    session.add(form)
    session.flush()
    return form


def form_of_ticket(session: Session, *, ticket_id: int, for_update: bool = False) -> RequestForm | None:
    statement = select(RequestForm).where(RequestForm.ticket_id == ticket_id)
    if for_update:
        statement = statement.with_for_update()
    return session.execute(statement).scalar_one_or_none()


def asking_form(session: Session, *, platform: str, user_id: str, since: datetime) -> RequestForm | None:
    """The person's latest form still asking them something (asked since `since`)."""
    return session.execute(
        select(RequestForm)
        .where(RequestForm.platform == platform, RequestForm.user_id == user_id, RequestForm.state.in_(ASKING),
               RequestForm.asked_at >= since)
        .order_by(RequestForm.asked_at.desc(), RequestForm.id.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()


def fields_of(session: Session, *, form_id: int) -> list[RequestField]:
    return list(session.execute(
        select(RequestField).where(RequestField.form_id == form_id).order_by(RequestField.position, RequestField.id)
    ).scalars())


def set_field(session: Session, *, form: RequestForm, position: int, name: str, value: str, source: str,
              at: datetime) -> None:
    existing = session.execute(
        select(RequestField).where(RequestField.form_id == form.id, RequestField.name == name)
    ).scalar_one_or_none()
    if existing is not None:
        existing.value, existing.source, existing.created_at = value, source, at
        return
    session.add(RequestField(form_id=form.id, position=position, name=name, value=value, source=source,
                             created_at=at))
    session.flush()


def add_steps(session: Session, *, ticket_id: int, names: list[str]) -> list[FulfilmentStep]:
    steps = [FulfilmentStep(ticket_id=ticket_id, position=n, name=name) for n, name in enumerate(names, start=1)]
    session.add_all(steps)
    session.flush()
    return steps


def steps_of(session: Session, *, ticket_id: int) -> list[FulfilmentStep]:
    return list(session.execute(
        select(FulfilmentStep).where(FulfilmentStep.ticket_id == ticket_id).order_by(FulfilmentStep.position)
    ).scalars())
