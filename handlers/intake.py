"""A user writes to the desk: classify, prioritise, open the record, tell everyone concerned.

Messages that open nothing (greetings, thanks, "any update on INC-12?", "my tickets") are
answered from the record.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import clarification, follow_up, known_errors, new_matter, notify, timekeeping
from handlers import log_context
from handlers import request_fulfilment
from handlers import access_requests, approvals, awaited_replies
from handlers.desk import Desk
from handlers.lifecycle import Actor, actor_for
from handlers.messages import Conversation, Inbound, Person, Reply
from handlers.sla import deadlines, describe_target
from handlers.ticket_mentions import about_own_ticket, reads_as_reference, refs_in, status_line
from handlers.views import KIND_LABEL, headline
from storage import audit
from storage.inbound import first_delivery
from storage.models import Ticket
from storage.tickets import add_ticket, list_tickets, ticket_of_conversation

log = logging.getLogger(__name__)
CLASSIFY_LIMIT = 5_000  # the model reads the start of a long message; the record keeps all of it
TITLE_LIMIT = 120
RESOLVED_LIMIT = 20  # resolved tickets listed under "my tickets" (each closes by itself before long)
KINDS = {"incident": "incident", "service_request": "service_request", "access_request": "access_request"}

_MY_TICKETS = re.compile(r"\b(my|mine)\b.*\b(tickets?|requests?|incidents?|cases?)\b|\bopen tickets\b", re.IGNORECASE)
THANKS = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|merci|danke)\b", re.IGNORECASE)

HELP = (
    "I'm the service desk. Tell me what's broken (\"my laptop won't turn on\"), what you need "
    "(\"I need Visio installed\") or what you need access to (\"access to the finance share\"), "
    "and I'll log it with the right team. Ask \"any update on INC-12?\" or \"my tickets\" to follow up."
)
EMPTY = "I didn't catch anything there. Tell me what's broken or what you need, e.g. \"my laptop won't turn on\"."


def clean(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs) and trim."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def title_of(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= TITLE_LIMIT else first[: TITLE_LIMIT - 1].rstrip() + "…"


@log_context.scoped  # log lines carry the ticket this message opens or concerns
def handle_message(desk: Desk, inbound: Inbound, *, reply_via_outbox: bool = False) -> Reply | None:
    """Handle one user message.

    Returns the answer for the caller, or None when the answer goes out through the outbox (a
    new ticket's confirmation) or the message was a redelivery. With `reply_via_outbox` (chat
    platforms) the answer is written to the outbox in the same transaction instead, so the
    front end only acknowledges and the relay posts it.
    """
    text = clean(inbound.text)
    # Classify before the transaction, so no database lock is held while the model runs.
    classification = desk.classifier.classify(text[:CLASSIFY_LIMIT]) if text else None
    with desk.database.session() as session:
        if inbound.external_id and not first_delivery(
            session, source=inbound.source, external_id=inbound.external_id, at=desk.clock.now()
        ):
            return None
        reply = _decide(session, desk, inbound, text, classification)
        if reply is not None and reply_via_outbox:
            notify.conversation(session, desk, inbound.conversation, reply, requester_id=inbound.person.user_id)
            reply = None
        new_matter.send_reminders(session, desk)  # questions the new matter interrupted, after its answer
    return reply


def _decide(session: Session, desk: Desk, inbound: Inbound, text: str, classification) -> Reply | None:
    if not text or classification is None:
        return Reply(EMPTY, ok=False)
    actor = actor_for(desk, inbound.person)
    if inbound.reported_by is None:
        asked = request_fulfilment.typed_answer(session, desk, inbound.person, text, classification)
        if asked is not None:  # an answer to a pending catalog question (rule: handlers/request_fulfilment.py)
            return asked
        reason = approvals.typed_answer(session, desk, inbound.person, text)  # a denial's reason after "Deny"
        access = reason or access_requests.typed_answer(session, desk, inbound.person, text, classification)
        if access is not None:  # an answer to a pending access question (duration, justification, ...)
            return access
        replied = awaited_replies.typed_reply(session, desk, actor, text, classification,
                                              conversation=inbound.conversation, yield_to_newer=True)
        if replied is not None:  # "yes, I'll bring it at 3pm" after staff asked (handlers/awaited_replies.py)
            return replied
        offered = known_errors.typed_answer(session, desk, inbound.person, text)
        if offered is not None:
            return offered
        answered = follow_up.typed_answer(session, desk, inbound.person, text, classification,
                                          conversation=inbound.conversation)
        if answered is not None:
            return answered
    choice = clarification.typed_choice(text)
    if choice is not None and (question := clarification.pending(session, desk, inbound.person)):
        return clarification.answer(session, desk, inbound.person, question, choice)
    if inbound.reported_by is None:
        # "INC-3 it also beeps now" is a comment on INC-3, not a second ticket; "any update?" in
        # INC-3's thread is answered (rules: handlers/ticket_mentions.py)
        thread_ticket = ticket_of_thread(session, inbound.conversation)
        if thread_ticket is not None and not actor.is_requester(thread_ticket):
            thread_ticket = None
        answered = about_own_ticket(session, desk, actor, text, thread_ticket=thread_ticket,
                                    conversation=inbound.conversation)
        if answered is not None:
            return Reply(answered)
        replied = awaited_replies.typed_reply(session, desk, actor, text, classification,
                                              conversation=inbound.conversation, yield_to_newer=False)
        if replied is not None:
            return replied
    in_doubt = classification.confidence < desk.organisation.nlp.confidence_threshold
    if inbound.reported_by is None and in_doubt:
        if reads_as_reference(session, actor, text):
            return _answer(session, desk, actor, text)  # in doubt but naming a ticket: about that ticket
        return clarification.ask(session, desk, inbound, text, classification)
    if classification.intent not in KINDS:
        if inbound.reported_by is not None:
            return Reply("That message doesn't look like something for the desk, so I opened nothing.", ok=False)
        return _answer(session, desk, actor, text)
    reporter = inbound.reported_by
    open_ticket(
        session, desk, person=inbound.person, conversation=inbound.conversation, text=text,
        kind=KINDS[classification.intent], queue=classification.queue or "technical",
        impact=classification.impact, urgency=classification.urgency, priority=classification.priority,
        intent_confidence=classification.confidence, queue_confidence=classification.queue_confidence,
        actor_name=actor_for(desk, reporter).name if reporter else actor.name,
        note=f"reported by {reporter.display_name} on behalf of {inbound.person.display_name}" if reporter else None,
    )
    return None


def open_ticket(
    session: Session,
    desk: Desk,
    *,
    person: Person,
    conversation: Conversation,
    text: str,
    kind: str,
    queue: str,
    impact: str,
    urgency: str,
    priority: str,
    actor_name: str,
    intent_confidence: float | None = None,
    queue_confidence: float | None = None,
    note: str | None = None,
) -> Ticket:
    now = desk.clock.now()
    first_due, resolution_due = deadlines(desk.organisation, priority=priority, start=now, kind=kind)
    ticket = add_ticket(
        session, kind=kind, title=title_of(text), description=text, queue=queue, impact=impact,
        urgency=urgency, priority=priority, status="new", assignee=None,
        requester_platform=person.platform, requester_id=person.user_id, requester_name=person.display_name,
        conversation_platform=conversation.platform, conversation_channel=conversation.channel,
        conversation_thread=conversation.thread, intent_confidence=intent_confidence,
        queue_confidence=queue_confidence, created_at=now, updated_at=now,
        first_response_due=first_due, resolution_due=resolution_due,
    )
    log_context.note(ticket=ticket.ref)
    log.info("opened %s: %s, %s queue, %s", ticket.ref, kind, queue, priority)  # never the user's text
    timekeeping.opened(session, desk, ticket, notices=False)
    reason = f"{kind} for {queue}, {priority} (impact {impact}, urgency {urgency})"
    audit.record(session, actor=actor_name, action="opened", ticket=ticket, field="status", after="new",
                 reason=f"{reason}; {note}" if note else reason, at=now)
    team = desk.organisation.queues[queue].title
    target = describe_target(desk.organisation, priority=priority, kind=kind)
    notify.requester(
        session, desk, ticket, event="opened",
        text=f"Thanks {person.display_name}, I've logged {ticket.ref} ({KIND_LABEL[kind]}, {queue} queue, "
             f"priority {priority}). {team} will respond within {target}.",
    )
    notify.queue_channel(
        session, desk, ticket, event="opened",
        text=f"New {ticket.ref} · {priority} · {KIND_LABEL[kind]} from {person.display_name}: {ticket.title}",
    )
    timekeeping.priority_notices(session, desk, ticket, before_priority=None)
    if kind == "incident":
        known_errors.after_incident_opened(session, desk, ticket)
    if kind == "service_request":
        request_fulfilment.after_request_opened(session, desk, ticket)
    if kind == "access_request":
        access_requests.on_opened(session, desk, ticket)  # resource, beneficiary, duration, why; then approval
    return ticket


def ticket_of_thread(session: Session, conversation: Conversation) -> Ticket | None:
    """The ticket whose conversation is this thread (replies in a ticket's thread are comments)."""
    return ticket_of_conversation(session, platform=conversation.platform, channel=conversation.channel,
                                  thread=conversation.thread)


def _answer(session: Session, desk: Desk, actor: Actor, text: str) -> Reply:
    refs = refs_in(text)
    if refs and reads_as_reference(session, actor, text):
        return Reply("\n".join(status_line(session, desk, actor, ref) for ref in refs[:5]))
    if _MY_TICKETS.search(text):
        return my_tickets(session, actor)
    if THANKS.search(text):
        return Reply("You're welcome! Tell me any time something's broken or you need something.")
    return Reply(f"Hi {actor.person.display_name}! {HELP}")


def my_tickets(session: Session, actor: Actor) -> Reply:
    """The writer's open tickets, then the resolved ones waiting for them to say whether it worked."""
    who = (actor.person.platform, actor.person.user_id)
    tickets = list_tickets(session, requester=who)
    lines = ["Your open tickets:", *(f"  {headline(t)}" for t in tickets)] if tickets else ["You have no open tickets."]
    resolved = list(session.execute(
        select(Ticket).where(Ticket.requester_platform == who[0], Ticket.requester_id == who[1],
                             Ticket.status == "resolved").order_by(Ticket.resolved_at).limit(RESOLVED_LIMIT)
    ).scalars())
    if resolved:
        lines.append("Resolved, waiting for your answer (reply yes or no, naming the ticket, e.g. "
                     f"\"{resolved[0].ref} yes\"):")
        lines += [f"  {headline(t)} · {follow_up.wording(t).question.split('?')[0]}?" for t in resolved]
    return Reply("\n".join(lines))
