"""Known errors at intake: a new incident that reads like a known error gets its workaround at
once, "This looks like a known issue: ... Did this fix it? [Yes] [No]".

Yes resolves the incident as fixed by the workaround and links it to the problem; No leaves it
with the team (with a note that the workaround did not help). Chat front ends show the answers as
buttons (values `ke:OFFER:yes|no`); typing yes or no answers the writer's latest offer too, read
as handlers/follow_up_reading.py reads a yes or no ("not really", "no luck", "that did it"). What
a typed answer adds ("no, I already tried vpn2") is kept on the incident as the requester's words.
When nothing known matches, the incident is checked for recurrence (handlers/recurrence.py).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import lifecycle, notify, recurrence
from handlers.desk import Desk
from handlers.follow_up_reading import read_yes_no
from handlers.lifecycle import actor_for, requester_comment
from handlers.messages import Conversation, Person, Reply
from handlers.similarity import ranked
from storage import audit
from storage import problems as store
from storage.models import Ticket
from storage.problems import WorkaroundOffer
from storage.tickets import OPEN_STATUSES, add_comment

BUTTON_PREFIX = "ke:"
EVENTS_PLATFORM = "events"
BACKGROUND_DAYS = 30
BACKGROUND_LIMIT = 300
ANSWER_WORDS = 25  # a longer message is something new, not an answer


def after_incident_opened(session: Session, desk: Desk, ticket: Ticket) -> None:
    """Called by intake right after an incident is opened (same transaction)."""
    if ticket.requester_platform == EVENTS_PLATFORM or ticket.kind != "incident":
        return
    if not offer_workaround(session, desk, ticket):
        recurrence.check(session, desk, ticket)


def offer_workaround(session: Session, desk: Desk, ticket: Ticket) -> bool:
    known = store.known_errors(session)
    if not known:
        return False
    titles = store.linked_titles(session, problem_ids=[p.id for p in known])
    documents = [" ".join([p.title, *titles[p.id]]) for p in known]
    since = desk.clock.now() - timedelta(days=BACKGROUND_DAYS)
    background = [t.text for t in store.recent_incident_texts(session, since=since, exclude_platform=EVENTS_PLATFORM,
                                                              limit=BACKGROUND_LIMIT, title=True) if t.id != ticket.id]
    index, score = ranked(ticket.description, documents, background=background)[0]
    if score < desk.organisation.problems.similarity_threshold:
        return False
    problem = known[index]
    offer = store.add_offer(session, ticket=ticket, problem=problem, score=score, at=desk.clock.now())
    audit.record(session, actor="service desk", action="workaround_offered", ticket=ticket, field="problem",
                 after=problem.ref, reason=f"similarity {score:.2f}", at=desk.clock.now())
    text = (f"This looks like a known issue: {problem.title} ({problem.ref}).\n"
            f"Workaround: {problem.workaround}\n"
            f"Did this fix it? Answer yes or no.")
    where = Conversation(ticket.conversation_platform, ticket.conversation_channel, ticket.conversation_thread)
    notify.conversation(
        session, desk, where,
        Reply(text, choices=[(f"{BUTTON_PREFIX}{offer.id}:yes", "Yes, that fixed it"),
                             (f"{BUTTON_PREFIX}{offer.id}:no", "No, still broken")]),
        requester_id=ticket.requester_id,
    )
    return True


def typed_answer(session: Session, desk: Desk, person: Person, text: str) -> Reply | None:
    """A typed yes or no answers the writer's latest open offer; None when it is not one."""
    reading = read_yes_no(text) if len(text.split()) <= ANSWER_WORDS else None
    if reading is None or reading.answer is None:
        return None
    since = desk.clock.now() - timedelta(hours=desk.organisation.problems.offer_valid_hours)
    offer = store.pending_offer(session, platform=person.platform, user_id=person.user_id, since=since)
    if offer is None or _asked_since(session, desk, person, offer):
        return None
    return answer_offer(session, desk, person, offer, reading.answer, detail=reading.detail)


def _asked_since(session: Session, desk: Desk, person: Person, offer: WorkaroundOffer) -> bool:
    """Whether the desk asked this person something newer ("Is it fixed?"): a typed yes/no
    answers the newest question."""
    from storage.follow_up import answerable

    questions = answerable(session, platform=person.platform, user_id=person.user_id, now=desk.clock.now())
    return any(question.asked_at > offer.created_at for question in questions)


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply:
    number, _, answer = value.removeprefix(BUTTON_PREFIX).partition(":")
    if not number.isdigit() or answer not in ("yes", "no"):
        return Reply("That button is not one of mine.", ok=False)
    with desk.database.session() as session:
        offer = session.get(WorkaroundOffer, int(number))
        if offer is None:
            return Reply("That question has expired.", ok=False)
        return answer_offer(session, desk, person, offer, answer)


def answer_offer(session: Session, desk: Desk, person: Person, offer: WorkaroundOffer, answer: str,
                 detail: str = "") -> Reply:
    """Yes or no to "Did this fix it?"; `detail` is what a typed answer added, kept on the incident."""
    if (offer.platform, offer.user_id) != (person.platform, person.user_id):
        return Reply("That question was for someone else.", ok=False)
    if offer.answered_at is not None:
        return Reply("That was answered already.", ok=False)
    now = desk.clock.now()
    offer.answered_at, offer.answer = now, answer
    ticket = session.get(Ticket, offer.ticket_id)
    problem = session.get(store.Problem, offer.problem_id)
    actor = actor_for(desk, person)
    audit.record(session, actor=actor.name, action="workaround_answered", ticket=ticket, field="problem",
                 after=f"{problem.ref}: {answer}", at=now)
    if detail:
        requester_comment(session, desk, ticket, actor, detail)
    kept = f" I've added what you said to {ticket.ref}." if detail else ""
    if answer == "no":
        add_comment(session, ticket=ticket, author=actor.name, visibility="internal",
                    body=f"The requester says the workaround of {problem.ref} did not fix it.", at=now)
        return Reply(f"Sorry it didn't help. {ticket.ref} stays open with the team; they'll be in touch.{kept}")
    if store.problem_of_ticket(session, ticket_id=ticket.id) is None:
        store.link(session, problem=problem, ticket=ticket, linked_by=actor.name, via="workaround_accepted", at=now)
        audit.record(session, actor=actor.name, action="problem_linked", ticket=ticket, field="problem",
                     after=problem.ref, at=now)
    if ticket.status not in OPEN_STATUSES:
        return Reply(f"Glad it's working. {ticket.ref} is {ticket.status} already.")
    resolution = f"Fixed by the workaround of known error {problem.ref}: {problem.workaround}"
    lifecycle._status(session, desk, ticket, actor, "resolved", reason=resolution)
    ticket.resolution = resolution
    notify.queue_channel(session, desk, ticket, event="resolved",
                         text=f"{ticket.ref} resolved: {ticket.requester_name} says the workaround of {problem.ref} "
                              f"({problem.title}) fixed it.")
    return Reply(f"Glad that fixed it. I've resolved {ticket.ref} and noted it under {problem.ref}. "
                 f"If it comes back, say so (/sd reopen {ticket.ref}).")
