"""Staff corrections of the classifier, kept as labelled examples for retraining."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import FeedbackExample, Ticket

TEXT_LIMIT = 5_000


def add_example(session: Session, *, ticket: Ticket, intent: str, queue: str | None, actor: str, at: datetime) -> None:
    """Record what the ticket's text really is; a later correction of the same ticket replaces it."""
    existing = session.execute(
        select(FeedbackExample).where(FeedbackExample.ticket_id == ticket.id)
    ).scalar_one_or_none()
    if existing is None:
        existing = FeedbackExample(ticket_id=ticket.id, text=ticket.description[:TEXT_LIMIT])
        session.add(existing)
    existing.intent, existing.queue, existing.actor, existing.created_at = intent, queue, actor, at


def examples(session: Session) -> list[dict]:
    rows = session.execute(select(FeedbackExample).order_by(FeedbackExample.id)).scalars()
    return [{"text": r.text, "intent": r.intent, "queue": r.queue} for r in rows]
