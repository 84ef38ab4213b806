"""Closing the loop with the requester.

- A resolve asks whether it worked, in the words of the ticket's kind (`WORDING`): an incident
  "Is it fixed?" (Yes / No, still broken), a service request "Did you get what you asked for?",
  an access request "Do you have the access you asked for?". Yes closes the ticket, No reopens
  it; silence closes it after `follow_up.auto_close_after` (handlers/auto_close.py, told with
  `closed_by_silence`). Every resolved ticket is scheduled to close (`schedule_close`, from the
  life cycle), however it was resolved.
- A close asks for a 1-5 satisfaction rating, with an optional comment; the answer is stored.

Chat front ends show the choices as buttons (values `fu:QUESTION:ANSWER`, handed to
`answer_by_button`); anyone can also type the answer ("yes", "no, still broken", "4 quick fix"),
which is how the console answers.

Typed answers (how a reply is read: handlers/follow_up_reading.py for yes / no,
handlers/rating_reading.py for ratings and their comments), when in doubt:
- A yes/no naming no ticket while more than one "fixed?" question is open is not guessed: the desk
  asks "Which one do you mean?" with a choice per ticket (ref and title; the buttons answer that
  ticket's question), and a typed number from the list or the ticket's ref picks it. "no INC-1",
  "INC-1 yes" name the ticket and answer it directly. "both", "yes to both", "all fixed thanks"
  answer all of them (then, or in answer to "Which one do you mean?").
- A no keeps what the reply adds as a comment on the reopened ticket ("no luck, still beeping":
  "still beeping").
- A rating is read as handlers/rating_reading.py says; "0" or "6" is told the range. A message
  written soon after a rating given without a comment, that reads as a comment ("great service
  but slow"), is added to it (handlers/rating_comments.py).
- A reply in a ticket's thread (the requester's own ticket) is about that ticket: a yes/no or a
  rating there answers that ticket's question without asking which, and answers no other ticket's
  (nothing open for it: it goes on to intake, a comment on the ticket). A ref in the text wins.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import notify, rating_comments, rating_reading
from handlers.desk import Desk
from handlers.follow_up_reading import read_yes_no
from handlers.messages import Conversation, Person, Reply
from handlers.organisation import Duration
from handlers.sla import later, local_time
from storage import audit
from storage import follow_up as store
from storage.follow_up import FIXED, RATING, WHICH, FollowUp
from storage.models import Ticket
from storage.tickets import ticket_of_conversation

PREFIX = "fu"
RATING_LABELS = {1: "1 · poor", 2: "2", 3: "3 · okay", 4: "4", 5: "5 · great"}
ANSWER_WORDS = 15  # a longer message is something new, not an answer
_REF = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?(\d{1,9})\b", re.IGNORECASE)
WHICH_OPEN_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Wording:
    """The "fixed?" question as a kind of ticket asks it; the answers are yes / no for all."""

    question: str
    yes: str  # the buttons
    no: str
    taken: str  # what silence is taken to mean ("so I take it that ...")
    unless: str  # "... If it isn't, just tell me"
    reopened: str  # the reason a no reopens with


WORDING = {
    "incident": Wording("Is it fixed? Answer yes, or no if it's still broken.", "Yes, it's fixed",
                        "No, still broken", "it's fixed", "If it isn't", "still broken"),
    "service_request": Wording("Did you get what you asked for? Answer yes, or no if something is missing.",
                               "Yes, I got it", "No, something's missing", "you got what you asked for",
                               "If not", "not what was asked for"),
    "access_request": Wording("Do you have the access you asked for? Answer yes, or no if it isn't working yet.",
                              "Yes, I have access", "No, not yet", "your access works", "If it doesn't",
                              "access not working"),
}


def wording(ticket: Ticket) -> Wording:
    return WORDING.get(ticket.kind, WORDING["incident"])


def closed_by_silence(ticket: Ticket, wait: Duration) -> str:
    """What the requester is told when silence closed the ticket (handlers/auto_close.py)."""
    words = wording(ticket)
    return (f"{ticket.ref} is closed: I didn't hear back within {wait}, so I take it that {words.taken}. "
            f"{words.unless}, just tell me and I'll log it again.")


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
    """The words and choices of "Is it fixed?" (in the ticket kind's words) for the resolve message."""
    question = store.open_fixed(session, ticket_id=ticket.id) or schedule_close(session, desk, ticket)
    words = wording(ticket)
    text = (f"{words.question} If I don't hear back, {ticket.ref} closes by "
            f"itself {local_time(desk.organisation, question.close_due_at)}.")
    return text, [(f"{PREFIX}:{question.id}:yes", words.yes), (f"{PREFIX}:{question.id}:no", words.no)]


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


@dataclass(frozen=True)
class Parsed:
    kind: str  # FIXED | RATING
    answer: str | None  # "yes" / "no" / "1".."5"; None: "both" alone, the answer waiting in "Which one?"
    comment: str
    ref: str | None  # the ticket named
    all_of_them: bool = False  # "both", "all fixed": every open "fixed?" question


def parse(text: str, *, desk: Desk | None = None, classification=None) -> Parsed | None:
    """A typed answer: a rating, or a yes / no with its detail; None when it isn't one. Without
    a desk and its classification, a number that may start a new matter is not checked with the
    model."""
    ref = None
    match = _REF.search(text)
    if match:
        ref = f"{match.group(1).upper()}-{int(match.group(2))}"
        text = (text[:match.start()] + " " + text[match.end():])
    words = " ".join(text.split()).strip(" .!")
    if not words or len(words.split()) > ANSWER_WORDS:
        return None
    rating = rating_reading.read_rating(desk, classification, words)
    if rating is not None:
        return Parsed(RATING, rating[0], rating[1], ref)
    reading = read_yes_no(words)
    if reading is None:
        return None
    return Parsed(FIXED, reading.answer, reading.detail, ref, reading.all_of_them)


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None,
                 conversation: Conversation | None = None) -> Reply | None:
    """The answer to the person's latest open question, when the text is one (None otherwise;
    the module docstring says when in doubt). `conversation` is where it was written: in the
    thread of one of the person's tickets, the answer is about that ticket."""
    now = desk.clock.now()
    open_now = store.answerable(session, platform=person.platform, user_id=person.user_id, now=now)
    which = open_now[0] if open_now and open_now[0].kind == WHICH else None
    parsed = parse(text, desk=desk, classification=classification)
    if which is not None and not _clarification_is_newer(session, desk, person, text, which):
        picked = _picked(session, which, text)  # "2" or "INC-1" after "Which one do you mean?"
        waiting, ids, comment = _which_state(which)
        if picked is not None:
            return _answer(session, desk, person, picked, waiting, comment)
        if parsed is not None and parsed.kind == FIXED and parsed.all_of_them and parsed.ref is None:
            candidates = [q for q in (session.get(FollowUp, n) for n in ids) if q is not None and q.answered_at is None]
            if candidates:  # "both" after "Which one do you mean?"
                return _answer_all(session, desk, person, candidates, parsed.answer or waiting,
                                   parsed.comment or comment)
    about = (parsed.ref if parsed else None) or _thread_ref(session, person, conversation)  # named, or the thread's
    if parsed is None:
        if rating_reading.out_of_range(text) and _waiting_for_rating(open_now, about, session):
            return Reply(rating_reading.RANGE_HINT, ok=False)
        return rating_comments.comment_after_rating(session, desk, person, text, classification, open_now, about)
    questions = [q for q in open_now if q.kind == parsed.kind and (about is None or _ref_of(session, q) == about)]
    if not questions:
        return rating_comments.comment_after_rating(session, desk, person, text, classification, open_now, about)
    if _clarification_is_newer(session, desk, person, text, questions[0]):
        return None
    if parsed.answer is None and (about is not None or len(questions) < 2):
        return None  # "both" alone, and not two tickets waiting
    answer = parsed.answer or "yes"  # "both" alone, with nothing waiting: both are
    if parsed.kind == FIXED and about is None and len(questions) > 1:
        both_of_many = len(questions) > 2 and re.search(r"\bboth\b", text, re.IGNORECASE)
        if parsed.all_of_them and not both_of_many:
            return _answer_all(session, desk, person, questions, answer, parsed.comment)
        return _ask_which(session, desk, person, questions, answer, parsed.comment)
    return _answer(session, desk, person, questions[0], answer, parsed.comment)


def _answer_all(session: Session, desk: Desk, person: Person, questions: list[FollowUp], answer: str,
                comment: str) -> Reply:
    """The same yes / no for several tickets ("yes to both"): one line each, oldest first."""
    replies = [_answer(session, desk, person, q, answer, comment) for q in sorted(questions, key=lambda q: q.id)]
    return Reply("\n".join(r.text for r in replies), ok=all(r.ok for r in replies))


def _waiting_for_rating(open_now: list[FollowUp], about: str | None, session: Session) -> bool:
    return any(q.kind == RATING and (about is None or _ref_of(session, q) == about) for q in open_now)


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply | None:
    """A pressed button's value `fu:QUESTION:ANSWER` (also the choices of "Which one do you mean?")."""
    prefix, _, rest = value.partition(":")
    number, _, answer = rest.partition(":")
    if prefix != PREFIX or not number.isdigit():
        return Reply("That button is not one of mine.", ok=False)
    with desk.database.session() as session:
        question = session.get(FollowUp, int(number))
        if question is None or question.kind == WHICH:  # "which one?" is answered through its candidates
            return Reply("That question has expired.", ok=False)
        if (question.platform, question.user_id) != (person.platform, person.user_id):
            return Reply("That question was for someone else.", ok=False)
        open_now = store.answerable(session, platform=person.platform, user_id=person.user_id, now=desk.clock.now())
        if question not in open_now:
            return Reply("That was answered already.", ok=False)
        which = next((q for q in open_now if q.kind == WHICH and question.id in _which_state(q)[1]), None)
        return _answer(session, desk, person, question, answer, _which_state(which)[2] if which else "")


def _ask_which(session: Session, desk: Desk, person: Person, questions: list[FollowUp], answer: str,
               comment: str) -> Reply:
    """A yes/no that fits several open "fixed?" questions: ask which ticket it is about."""
    now = desk.clock.now()
    store.settle_which(session, platform=person.platform, user_id=person.user_id, answer="superseded", at=now)
    tickets = [session.get(Ticket, q.ticket_id) for q in questions]
    listed = [(q, t) for q, t in zip(questions, tickets) if t is not None][:10]
    state = json.dumps({"answer": answer, "questions": [q.id for q, _ in listed], "comment": comment})
    session.add(FollowUp(ticket_id=listed[0][1].id, kind=WHICH, platform=person.platform, user_id=person.user_id,
                         asked_at=now, expires_at=now + WHICH_OPEN_FOR, comment=state))
    session.flush()
    example = f"{answer} {listed[0][1].ref}"
    every = "both" if len(listed) == 2 else "all"
    return Reply(f"Which one do you mean? More than one of your tickets is waiting for a yes or no. Pick one, "
                 f"answer with the ticket, e.g. \"{example}\", or say \"{every}\".",
                 choices=[(f"{PREFIX}:{q.id}:{answer}", _label(t)) for q, t in listed])


def _label(ticket: Ticket) -> str:
    label = f"{ticket.ref}: {ticket.title}"
    return label if len(label) <= 75 else label[:74].rstrip() + "…"


def _which_state(which: FollowUp) -> tuple[str, list[int], str]:
    """(the yes/no waiting, the candidate question ids in order, the requester's comment)."""
    try:
        state = json.loads(which.comment or "{}")
        return str(state["answer"]), [int(n) for n in state["questions"]], str(state.get("comment") or "")
    except (ValueError, KeyError, TypeError):
        return "", [], ""


def _picked(session: Session, which: FollowUp, text: str) -> FollowUp | None:
    """The candidate a typed answer to "Which one do you mean?" picks: its number in the list, or
    its ticket's ref on its own; None when the text is neither."""
    answer, ids, _ = _which_state(which)
    words = " ".join(text.split()).strip(" .!#")
    if words.isdigit() and 1 <= int(words) <= len(ids):
        wanted = ids[int(words) - 1]
    else:
        named = _REF.fullmatch(words)
        wanted = next((n for n in ids if named and _ref_of(session, session.get(FollowUp, n))
                       == f"{named.group(1).upper()}-{int(named.group(2))}"), None)
    question = session.get(FollowUp, wanted) if wanted is not None and answer in ("yes", "no") else None
    return question if question is not None and question.answered_at is None else None


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
            return Reply(rating_reading.RANGE_HINT, ok=False)
        question.answered_at, question.answer, question.rating = now, answer, int(answer)
        question.comment = comment[:2000] or question.comment
        audit.record(session, actor=actor.name, action="satisfaction", ticket=ticket, field="rating", after=answer,
                     reason=question.comment, at=now)
        notify.queue_channel(session, desk, ticket, event="satisfaction",
                             text=f"{ticket.requester_name} rated {ticket.ref} {answer}/5"
                                  + (f": {question.comment}" if question.comment else "."))
        more = "" if question.comment else " Anything to add? Just write it here."
        return Reply(f"Thanks for rating {ticket.ref} {answer}/5!{more}")
    if answer not in ("yes", "no"):
        return Reply("Answer yes or no.", ok=False)
    store.settle_which(session, platform=person.platform, user_id=person.user_id, answer="answered", at=now)
    question.answered_at, question.answer, question.close_due_at = now, answer, None
    question.comment = comment[:2000] or None
    try:
        if answer == "yes":
            return Reply(close(session, desk, ticket, actor))
        reply = reopen(session, desk, ticket, actor,
                       reason=wording(ticket).reopened + (f": {comment}" if comment else ""))
    except DeskError as error:
        return Reply(str(error), ok=False)
    if comment:
        requester_comment(session, desk, ticket, actor, comment)
    return Reply(reply)


def _thread_ref(session: Session, person: Person, conversation: Conversation | None) -> str | None:
    """The ref of the person's own ticket whose thread this is (None elsewhere)."""
    if conversation is None:
        return None
    ticket = ticket_of_conversation(session, platform=conversation.platform, channel=conversation.channel,
                                    thread=conversation.thread)
    mine = ticket is not None and (ticket.requester_platform, ticket.requester_id) == (person.platform, person.user_id)
    return ticket.ref if mine else None


def _ref_of(session: Session, question: FollowUp | None) -> str | None:
    ticket = session.get(Ticket, question.ticket_id) if question is not None else None
    return ticket.ref if ticket is not None else None


def _clarification_is_newer(session: Session, desk: Desk, person: Person, text: str, question: FollowUp) -> bool:
    """"1" after "Is something broken (1), do you need something (2)…?" answers that question."""
    from handlers import clarification

    if clarification.typed_choice(text) is None:
        return False
    return _clarification_since(session, desk, person, question.asked_at)


def _clarification_since(session: Session, desk: Desk, person: Person, since) -> bool:
    from handlers import clarification

    pending = clarification.pending(session, desk, person)
    return pending is not None and pending.created_at >= since


def close_after(session: Session, desk: Desk, ticket: Ticket) -> None:
    """What follows any close: the rating question."""
    if ticket.status == "closed":
        ask_rating(session, desk, ticket)
