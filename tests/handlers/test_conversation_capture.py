"""A message written while the desk waits for an answer is taken as that answer only when it is
one: a new request is opened as its own ticket and the pending question is recalled; "2 monitors
are flickering" is not a rating; a bare "no" with two "fixed?" questions open asks which; and an
application's own password stays with Application Management."""
from __future__ import annotations

from handlers.clarification import answer_by_button
from storage.follow_up import ratings
from tests.handlers.test_catalog import _in, _request, _to
from tests.sla_helpers import open_incident


def _laptop_asking_for_a_reason(people, who: str = "bea") -> None:
    people.say(who, "I need a new laptop")
    people.say(who, "yes")
    assert "Why do you need it" in people.say(who, "1").text


# 1. A new request while a catalog question waits


def test_a_new_request_while_the_reason_is_asked_opens_its_own_ticket_and_recalls_the_question(people, desk):
    _laptop_asking_for_a_reason(people)
    assert people.say("bea", "we need a shared mailbox") is None  # opened, not taken as the laptop's reason
    assert _request(desk, "REQ-1")["fields"] == {"model": "MacBook Air 13"}
    assert _request(desk, "REQ-2")["item"] == "shared-mailbox"
    said = _to(people, "bea")
    assert said[-3].startswith("Thanks Bea, I've logged REQ-2")
    assert said[-2].startswith("For REQ-1 (New laptop) I still need: reason. Why do you need it")
    assert 'Answer starting with "REQ-1"' in said[-2]
    assert said[-1] == "Sounds like *New shared mailbox*: right? Answer yes or no."  # the newest question last
    # The new request's own question comes first; the laptop's reason can be given by naming it.
    assert "What address should it have" in people.say("bea", "yes").text
    done = people.say("bea", "REQ-1 replacement, the old one is broken")
    assert "that's everything for REQ-1" in done.text
    assert _request(desk, "REQ-1")["fields"]["reason"] == "replacement, the old one is broken"
    assert _request(desk, "REQ-2")["state"] == "collecting"


def test_finishing_the_new_request_goes_back_to_the_earlier_question(people, desk):
    _laptop_asking_for_a_reason(people)
    people.say("bea", "we need a shared mailbox")
    people.say("bea", "yes")
    people.say("bea", "sales-team@example.com")
    finished = people.say("bea", "Priya and Tom")
    assert "that's everything for REQ-2" in finished.text
    assert "Back to REQ-1 (New laptop): Why do you need it" in finished.text
    assert "that's everything for REQ-1" in people.say("bea", "new starter").text
    assert _request(desk, "REQ-1")["fields"]["reason"] == "new starter"


def test_a_reason_written_as_a_sentence_is_still_the_answer(people, desk):
    _laptop_asking_for_a_reason(people)
    done = people.say("bea", "I need it for the new project in Berlin")
    assert "that's everything for REQ-1" in done.text
    assert _request(desk, "REQ-1")["fields"]["reason"] == "I need it for the new project in Berlin"
    assert people.ticket("REQ-2") is None


def test_a_new_incident_while_a_choice_is_asked_is_opened_and_the_choice_recalled_after_it(people, desk):
    people.say("alice", "I need Visio installed")
    assert "Which device" in people.say("alice", "yes").text
    assert people.say("alice", "the VPN is down for the whole office since this morning") is None
    assert people.ticket("INC-1").kind == "incident"
    said = _to(people, "alice")
    logged = next(n for n, text in enumerate(said) if text.startswith("Thanks Alice, I've logged INC-1"))
    reminders = [n for n, text in enumerate(said) if text.startswith("For REQ-1 (Software install) I still need: "
                                                                     "device. Which device")]
    assert len(reminders) == 1 and reminders[0] > logged
    assert "that's everything for REQ-1" in people.say("alice", "laptop").text


def test_a_new_request_while_a_choice_is_asked_is_opened_and_the_choice_recalled(people, desk):
    people.say("alice", "I need Visio installed")
    assert "Which device" in people.say("alice", "yes").text
    assert people.say("alice", "we need a shared mailbox") is None
    assert _request(desk, "REQ-2")["item"] == "shared-mailbox"
    assert _to(people, "alice")[-2].startswith("For REQ-1 (Software install) I still need: device. Which device")
    assert "that's everything for REQ-1" in people.say("alice", "REQ-1 laptop").text


# 2. "2 monitors are flickering" is not a rating


def _rating_asked(people, who: str) -> str:
    ref = open_incident(people.desk, "P3", who=who)
    assert people.sd("bob", f"/sd resolve {ref} replaced the cable").ok
    assert people.say(who, "yes").text == f"{ref} is closed. Thanks for confirming!"
    return ref


def test_a_number_that_counts_things_is_not_a_rating(people, desk):
    ref = _rating_asked(people, "hal")
    assert people.say("hal", "2 monitors are flickering on my desk") is None  # opened, not rated
    assert people.ticket("INC-2").title == "2 monitors are flickering on my desk"
    with desk.database.session() as session:
        assert ratings(session) == []
    assert not any("rated" in text for text in _in(people, "#technical"))
    # A separator after the number makes it a rating, even with a comment that sounds like an incident.
    assert people.say("hal", "2 - slow to respond").text == f"Thanks for rating {ref} 2/5!"
    with desk.database.session() as session:
        assert [(r.rating, r.comment) for r in ratings(session)] == [(2, "slow to respond")]
    assert people.ticket("INC-3") is None  # the rating opened nothing


def test_a_number_that_starts_a_new_incident_opens_it(people, desk):
    _rating_asked(people, "hal")
    assert people.say("hal", "2 laptop crashes again after the fix") is None  # opened, not rated
    assert people.ticket("INC-2").title == "2 laptop crashes again after the fix"
    with desk.database.session() as session:
        assert ratings(session) == []


def test_ratings_with_a_comment_still_read_as_ratings(people, desk):
    ref = _rating_asked(people, "hal")
    assert people.say("hal", "4 quick fix").text == f"Thanks for rating {ref} 4/5!"
    ref2 = _rating_asked(people, "ivy")
    assert people.say("ivy", "3 stars, took a while").text == f"Thanks for rating {ref2} 3/5!"
    with desk.database.session() as session:
        assert [(r.rating, r.comment) for r in ratings(session)] == [(4, "quick fix"), (3, "took a while")]


# 3. A bare yes/no with more than one "fixed?" question open


def _two_resolved(people) -> tuple[str, str]:
    incident = open_incident(people.desk, "P3", who="alice", text="my laptop screen is cracked")
    request = open_incident(people.desk, "P4", who="alice", kind="service_request", text="a standing desk for room 4")
    assert people.sd("bob", f"/sd resolve {incident} replaced the screen").ok
    assert people.sd("bob", f"/sd resolve {request} delivered").ok
    return incident, request


def test_a_bare_no_with_two_fixed_questions_open_asks_which_and_the_choice_applies(people, desk):
    incident, request = _two_resolved(people)
    which = people.say("alice", "no, still broken")
    assert which.text.startswith("Which one do you mean?")
    labels = [label for _, label in which.choices]
    assert labels == [f"{request}: a standing desk for room 4", f"{incident}: my laptop screen is cracked"]
    assert people.ticket(incident).status == "resolved" and people.ticket(request).status == "resolved"
    pressed = answer_by_button(desk, people.person("alice"), which.choices[1][0])  # as Slack routes a button
    assert pressed.text == f"{incident} is open again; the team has been told."
    assert people.ticket(incident).status == "in_progress" and people.ticket(request).status == "resolved"
    assert people.say("alice", "yes").text == f"{request} is closed. Thanks for confirming!"  # one left: no doubt


def test_a_typed_number_picks_from_the_question_and_naming_the_ticket_answers_directly(people, desk):
    incident, request = _two_resolved(people)
    assert people.say("alice", "yes").text.startswith("Which one do you mean?")
    assert people.say("alice", "2").text == f"{incident} is closed. Thanks for confirming!"
    assert people.ticket(request).status == "resolved"
    with desk.database.session() as session:
        assert ratings(session) == []  # "2" picked the ticket; it rated nothing
    incident2, request2 = _two_resolved(people)
    assert people.say("alice", f"no {request2}").text == f"{request2} is open again; the team has been told."
    assert people.say("alice", f"{incident2} yes").text == f"{incident2} is closed. Thanks for confirming!"


# 4. An application's own password stays with the application team


def test_an_application_password_reset_stays_in_the_application_queue(people, desk):
    people.say("vic", "can you reset my SAP password")
    assert "that's everything for REQ-1" in people.say("vic", "yes").text
    assert people.ticket("REQ-1").queue == "application"
    assert not any("moved here" in text for text in _in(people, "#technical"))
    assert any("REQ-1 ready to fulfil: Password reset" in text for text in _in(people, "#application"))


def test_a_request_filed_without_confidence_moves_to_its_items_queue(people, desk):
    ref = open_incident(desk, "P4", who="alice", kind="service_request", text="please install Visio on my laptop")
    assert people.ticket(ref).queue == "technical"  # filed by hand, no model confidence
    people.say("alice", "yes")
    assert people.ticket(ref).queue == "application"
    assert f"{ref} moved here from technical: it is a Software install request." in _in(people, "#application")


def test_what_is_broken_answers_why_but_is_a_new_incident_where_other_details_are_asked(people, desk):
    _laptop_asking_for_a_reason(people)
    done = people.say("bea", "my screen keeps flickering all day")  # a reason for a new laptop
    assert "that's everything for REQ-1" in done.text
    assert _request(desk, "REQ-1")["fields"]["reason"] == "my screen keeps flickering all day"
    people.say("cal", "we need a shared mailbox")
    people.say("cal", "yes")
    assert "Who should own" in people.say("cal", "sales-team@example.com").text
    assert people.say("cal", "my screen keeps flickering all day") is None  # not the owners: an incident
    assert people.ticket("INC-1").requester_id == "cal"
    assert _to(people, "cal")[-1].startswith("For REQ-2 (New shared mailbox) I still need: owners.")
    assert "that's everything for REQ-2" in people.say("cal", "Priya and Tom").text
