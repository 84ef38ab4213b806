"""When the classifier is unsure, the desk asks instead of guessing, and the answer opens the
right ticket: "Is something broken, do you need something, or do you need access?"

Front ends show the choices as buttons (value `ID:CHOICE`) or as a numbered list; a typed answer
("1", "2", "3", or the words) settles the writer's latest open question too.

While the question is the newest one the desk asked the writer (`typed_reply`, which intake
reaches before the other questions' answers):
- "cancel" ("never mind", "forget it") drops it: nothing is logged, and the writer is told so;
- anything else that is no choice and no new matter ("hmm, the adobe one"), written within
  DETAIL_FOR, is a detail of the message: it is kept with it (the ticket the choice opens has
  both in its description) and the question is asked again. Thanks, "my tickets", greetings and
  messages naming a ticket are for the desk, not details.
"""
from __future__ import annotations

import re
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
DETAIL_FOR = timedelta(hours=1)  # a later message is about something else, not a detail of this one
CANCEL = frozenset({"cancel", "cancel it", "cancel that", "stop", "never mind", "nevermind", "forget it",
                    "forget about it", "ignore that", "ignore it", "nothing", "no thanks"})
AGAIN = "is something broken, do you need something, or do you need access?"
_FOR_THE_DESK = re.compile(
    r"^(?:hi|hello|hey|morning|good (?:morning|afternoon|evening)|help|thanks?|thank you|thx|ty|cheers)\b"
    r"|\b(?:my|mine)\b.*\b(?:tickets?|requests?|incidents?|cases?)\b|\b(?:INC|REQ|ACC|PRB)[\s-]?\d+\b"
    r"|^what can you do", re.IGNORECASE)


def ask(session: Session, desk: Desk, inbound: Inbound, text: str, classification) -> Reply:
    question = Clarification(
        platform=inbound.person.platform, user_id=inbound.person.user_id,
        display_name=inbound.person.display_name, conversation_channel=inbound.conversation.channel,
        conversation_thread=inbound.conversation.thread, text=text, queue=classification.queue,
        impact=classification.impact, urgency=classification.urgency, created_at=desk.clock.now(),
    )
    session.add(question)
    session.flush()
    return Reply(QUESTION, choices=_choices(question))


def typed_choice(text: str) -> str | None:
    return _WORDS.get(text.strip().lower().rstrip(".!"))


def cancels(text: str) -> bool:
    """Whether the text drops the question ("cancel", "never mind")."""
    return " ".join(text.lower().strip(" .!").split()) in CANCEL


def typed_reply(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """A cancel or a detail for the writer's pending question, when it is the newest thing the
    desk asked them (the module docstring); None leaves the message to the rest of intake."""
    from handlers.new_matter import reads_as_new_matter

    question = pending(session, desk, person)
    if question is None or typed_choice(text) is not None or _asked_since(session, desk, person, question):
        return None
    now = desk.clock.now()
    if cancels(text):
        question.answered_at, question.answer = now, "cancelled"
        return Reply("OK, I've dropped that message; nothing was logged. Tell me any time something's broken "
                     "or you need something.")
    if (now - question.created_at > DETAIL_FOR or _FOR_THE_DESK.search(text)
            or reads_as_new_matter(desk, classification, text)):
        return None
    question.text = f"{question.text}\n{text}"
    question.created_at = now  # asked again: the newest question, open for another OPEN_FOR
    return Reply(f"Thanks, I've kept that with your message. To log it with the right team: {AGAIN}",
                 choices=_choices(question))


def _asked_since(session: Session, desk: Desk, person: Person, question: Clarification) -> bool:
    """Whether the desk asked the person something after this question: a catalog detail, an
    access request's detail, "Is it fixed?" or a rating, a workaround offer, or staff asked on one
    of their tickets (handlers/awaited_replies.py)."""
    from handlers.awaited_replies import awaited
    from handlers.lifecycle import actor_for
    from storage import catalog as forms
    from storage.access import pending_question
    from storage.follow_up import answerable
    from storage.problems import WorkaroundOffer

    now, since = desk.clock.now(), question.created_at
    form = forms.asking_form(session, platform=person.platform, user_id=person.user_id, since=since)
    access = pending_question(session, platform=person.platform, user_id=person.user_id, since=since)
    if (form is not None and form.asked_at > since) or (access is not None and access.asked_at > since):
        return True
    if any(q.asked_at > since for q in answerable(session, platform=person.platform, user_id=person.user_id,
                                                  now=now)):
        return True
    if any(a.asked_at > since for a in awaited(session, desk, actor_for(desk, person))):
        return True
    return session.execute(
        select(WorkaroundOffer.id).where(WorkaroundOffer.platform == person.platform,
                                         WorkaroundOffer.user_id == person.user_id,
                                         WorkaroundOffer.answered_at.is_(None),
                                         WorkaroundOffer.created_at > since).limit(1)
    ).first() is not None


def _choices(question: Clarification) -> list[tuple[str, str]]:
    return [(f"{question.id}:{value}", label) for value, label in CHOICES]


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
