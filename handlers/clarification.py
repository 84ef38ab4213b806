"""When the classifier is unsure, the desk asks instead of guessing, and the answer opens the
right ticket: "Is something broken, do you need something, or do you need access?"

Front ends show the choices as buttons (value `ID:CHOICE`) or as a numbered list; a typed answer
("1", "2", "3", or the words) settles the writer's latest open question too.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import buttons
from handlers.desk import Desk
from handlers.messages import Conversation, Inbound, Person, Reply
from storage.models import Clarification

QUESTION = "I'm not sure I understood. Is something broken, do you need something, or do you need access?"
CHOICES: list[tuple[str, str]] = [
    ("incident", "Something is broken"),
    ("service_request", "I need something"),
    ("access_request", "I need access"),
]
_WORDS = {
    "1": "incident", "2": "service_request", "3": "access_request",
    "broken": "incident", "something is broken": "incident", "incident": "incident",
    "need something": "service_request", "i need something": "service_request", "request": "service_request",
    "access": "access_request", "i need access": "access_request",
}
OPEN_FOR = timedelta(days=1)


def ask(session: Session, desk: Desk, inbound: Inbound, text: str, classification) -> Reply:
    question = Clarification(
        platform=inbound.person.platform, user_id=inbound.person.user_id,
        display_name=inbound.person.display_name, conversation_channel=inbound.conversation.channel,
        conversation_thread=inbound.conversation.thread, text=text, queue=classification.queue,
        impact=classification.impact, urgency=classification.urgency, created_at=desk.clock.now(),
    )
    session.add(question)
    session.flush()
    return Reply(QUESTION, choices=[(f"{question.id}:{value}", label) for value, label in CHOICES])


def typed_choice(text: str) -> str | None:
    return _WORDS.get(text.strip().lower().rstrip(".!"))


def pending(session: Session, desk: Desk, person: Person) -> Clarification | None:
    return session.execute(
        select(Clarification)
        .where(
            Clarification.platform == person.platform,
            Clarification.user_id == person.user_id,
            Clarification.answered_at.is_(None),
            Clarification.created_at >= desk.clock.now() - OPEN_FOR,
        )
        .order_by(Clarification.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def answer(session: Session, desk: Desk, person: Person, question: Clarification, kind: str) -> Reply | None:
    """Open the ticket the writer meant. Only the writer can answer their question."""
    from handlers.intake import open_ticket
    from nlp.priority import priority_for

    if (question.platform, question.user_id) != (person.platform, person.user_id):
        return Reply("That question was for someone else.", ok=False)
    if question.answered_at is not None:
        return Reply("That was answered already.", ok=False)
    if kind not in dict(CHOICES):
        return Reply(f"'{kind}' is not one of the choices.", ok=False)
    question.answered_at = desk.clock.now()
    question.answer = kind
    queue = question.queue or _default_queue(kind)
    ticket = open_ticket(
        session, desk, person=person,
        conversation=Conversation(question.platform, question.conversation_channel, question.conversation_thread),
        text=question.text, kind=kind, queue=queue, impact=question.impact, urgency=question.urgency,
        priority=priority_for(question.impact, question.urgency), actor_name=person.display_name,
    )
    question.ticket_id = ticket.id
    return None


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply | None:
    """A pressed button's value: `ID:CHOICE` for a clarification; other questions' buttons go to
    the module `handlers.buttons.ROUTES` names for their prefix."""
    routed = buttons.route(value)
    if routed is not None:
        return routed(desk, person, value)
    number, _, kind = value.partition(":")
    if not number.isdigit():
        return Reply("That button is not one of mine.", ok=False)
    with desk.database.session() as session:
        question = session.get(Clarification, int(number))
        if question is None:
            return Reply("That question has expired; please write your message again.", ok=False)
        return answer(session, desk, person, question, kind)


def _default_queue(kind: str) -> str:
    return "application" if kind == "access_request" else "technical"
