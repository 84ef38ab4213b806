"""Silence closes a resolved ticket: the auto-close sweep.

A resolved ticket whose "Is it fixed?" went unanswered for `follow_up.auto_close_after` is closed
by the desk; the requester is told and asked for a rating, the team is told.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.follow_up import close_after, closed_by_silence
from handlers.lifecycle import Actor, _status
from handlers.messages import Person
from handlers.sweeping import sweep_tickets
from storage import follow_up as store
from storage.models import Ticket

DESK = Actor(person=Person("system", "desk", "desk"), staff=None)


def sweep(desk: Desk) -> list[str]:
    return sweep_tickets(desk, name="auto-close", find=store.due_ticket_ids, act=_close)


def _close(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> list[str]:
    due = store.due_for_closing(session, ticket_id=ticket.id, now=now)
    if not due:
        return []
    for question in due:
        question.answered_at, question.answer, question.close_due_at = now, "no_answer", None
    if ticket.status != "resolved":
        return []
    wait = desk.organisation.follow_up.auto_close_after
    _status(session, desk, ticket, DESK, "closed", reason=f"no answer from the requester within {wait}")
    notify.queue_channel(session, desk, ticket, event="closed",
                         text=f"{ticket.ref} closed by itself: no answer from {ticket.requester_name} within {wait}.")
    notify.requester(session, desk, ticket, event="closed", text=closed_by_silence(ticket, wait))
    close_after(session, desk, ticket)
    return [f"{ticket.ref}: closed after {wait} without an answer"]
