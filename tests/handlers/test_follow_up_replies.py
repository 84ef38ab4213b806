"""Typed replies to the follow-up questions: a number that measures the wait or the chasing ("3 days
to fix, too slow") is a rating, one that counts things or starts a new problem is not; and a reply
in a ticket's thread answers that ticket's question, without "Which one do you mean?"."""
from __future__ import annotations

import pytest

from handlers import follow_up
from handlers.intake import open_ticket
from handlers.messages import Conversation, Person
from storage.follow_up import ratings
from tests.handlers.test_catalog import _in
from tests.sla_helpers import open_incident


def _rating_asked(people, who: str) -> str:
    ref = open_incident(people.desk, "P3", who=who)
    assert people.sd("bob", f"/sd resolve {ref} replaced the cable").ok
    assert people.say(who, "yes").text == f"{ref} is closed. Thanks for confirming!"
    return ref


def _stored(desk) -> list[tuple[int, str]]:
    with desk.database.session() as session:
        return [(r.rating, r.comment) for r in ratings(session)]


# 1. A number that measures the service is a rating; one that counts things is not


@pytest.mark.parametrize("text", [
    "3 days to fix, too slow",
    "2 calls before anyone answered",
    "2 weeks waiting",
    "3 times I had to chase",
    "1 hour and done",
    "4 hours, but sorted",
    "2 more days for a new cable",
])
def test_a_number_that_measures_the_wait_or_the_chasing_is_a_rating(people, desk, text):
    ref = _rating_asked(people, "hal")
    assert people.say("hal", text).text == f"Thanks for rating {ref} {text[0]}/5!"
    assert _stored(desk) == [(int(text[0]), text)]  # the number counts in the comment too: kept
    assert f"Hal rated {ref} {text[0]}/5: {text}" in _in(people, "#technical")
    assert people.ticket("INC-2") is None and people.ticket("REQ-1") is None  # opened nothing


@pytest.mark.parametrize("text", [
    "2 monitors are flickering on my desk",
    "2 laptop crashes again after the fix",
    "2 days ago my laptop stopped booting",
    "3 days my vpn keeps dropping",
])
def test_a_number_that_counts_things_or_dates_a_new_problem_opens_it(people, desk, text):
    _rating_asked(people, "hal")
    assert people.say("hal", text) is None  # opened, not rated
    assert people.ticket("INC-2").title == text
    assert _stored(desk) == []


def test_a_unit_followed_by_what_went_wrong_is_not_taken_for_a_rating(people, desk):
    _rating_asked(people, "hal")
    reply = people.say("hal", "2 emails bounced back from the finance mailbox")
    assert reply is None or "rating" not in reply.text
    assert _stored(desk) == []
    assert not any("rated" in text for text in _in(people, "#technical"))


# 2. A reply in a ticket's thread is about that ticket


def _in_thread(thread: str) -> Conversation:
    return Conversation("console", "#help", thread=thread)


def _open_in_thread(desk, thread: str, text: str, kind: str = "incident") -> str:
    with desk.database.session() as session:
        return open_ticket(session, desk, person=Person("console", "alice", "Alice"), conversation=_in_thread(thread),
                           text=text, kind=kind, queue="technical", impact="low", urgency="low", priority="P4",
                           actor_name="alice").ref


def _two_resolved_in_threads(people) -> tuple[str, str]:
    laptop = _open_in_thread(people.desk, "t-1", "my laptop screen is cracked")
    printer = _open_in_thread(people.desk, "t-2", "the printer on floor 2 jams")
    assert people.sd("bob", f"/sd resolve {laptop} replaced the screen").ok
    assert people.sd("bob", f"/sd resolve {printer} cleared the jam").ok
    return laptop, printer


def _typed(desk, text: str, conversation: Conversation | None):
    """The follow-up answer to alice's text written in `conversation`, as intake asks for it."""
    person = Person("console", "alice", "Alice")
    with desk.database.session() as session:
        return follow_up.typed_answer(session, desk, person, text, desk.classifier.classify(text),
                                      conversation=conversation)


def test_a_no_in_a_tickets_thread_answers_that_ticket_without_asking_which(people, desk):
    laptop, printer = _two_resolved_in_threads(people)
    reply = _typed(desk, "no, still broken: the screen flickers", _in_thread("t-1"))
    assert reply.text == f"{laptop} is open again; the team has been told."
    assert people.ticket(laptop).status == "in_progress" and people.ticket(printer).status == "resolved"
    assert people.ticket(laptop).comments[-1].body == "the screen flickers"
    assert _typed(desk, "yes", _in_thread("t-2")).text == f"{printer} is closed. Thanks for confirming!"


def test_outside_a_thread_or_in_someone_elses_the_desk_still_asks_which(people, desk):
    _two_resolved_in_threads(people)
    assert _typed(desk, "yes", Conversation("console", "@alice")).text.startswith("Which one do you mean?")
    with desk.database.session() as session:
        other = open_ticket(session, desk, person=Person("console", "bea", "Bea"), conversation=_in_thread("t-9"),
                            text="my mouse is dead", kind="incident", queue="technical", impact="low",
                            urgency="low", priority="P4", actor_name="bea")
        assert other.ref == "INC-3"
    assert _typed(desk, "yes", _in_thread("t-9")).text.startswith("Which one do you mean?")


def test_a_yes_in_the_thread_of_a_ticket_with_nothing_to_confirm_answers_no_other_ticket(people, desk):
    laptop, printer = _two_resolved_in_threads(people)
    working = _open_in_thread(desk, "t-3", "the docking station is dead")
    assert _typed(desk, "yes", _in_thread("t-3")) is None  # left to intake: a comment on the thread's ticket
    assert people.ticket(laptop).status == "resolved" and people.ticket(printer).status == "resolved"
    assert people.ticket(working).status == "new"


def test_a_rating_in_a_tickets_thread_rates_that_ticket(people, desk):
    laptop, printer = _two_resolved_in_threads(people)
    assert _typed(desk, "yes", _in_thread("t-1")).ok and _typed(desk, "yes", _in_thread("t-2")).ok
    assert _typed(desk, "4 quick fix", _in_thread("t-1")).text == f"Thanks for rating {laptop} 4/5!"
    assert _typed(desk, "2", Conversation("console", "@alice")).text.startswith(f"Thanks for rating {printer} 2/5!")
    assert set(_stored(desk)) == {(4, "quick fix"), (2, None)}


def test_a_reply_in_a_tickets_thread_answers_it_through_intake(people, desk):
    laptop, printer = _two_resolved_in_threads(people)
    reply = people.say("alice", "no, still broken", conversation=_in_thread("t-1"))
    assert reply.text == f"{laptop} is open again; the team has been told."
    assert people.ticket(printer).status == "resolved"
    assert people.say("alice", "yes").text == f"{printer} is closed. Thanks for confirming!"
