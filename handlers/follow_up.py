"""Closing the loop with the requester.

- A resolve asks "Is it fixed?" (Yes / No, still broken). Yes closes the ticket, No reopens it;
  silence closes it after `follow_up.auto_close_after` (handlers/auto_close.py). Every resolved
  ticket is scheduled to close (`schedule_close`, from the life cycle), however it was resolved.
- A close asks for a 1-5 satisfaction rating, with an optional comment; the answer is stored.

Chat front ends show the choices as buttons (values `fu:QUESTION:ANSWER`, handed to
`answer_by_button`); anyone can also type the answer ("yes", "no, still broken", "4 quick fix"),
which is how the console answers.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.messages import Person, Reply
from handlers.sla import later, local_time
from storage import audit
from storage import follow_up as store
from storage.follow_up import FIXED, RATING, FollowUp
from storage.models import Ticket

PREFIX = "fu"
RATING_LABELS = {1: "1 · poor", 2: "2", 3: "3 · okay", 4: "4", 5: "5 · great"}
ANSWER_WORDS = 15  # a longer message is something new, not an answer
_REF = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?(\d{1,9})\b", re.IGNORECASE)
_YES = re.compile(r"^(yes|yep|yeah|yup|y|fixed|it'?s fixed|it is fixed|it works( now)?|works now|all good|solved)\b",
                  re.IGNORECASE)
_NO = re.compile(r"^(no|nope|nah|n|not fixed|still broken|it'?s still broken|still not working|it doesn'?t work)\b",
                 re.IGNORECASE)
_RESTATED = re.compile(r"^((it'?s|it is)\s+)?(still broken|still not working|not fixed|fixed|working( now)?)\b",
                       re.IGNORECASE)
_RATING = re.compile(r"^([1-5])(?:\s*/\s*5|\s*stars?|\s*★+)?(?:$|[\s,.:;!)\-–—]+(.*)$)", re.IGNORECASE | re.DOTALL)


def schedule_close(session: Session, desk: Desk, ticket: Ticket) -> FollowUp:
    """A ticket was resolved (by anyone, any way): the "fixed?" question is open and silence
    closes the ticket after `follow_up.auto_close_after`."""
    organisation = desk.organisation
    now = desk.clock.now()
    store.settle_open(session, ticket_id=ticket.id, kind=FIXED, answer="superseded", at=now)
    question = FollowUp(ticket_id=ticket.id, kind=FIXED, platform=ticket.requester_platform,
                        user_id=ticket.requester_id, asked_at=now,
                        close_due_at=later(organisation, now, organisation.follow_up.auto_close_after))
    session.add(question)
    session.flush()
    return question


def fixed_question(session: Session, desk: Desk, ticket: Ticket) -> tuple[str, list[tuple[str, str]]]:
    """The words and choices of "Is it fixed?" for the resolve message."""
    question = store.open_fixed(session, ticket_id=ticket.id) or schedule_close(session, desk, ticket)
    text = (f"Is it fixed? Answer yes, or no if it's still broken. If I don't hear back, {ticket.ref} closes by "
            f"itself {local_time(desk.organisation, question.close_due_at)}.")
    return text, [(f"{PREFIX}:{question.id}:yes", "Yes, it's fixed"), (f"{PREFIX}:{question.id}:no", "No, still broken")]


def ask_rating(session: Session, desk: Desk, ticket: Ticket) -> None:
    """After a close: how did we do, 1-5, with a comment if they like."""
    organisation = desk.organisation
    if not organisation.follow_up.ask_rating:
        return
    now = desk.clock.now()
    store.settle_open(session, ticket_id=ticket.id, kind=RATING, answer="superseded", at=now)
    question = FollowUp(ticket_id=ticket.id, kind=RATING, platform=ticket.requester_platform,
                        user_id=ticket.requester_id, asked_at=now,
                        expires_at=now + organisation.follow_up.rating_open_for.as_timedelta())
    session.add(question)
    session.flush()
    notify.requester(session, desk, ticket, event="rating",
                     text=f"How did we do on {ticket.ref}? Rate us from 1 (poor) to 5 (great), with a comment if you "
                          f"like, e.g. \"5 quick fix, thanks\".",
                     choices=[(f"{PREFIX}:{question.id}:{n}", label) for n, label in RATING_LABELS.items()])


def parse(text: str) -> tuple[str, str, str, str | None] | None:
    """(kind, answer, comment, ticket ref) of a typed answer, or None when it isn't one."""
    ref = None
    match = _REF.search(text)
    if match:
        ref = f"{match.group(1).upper()}-{int(match.group(2))}"
        text = (text[:match.start()] + " " + text[match.end():])
    words = " ".join(text.split()).strip(" .!")
    if not words or len(words.split()) > ANSWER_WORDS:
        return None
    rating = _RATING.match(words)
    if rating:
        return RATING, rating.group(1), (rating.group(2) or "").strip(), ref
    for answer, pattern in (("yes", _YES), ("no", _NO)):
        found = pattern.match(words)
        if found:
            rest = words[found.end():].strip(" ,.;:-–—!")
            restated = _RESTATED.match(rest)  # "no, still broken: ..." / "yes it's fixed, thanks"
            if restated:
                rest = rest[restated.end():].strip(" ,.;:-–—!")
            return FIXED, answer, rest, ref
    return None


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The answer to the person's latest open question, when the text is one (None otherwise).
    A rating with words after it that the classifier reads as a new request or incident ("2
    monitors for the new starter") is left alone."""
    parsed = parse(text)
    if parsed is None:
        return None
    kind, answer, comment, ref = parsed
    if kind == RATING and len(comment.split()) >= 3 and _reads_as_new_work(desk, classification):
        return None
    now = desk.clock.now()
    questions = [q for q in store.answerable(session, platform=person.platform, user_id=person.user_id, now=now)
                 if q.kind == kind and (ref is None or _ref_of(session, q) == ref)]
    if not questions:
        return None
    question = questions[0]
    if _clarification_is_newer(session, desk, person, text, question):
        return None
    return _answer(session, desk, person, question, answer, comment)


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply | None:
    """A pressed button's value `fu:QUESTION:ANSWER`."""
    prefix, _, rest = value.partition(":")
    number, _, answer = rest.partition(":")
    if prefix != PREFIX or not number.isdigit():
        return Reply("That button is not one of mine.", ok=False)
    with desk.database.session() as session:
        question = session.get(FollowUp, int(number))
        if question is None:
            return Reply("That question has expired.", ok=False)
        if (question.platform, question.user_id) != (person.platform, person.user_id):
            return Reply("That question was for someone else.", ok=False)
        open_now = store.answerable(session, platform=person.platform, user_id=person.user_id, now=desk.clock.now())
        if question not in open_now:
            return Reply("That was answered already.", ok=False)
        return _answer(session, desk, person, question, answer, "")


def _answer(session: Session, desk: Desk, person: Person, question: FollowUp, answer: str, comment: str) -> Reply:
    from handlers.lifecycle import DeskError, actor_for, close, reopen, requester_comment
    from storage.tickets import get_ticket

    ticket = session.get(Ticket, question.ticket_id)
    ticket = get_ticket(session, ref=ticket.ref, for_update=True) if ticket is not None else None
    if ticket is None:
        return Reply("That ticket is gone.", ok=False)
    now = desk.clock.now()
    actor = actor_for(desk, person)
    if question.kind == RATING:
        if answer not in ("1", "2", "3", "4", "5"):
            return Reply("Rate from 1 (poor) to 5 (great).", ok=False)
        question.answered_at, question.answer, question.rating = now, answer, int(answer)
        question.comment = comment[:2000] or question.comment
        audit.record(session, actor=actor.name, action="satisfaction", ticket=ticket, field="rating", after=answer,
                     reason=question.comment, at=now)
        notify.queue_channel(session, desk, ticket, event="satisfaction",
                             text=f"{ticket.requester_name} rated {ticket.ref} {answer}/5"
                                  + (f": {question.comment}" if question.comment else "."))
        more = "" if question.comment else " To add a comment, send the rating again with it, e.g. \"4 quick fix\"."
        return Reply(f"Thanks for rating {ticket.ref} {answer}/5!{more}")
    if answer not in ("yes", "no"):
        return Reply("Answer yes or no.", ok=False)
    question.answered_at, question.answer, question.close_due_at = now, answer, None
    question.comment = comment[:2000] or None
    try:
        if answer == "yes":
            return Reply(close(session, desk, ticket, actor))
        reply = reopen(session, desk, ticket, actor, reason="still broken" + (f": {comment}" if comment else ""))
    except DeskError as error:
        return Reply(str(error), ok=False)
    if comment:
        requester_comment(session, desk, ticket, actor, comment)
    return Reply(reply)


def _reads_as_new_work(desk: Desk, classification) -> bool:
    if classification is None:
        return False
    confident = classification.confidence >= desk.organisation.nlp.confidence_threshold
    return confident and classification.intent in ("incident", "service_request", "access_request")


def _ref_of(session: Session, question: FollowUp) -> str | None:
    ticket = session.get(Ticket, question.ticket_id)
    return ticket.ref if ticket is not None else None


def _clarification_is_newer(session: Session, desk: Desk, person: Person, text: str, question: FollowUp) -> bool:
    """"1" after "Is something broken (1), do you need something (2)…?" answers that question."""
    from handlers import clarification

    if clarification.typed_choice(text) is None:
        return False
    pending = clarification.pending(session, desk, person)
    return pending is not None and pending.created_at >= question.asked_at


def close_after(session: Session, desk: Desk, ticket: Ticket) -> None:
    """What follows any close: the rating question."""
    if ticket.status == "closed":
        ask_rating(session, desk, ticket)
