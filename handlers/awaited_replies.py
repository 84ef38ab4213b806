"""A requester's plain message answering what staff last asked on one of their tickets.

The console and direct messages have no threads, so the answer to "/sd reply INC-1 can you bring
it to desk 4?" comes as a plain "yes, I'll bring it at 3pm". A ticket awaits the requester's
answer when the last word on it is the team's and invites one, recently (`REPLY_WINDOW`), with no
word from the requester since:
- a public staff reply with a question in it ("can you bring it to desk 4?");
- a known error's workaround sent to them, which says "reply here" (handlers/problems.py).

With exactly one such ticket, a plain message that reads as an answer goes to it as a comment
("Added to INC-1"); with several, the desk asks which (the message naming the ticket is a comment on
it: handlers/ticket_mentions.py). A message the model files as a ticket kind with confidence, that
does not start like an answer ("yes", "no", "I'll", "it", "that workaround", ...) opens its own
ticket; greetings, help, "my tickets", bare thanks and progress questions are not answers. When the
desk asked the writer something newer ("Is it fixed?", a workaround offer, a rating), that question
has the first go at the message (handlers/follow_up.py, handlers/known_errors.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import clarification
from handlers.desk import Desk
from handlers.lifecycle import Actor, requester_comment
from handlers.mention_reading import read, refs_in
from handlers.messages import Conversation, Reply
from handlers.new_matter import TICKET_INTENTS
from storage import follow_up as follow_up_store
from storage import problems as problem_store
from storage.models import AuditEntry, Ticket
from storage.tickets import list_tickets, ticket_of_conversation

REPLY_WINDOW = timedelta(days=3)  # an answer after a long weekend still counts; later, it is a new message
ASKED, WORKAROUND, ANSWERED = "reply", "workaround_sent", "requester_reply"  # audit actions (handlers/lifecycle.py)
ASK_LIMIT = 80  # of the question, quoted in "Which ticket is that about?"
_REPLY_START = re.compile(  # how an answer starts, even one that reads like a new matter ("still drops every hour")
    r"^\W*(?:yes|yeah|yep|yup|sure|of course|ok|okay|alright|fine|no|nope|nah|not yet|sorry|thanks?|thank you|cheers"
    r"|will do|i will|i'?ll|i can(?!'?t|not)|i (?:can'?t|cannot)(?= *[,.;:!\-–—]|\W*$)|i could|i won'?t|i have"
    r"|i'?ve|i did|i tried|we will|we'?ll|we can|we'?ve|it|it'?s|its|(?:that|the|your) (?:workaround|fix|suggestion)"
    r"|that (?:did|didn'?t|does|doesn'?t|works?|worked|helped|won'?t)|tried|still|done|did|didn'?t|doesn'?t|same"
    r"|tomorrow|today|tonight|(?:on |at |by |after |before |around )?(?:monday|tuesday|wednesday|thursday|friday"
    r"|\d{1,2}(?::\d\d)? ?(?:am|pm)|noon|lunch))\b",
    re.IGNORECASE)
_NOT_AN_ANSWER = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|morning)(?: there| all| team| everyone)?"
    r"|help|what can you do\??|who are you\??|what do you do\??)\W*$"
    r"|\b(?:my|mine)\b.*\b(?:tickets?|requests?|incidents?|cases?)\b|\bopen tickets\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Awaited:
    ticket: Ticket
    asked_at: datetime
    asked_by: str  # who asked, as the requester reads it
    question: str  # what was asked ("can you bring it to desk 4?"), or the workaround notice
    workaround: bool


def awaited(session: Session, desk: Desk, actor: Actor) -> list[Awaited]:
    """The writer's open tickets whose last word is the team's and awaits their answer, newest first."""
    tickets = {t.id: t for t in list_tickets(session, requester=(actor.person.platform, actor.person.user_id))}
    if not tickets:
        return []
    rows = session.execute(
        select(AuditEntry)
        .where(AuditEntry.ticket_id.in_(list(tickets)), AuditEntry.action.in_((ASKED, WORKAROUND, ANSWERED)))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).scalars()
    latest: dict[int, AuditEntry] = {}
    for row in rows:
        latest.setdefault(row.ticket_id, row)
    since = desk.clock.now() - REPLY_WINDOW
    found = []
    for ticket_id, row in latest.items():
        ticket = tickets[ticket_id]
        if row.action == ANSWERED or row.created_at < since:
            continue
        said = next((c for c in reversed(ticket.comments) if c.visibility == "public"), None)
        if said is None or (row.action == ASKED and "?" not in said.body):
            continue
        member = desk.organisation.staff_named(row.actor)
        found.append(Awaited(ticket, row.created_at, member.label if member else row.actor, said.body,
                             row.action == WORKAROUND))
    return sorted(found, key=lambda a: a.asked_at, reverse=True)


def awaits_answer(session: Session, desk: Desk, actor: Actor, ticket: Ticket) -> bool:
    """Whether staff wait for the writer's answer on `ticket`."""
    return any(a.ticket.id == ticket.id for a in awaited(session, desk, actor))


def typed_reply(session: Session, desk: Desk, actor: Actor, text: str, classification, *,
                conversation: Conversation, yield_to_newer: bool) -> Reply | None:
    """The answer to a plain message that replies to what staff asked (module docstring), after
    keeping it on the ticket; None when it is not such a reply. With `yield_to_newer` (intake asks
    before the desk's own questions are answered) None too when the desk asked the writer something
    since: intake asks again once those have had their go."""
    if refs_in(text) or _NOT_AN_ANSWER.search(text) or _in_a_tickets_thread(session, conversation):
        return None
    reading = read(text, replying=True)
    if reading.withdraws or (reading.detail is None and (reading.thanks or reading.asks_status)):
        return None  # "thanks!", "any update?": not an answer; "please cancel it" names no ticket
    if _names_a_matter(desk, classification) and not _REPLY_START.match(text):
        return None  # "my printer is out of toner", "printer jammed": a new matter of its own
    if clarification.typed_choice(text) is not None and clarification.pending(session, desk, actor.person):
        return None  # "2" answers "Is something broken (1), do you need something (2) ...?"
    waiting = awaited(session, desk, actor)
    if not waiting or (yield_to_newer and _newer_question(session, desk, actor, waiting[0].asked_at)):
        return None
    if len(waiting) > 1:
        return _ask_which(waiting, text)
    return _keep(session, desk, actor, waiting[0], text, thanks=reading.thanks)


def _keep(session: Session, desk: Desk, actor: Actor, answered: Awaited, text: str, *, thanks: bool) -> Reply:
    ticket = answered.ticket
    requester_comment(session, desk, ticket, actor, text)
    welcome = "You're welcome! " if thanks else ""
    if answered.workaround:
        return Reply(f"{welcome}Added to {ticket.ref}; the team will carry on with it.")
    return Reply(f"{welcome}Added to {ticket.ref}; {answered.asked_by} will see your answer.")


def _ask_which(waiting: list[Awaited], text: str) -> Reply:
    listed = "\n".join(f"  {a.ticket.ref}: {a.asked_by}: {_short(a.question)}" for a in waiting[:5])
    words = " ".join(text.split())
    example = words if len(words) <= 60 else words[:59].rstrip() + "…"
    return Reply(f"Which ticket is that about? More than one is waiting for your answer:\n{listed}\n"
                 f"Send it again starting with the ticket, e.g. \"{waiting[0].ticket.ref} {example}\".", ok=False)


def _short(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= ASK_LIMIT else line[: ASK_LIMIT - 1].rstrip() + "…"


def _names_a_matter(desk: Desk, classification) -> bool:
    """The model files the message as a ticket kind with confidence (however short it is)."""
    return (classification is not None and classification.intent in TICKET_INTENTS
            and classification.confidence >= desk.organisation.nlp.confidence_threshold)


def _in_a_tickets_thread(session: Session, conversation: Conversation) -> bool:
    """In a ticket's thread the message is about that ticket (handlers/ticket_mentions.py)."""
    return bool(conversation.thread) and ticket_of_conversation(
        session, platform=conversation.platform, channel=conversation.channel, thread=conversation.thread) is not None


def _newer_question(session: Session, desk: Desk, actor: Actor, asked_at: datetime) -> bool:
    """Whether the desk asked the writer something after staff did ("Is it fixed?", a rating, a
    workaround offer): that question has the first go at the message."""
    person = actor.person
    now = desk.clock.now()
    if any(q.asked_at > asked_at
           for q in follow_up_store.answerable(session, platform=person.platform, user_id=person.user_id, now=now)):
        return True
    since = now - timedelta(hours=desk.organisation.problems.offer_valid_hours)
    offer = problem_store.pending_offer(session, platform=person.platform, user_id=person.user_id, since=since)
    return offer is not None and offer.created_at > asked_at
