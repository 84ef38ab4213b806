"""Read-only look-ups that chat front ends need for their UI, platform-neutral: ticket ids to
suggest while someone types one, and the ticket a conversation thread belongs to."""
from __future__ import annotations

from sqlalchemy import or_, select

from handlers.desk import Desk
from handlers.lifecycle import actor_for
from handlers.messages import Conversation, Person
from handlers.views import STATUS_LABEL, snapshot
from storage.models import Ticket
from storage.tickets import ticket_of_conversation

SUGGESTIBLE = ("new", "assigned", "in_progress", "on_hold", "resolved")  # closed tickets are done


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def ticket_suggestions(desk: Desk, person: Person, typed: str, *, limit: int = 25) -> list[tuple[str, str]]:
    """(ticket id, one-line label) of tickets this person may name, newest first, matching what
    they typed so far (the start of an id, or words of the title). End users see their own
    tickets; queue staff the tickets of their queues; the service desk and managers all."""
    actor = actor_for(desk, person)
    statement = select(Ticket).where(Ticket.status.in_(SUGGESTIBLE))
    if actor.staff is None:
        statement = statement.where(Ticket.requester_platform == person.platform,
                                    Ticket.requester_id == person.user_id)
    elif not actor.staff.works_all_queues():
        statement = statement.where(Ticket.queue.in_(actor.staff.queues or ["-"]))
    typed = typed.strip()
    if typed:
        compact = typed.upper().lstrip("#").replace(" ", "")
        matches = [Ticket.ref.like(_like(compact) + "%", escape="\\"),
                   Ticket.title.ilike("%" + _like(typed) + "%", escape="\\")]
        if compact.isdigit():  # "12" finds INC-12, REQ-12, ACC-12
            matches.append(Ticket.ref.like("%-" + compact + "%"))
        statement = statement.where(or_(*matches))
    statement = statement.order_by(Ticket.id.desc()).limit(limit)
    with desk.database.session() as session:
        tickets = session.execute(statement).scalars().all()
        return [(t.ref, f"{t.ref} · {t.priority} · {STATUS_LABEL[t.status]} · {t.title}") for t in tickets]


def ticket_of_thread(desk: Desk, conversation: Conversation) -> dict | None:
    """The newest ticket whose conversation is this thread, as a snapshot; None for a thread
    that belongs to no ticket (or no thread at all)."""
    if not conversation.thread:
        return None
    with desk.database.session() as session:
        ticket = ticket_of_conversation(session, platform=conversation.platform, channel=conversation.channel,
                                        thread=conversation.thread)
        return snapshot(ticket) if ticket is not None else None
