"""Answers as people write them: a natural no to "Is it fixed?" reopens the ticket and keeps what
it adds, a natural yes confirms; a known error's "Did this fix it?" answered "no, I already tried
vpn2" keeps the detail; a comment written just after a rating is added to it; "both" answers two
tickets at once; ratings in words, and a clear answer to a number outside 1-5."""
from __future__ import annotations

import pytest

from handlers.rating_reading import RANGE_HINT
from storage.follow_up import ratings
from tests.handlers.test_catalog import _in
from tests.handlers.test_problems import VPN_ERIN, WORKAROUND, _two_vpn_incidents
from tests.sla_helpers import open_incident

REOPENED = "{} is open again; the team has been told."
CLOSED = "{} is closed. Thanks for confirming!"


def _resolved(people, text: str = "my laptop won't boot", who: str = "alice") -> str:
    ref = open_incident(people.desk, "P4", who=who, text=text)
    assert people.sd("bob", f"/sd resolve {ref} replaced the RAM").ok
    return ref


def _said(people, ref: str) -> list[str]:
    """What the requester added to the ticket (public comments by them)."""
    ticket = people.ticket(ref)
    return [c.body for c in ticket.comments if c.visibility == "public" and c.author == ticket.requester_name]


def _stored(desk) -> list[tuple[int, str | None]]:
    with desk.database.session() as session:
        return [(r.rating, r.comment) for r in ratings(session)]


# 1. "Is it fixed?" answered the way people answer


@pytest.mark.parametrize("text, detail", [
    ("not really", None),
    ("unfortunately not, it still beeps", "it still beeps"),
    ("sadly no", None),
    ("no luck, still beeping", "still beeping"),
    ("nope still the same", None),
    ("not yet", None),
    ("afraid not", None),
    ("hmm not really, the fan still spins up", "the fan still spins up"),
    ("it didn't even boot this morning", "it didn't even boot this morning"),
])
def test_a_natural_no_reopens_the_ticket_with_what_it_adds(people, text, detail):
    ref = _resolved(people)
    assert people.say("alice", text).text == REOPENED.format(ref)
    assert people.ticket(ref).status == "in_progress"
    assert _said(people, ref) == ([detail] if detail else [])
    assert people.ticket("INC-2") is None and people.ticket("REQ-1") is None  # nothing new opened


@pytest.mark.parametrize("text", ["yes all good now", "works now thanks", "seems fine", "that did the trick"])
def test_a_natural_yes_confirms(people, text):
    ref = _resolved(people)
    assert people.say("alice", text).text == CLOSED.format(ref)
    assert people.ticket(ref).status == "closed" and _said(people, ref) == []


@pytest.mark.parametrize("text", ["no worries", "thanks"])
def test_words_that_only_look_like_an_answer_leave_the_ticket_resolved(people, text):
    ref = _resolved(people)
    people.say("alice", text)
    assert people.ticket(ref).status == "resolved"


# 2. A known error's "Did this fix it?"


def _offered(people) -> None:
    first, second = _two_vpn_incidents(people)
    people.sd("agent", f"/sd problem new VPN drops {first} {second}")
    people.sd("agent", f"/sd problem known-error PRB-1 {WORKAROUND}")
    people.say("erin", VPN_ERIN)
    assert people.ticket("INC-3").requester_id == "erin"


def test_no_with_a_detail_to_a_workaround_keeps_the_detail_on_the_incident(people):
    _offered(people)
    reply = people.say("erin", "no, I already tried vpn2")
    assert reply.text == ("Sorry it didn't help. INC-3 stays open with the team; they'll be in touch. "
                          "I've added what you said to INC-3.")
    assert people.ticket("INC-3").status == "new"
    assert _said(people, "INC-3") == ["I already tried vpn2"]
    assert "Erin added to INC-3: I already tried vpn2" in _in(people, "#technical")


def test_a_natural_no_to_a_workaround_is_a_no(people):
    _offered(people)
    assert people.say("erin", "not really").text.startswith("Sorry it didn't help.")
    assert people.ticket("INC-3").status == "new" and _said(people, "INC-3") == []


# 3. A comment written just after a rating


def _rated(people, rating: str = "4") -> str:
    ref = _resolved(people)
    assert people.say("alice", "yes").text == CLOSED.format(ref)
    assert people.say("alice", rating).text.startswith(f"Thanks for rating {ref} {rating}/5!")
    return ref


@pytest.mark.parametrize("text", ["great service but slow", "bob was very helpful but it took two days"])
def test_a_comment_after_a_rating_is_added_to_it(people, desk, text):
    ref = _rated(people)
    assert people.say("alice", text).text == f"Thanks, added to your rating of {ref}."
    assert _stored(desk) == [(4, text)]
    assert f"Alice added to the 4/5 rating of {ref}: {text}" in _in(people, "#technical")
    assert people.ticket("INC-2") is None  # opened nothing


def test_a_second_comment_or_one_written_later_is_not_taken_for_the_rating(people, desk, clock):
    _rated(people)
    clock.advance(minutes=31)
    reply = people.say("alice", "great service but slow")
    assert reply is None or "rating" not in reply.text
    assert _stored(desk) == [(4, None)]


def test_a_new_matter_after_a_rating_is_opened_not_added(people, desk):
    _rated(people)
    assert people.say("alice", "the printer on floor 3 is jammed and shows error 53") is None
    assert people.ticket("INC-2") is not None
    assert _stored(desk) == [(4, None)]
    assert "You're welcome" in people.say("alice", "thanks").text  # nothing waits for a comment now


# 4. Two tickets waiting for a yes or no


def _two_resolved(people) -> tuple[str, str]:
    return _resolved(people), _resolved(people, "my second monitor flickers")


@pytest.mark.parametrize("text", ["yes to both", "all fixed thanks", "both fixed"])
def test_yes_to_both_closes_both(people, text):
    laptop, monitor = _two_resolved(people)
    assert people.say("alice", text).text == f"{CLOSED.format(laptop)}\n{CLOSED.format(monitor)}"
    assert people.ticket(laptop).status == "closed" and people.ticket(monitor).status == "closed"


def test_both_answers_which_one_do_you_mean(people):
    laptop, monitor = _two_resolved(people)
    which = people.say("alice", "no, the fan still spins up")
    assert which.text.startswith("Which one do you mean?") and 'or say "both"' in which.text
    assert people.say("alice", "both").text == f"{REOPENED.format(laptop)}\n{REOPENED.format(monitor)}"
    assert _said(people, laptop) == ["the fan still spins up"] == _said(people, monitor)


# 5. Ratings in words, and outside 1-5


@pytest.mark.parametrize("text, stars", [("five", 5), ("four stars", 4), ("Three out of 5, slow", 3)])
def test_a_rating_in_words_is_read(people, desk, text, stars):
    ref = _resolved(people)
    people.say("alice", "yes")
    assert people.say("alice", text).text.startswith(f"Thanks for rating {ref} {stars}/5!")
    assert [rating for rating, _ in _stored(desk)] == [stars]


@pytest.mark.parametrize("text", ["0", "6", "10/10"])
def test_a_number_outside_one_to_five_is_told_the_range(people, desk, text):
    ref = _resolved(people)
    people.say("alice", "yes")
    reply = people.say("alice", text)
    assert reply.text == RANGE_HINT and "from 1 to 5" in reply.text
    assert _stored(desk) == []
    assert people.say("alice", "4").text.startswith(f"Thanks for rating {ref} 4/5!")
