"""Catalog requests, review round 3:
1. a catalog question interrupted by "Is it fixed?" (or a rating) is asked again after its answer,
   and a plain answer then fills it;
2. while "Is something broken, do you need something, or do you need access?" waits, "cancel"
   drops it and a detail ("hmm, the adobe one") is kept with the message;
3. date fields have a direction: a restore's day has passed, a pickup's day has not;
4. "I need Visio on my laptop", "can I get Photoshop": a named product is a Software install;
5. the approver reads the request's details (model, reason), not only its first message.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.config import ConfigError, load_organisation
from handlers.catalog import NotAnAnswer, WrongDay, best_match, parse_answer, prefill, question
from handlers.fulfilment import approval_subject
from storage.tickets import get_ticket
from tests.handlers.test_catalog import _in, _request, _to
from tests.handlers.test_catalog_config import _config_with

MONDAY = date(2026, 11, 23)  # the clock's day in these tests


class Unsure:
    """The trained model, reporting low confidence: the desk asks what the message is."""

    def __init__(self, model) -> None:
        self.model = model

    def classify(self, text: str):
        return replace(self.model.classify(text), confidence=0.3)


def _unsure_once(desk, who_says) -> None:
    model = desk.classifier
    desk.classifier = Unsure(model)
    try:
        who_says()
    finally:
        desk.classifier = model


# 1. The catalog question comes back after "Is it fixed?"


def _mailbox_asking_for_the_address_then_resolved(people, desk) -> None:
    people.say("alice", "my laptop won't boot")
    people.say("alice", "we need a shared mailbox")
    assert "What address should it have" in people.say("alice", "yes").text
    desk.clock.advance(minutes=5)
    assert people.sd("bob", "/sd resolve INC-1 replaced the RAM").ok
    desk.clock.advance(minutes=5)


def test_after_is_it_fixed_the_catalog_question_is_asked_again_and_a_plain_answer_fills_it(people, desk):
    _mailbox_asking_for_the_address_then_resolved(people, desk)
    assert people.say("alice", "yes").text == "INC-1 is closed. Thanks for confirming!"
    said = _to(people, "alice")
    assert said[-2].startswith("How did we do on INC-1?")
    assert said[-1] == "Back to REQ-1 (New shared mailbox): What address should it have (e.g. sales-team@example.com)?"
    owners = people.say("alice", "sales@example.com")  # the rating waits; this is the address
    assert "Who should own and manage it" in owners.text
    assert _request(desk, "REQ-1")["fields"] == {"address": "sales@example.com"}
    assert people.ticket("INC-2") is None


def test_a_rating_still_goes_to_the_rating_and_the_catalog_question_follows(people, desk):
    _mailbox_asking_for_the_address_then_resolved(people, desk)
    people.say("alice", "yes")
    desk.clock.advance(minutes=1)
    assert people.say("alice", "4").text.startswith("Thanks for rating INC-1 4/5!")
    assert _to(people, "alice")[-1].startswith("Back to REQ-1 (New shared mailbox): What address")
    assert "Who should own" in people.say("alice", "sales@example.com").text


def test_a_no_to_is_it_fixed_reopens_and_the_catalog_question_follows(people, desk):
    _mailbox_asking_for_the_address_then_resolved(people, desk)
    assert people.say("alice", "no, still broken").text.startswith("INC-1 is open again")
    assert _to(people, "alice")[-1].startswith("Back to REQ-1 (New shared mailbox): What address")
    assert people.ticket("INC-1").status == "in_progress"
    assert "Who should own" in people.say("alice", "sales@example.com").text


def test_while_is_it_fixed_waits_an_unclear_message_is_not_taken_as_the_catalog_answer(people, desk):
    _mailbox_asking_for_the_address_then_resolved(people, desk)
    people.say("alice", "hmm hard to say really")  # "Is it fixed?" is newer: not the mailbox's address
    assert _request(desk, "REQ-1")["fields"] == {}


# 2. The clarification question: cancel, and details kept


def test_cancel_drops_the_clarification_and_nothing_is_opened(people, desk):
    _unsure_once(desk, lambda: people.say("alice", "I need new software"))
    desk.clock.advance(minutes=1)
    dropped = people.say("alice", "cancel")
    assert dropped.text == ("OK, I've dropped that message; nothing was logged. Tell me any time something's "
                            "broken or you need something.")
    people.say("alice", "2")  # no question waits for it any more
    assert people.ticket("REQ-1") is None


def test_never_mind_drops_it_too(people, desk):
    _unsure_once(desk, lambda: people.say("alice", "the thing with the badge reader"))
    assert people.say("alice", "never mind").text.startswith("OK, I've dropped that message")
    assert people.say("alice", "3").text.startswith("I'm not sure I understood")  # nothing to answer
    assert people.ticket("ACC-1") is None


def test_a_detail_is_kept_with_the_message_and_the_question_asked_again(people, desk):
    _unsure_once(desk, lambda: people.say("alice", "I need new software"))
    desk.clock.advance(minutes=1)
    kept = people.say("alice", "hmm, the adobe one")
    assert kept.text == ("Thanks, I've kept that with your message. To log it with the right team: is something "
                         "broken, do you need something, or do you need access?")
    assert [label for _, label in kept.choices] == ["Something is broken", "I need something", "I need access"]
    assert people.say("alice", "2") is None  # opened
    ticket = people.ticket("REQ-1")
    assert ticket.description == "I need new software\nhmm, the adobe one"
    assert _to(people, "alice")[-1] == "Sounds like *Software install*: right? Answer yes or no."


def test_thanks_and_my_tickets_are_not_details(people, desk):
    _unsure_once(desk, lambda: people.say("alice", "I need new software"))
    assert "You're welcome" in people.say("alice", "thanks").text
    assert "no open tickets" in people.say("alice", "my tickets").text
    people.say("alice", "2")
    assert people.ticket("REQ-1").description == "I need new software"


def test_cancelling_a_newer_clarification_leaves_the_catalog_request_and_asks_its_question_again(people, desk):
    people.say("alice", "I need a new laptop")
    assert "Which model would you like?" in people.say("alice", "yes").text
    desk.clock.advance(minutes=1)
    unclear = []
    _unsure_once(desk, lambda: unclear.append(people.say("alice", "the thing with the badge reader at the door")))
    assert unclear[0].text.startswith("I'm not sure I understood")  # no model: the desk asks what it is
    desk.clock.advance(minutes=1)
    assert people.say("alice", "cancel").text.startswith("OK, I've dropped that message")
    assert people.ticket("REQ-1").status == "new"  # the request is not what was cancelled
    assert _to(people, "alice")[-1].startswith("Back to REQ-1 (New laptop): Which model would you like?")
    assert "Why do you need it" in people.say("alice", "ThinkPad").text


# 3. Dates with a direction


def test_a_restore_day_in_the_future_is_asked_again_saying_why(people, desk):
    people.say("alice", "please restore /shares/finance/q4.xlsx")
    asked = people.say("alice", "yes").text
    assert "Which day's version do you need? (today or earlier, e.g. yesterday, last Friday or 16 Nov)" in asked
    again = people.say("alice", "next friday")
    assert not again.ok
    assert again.text.startswith("'next friday' is Fri 27 Nov 2026, which hasn't come yet: I need today or a day "
                                 "before it. Which day's version do you need?")
    assert "that's everything for REQ-1" in people.say("alice", "Friday").text  # the Friday just gone
    assert _request(desk, "REQ-1")["fields"]["date"] == "2026-11-20"


def test_a_pickup_day_in_the_past_is_asked_again_saying_why(people, desk):
    people.say("dan", "can you collect 2 old monitors from floor 3")
    people.say("dan", "yes")
    people.say("dan", "2 monitors")
    asked = people.say("dan", "Building A, floor 3").text
    assert "Which day suits you for the pickup? (today or later, e.g. tomorrow, next Friday or 30 Nov)" in asked
    again = people.say("dan", "yesterday")
    assert not again.ok and again.text.startswith("'yesterday' is Sun 22 Nov 2026, which has already passed")
    assert "that's everything" in people.say("dan", "tomorrow").text
    assert _request(desk, "REQ-1")["fields"]["date"] == "2026-11-24"


@pytest.mark.parametrize("item, typed, today, expected", [
    ("file-restore", "yesterday", MONDAY, "2026-11-22"), ("file-restore", "today", MONDAY, "2026-11-23"),
    ("file-restore", "friday", MONDAY, "2026-11-20"),  # the Friday just gone
    ("file-restore", "20 Dec", date(2027, 1, 5), "2026-12-20"),  # typed in January: last December's
    ("file-restore", "20/11", MONDAY, "2026-11-20"),
    ("equipment-pickup", "5 Jan", MONDAY, "2027-01-05"),  # typed in November: next January's
    ("equipment-pickup", "today", MONDAY, "2026-11-23"), ("equipment-pickup", "friday", MONDAY, "2026-11-27"),
])
def test_a_date_is_read_on_its_fields_side_of_today(organisation, item, typed, today, expected):
    field = organisation.catalog.item(item).field_named("date")
    assert parse_answer(field, typed, today=today) == expected


@pytest.mark.parametrize("item, typed", [
    ("file-restore", "tomorrow"), ("file-restore", "next Monday"), ("file-restore", "2026-12-01"),
    ("file-restore", "20 Dec"),  # this December's, still to come
    ("equipment-pickup", "yesterday"), ("equipment-pickup", "last Friday"), ("equipment-pickup", "20/11"),
])
def test_a_date_on_the_wrong_side_is_not_taken(organisation, item, typed):
    field = organisation.catalog.item(item).field_named("date")
    with pytest.raises(WrongDay):
        parse_answer(field, typed, today=MONDAY)


def test_a_future_day_in_the_first_message_of_a_restore_is_asked_for_instead(organisation):
    restore = organisation.catalog.item("file-restore")
    assert prefill(restore, "restore /home/ann/report.docx from 2026-12-01", today=MONDAY) == {
        "path": "/home/ann/report.docx"}


def test_unreadable_dates_get_examples_on_the_right_side(organisation):
    field = organisation.catalog.item("file-restore").field_named("date")
    with pytest.raises(NotAnAnswer, match=r"a day that has passed or today, such as yesterday, last Monday or "
                                          r"2026-11-16"):
        parse_answer(field, "soonish", today=MONDAY)
    assert question(organisation.catalog.item("equipment-pickup").field_named("date")) == (
        "Which day suits you for the pickup? (today or later, e.g. tomorrow, next Friday)")


def test_when_is_only_for_date_fields(tmp_path):
    path = _config_with(tmp_path, '{name: owners, prompt: "Who should own and manage it (names)?"}',
                        '{name: owners, prompt: "Who should own and manage it (names)?", when: future}')
    with pytest.raises(ConfigError, match=r"'owners' has when: future but is of type 'text', not 'date'"):
        load_organisation(path)


# 4. A named product is a Software install


@pytest.mark.parametrize("text, software", [
    ("I need Visio on my laptop", "Visio"),
    ("can I get Photoshop", "Photoshop"),
    ("I need Slack on my new laptop", "Slack"),
    ("could I get Figma on my pc", "Figma"),
    ("I need Teams on my laptop", "Teams"),  # one of nlp.applications
])
def test_a_request_for_a_named_product_is_a_software_install(organisation, text, software):
    match = best_match(organisation, text)
    assert match is not None and match.item.id == "software-install"
    assert prefill(match.item, text, today=MONDAY)["software"] == software


@pytest.mark.parametrize("text", [
    "I need a new ThinkPad",  # a thing, not software
    "I need a Dell",
    "I need it on my MacBook",  # where, not what
    "can we get a new Teams channel for the project",  # a channel is asked for
    "I need Tom to call me",
])
def test_a_capitalised_word_alone_does_not_make_a_software_install(organisation, text):
    match = best_match(organisation, text)
    assert match is None or match.item.id != "software-install"


def test_visio_on_my_laptop_is_offered_software_install_and_goes_to_the_application_team(people, desk):
    people.say("alice", "I need Visio on my laptop")
    assert _to(people, "alice")[-1] == "Sounds like *Software install*: right? Answer yes or no."
    done = people.say("alice", "yes")
    assert "that's everything for REQ-1" in done.text and "software: Visio; device: Laptop" in done.text
    assert people.ticket("REQ-1").queue == "application"
    assert any(text.startswith("REQ-1 ready to fulfil: Software install") for text in _in(people, "#application"))


# 5. The approver reads the details


def _laptop_waiting_for_tom(people) -> None:
    people.say("priya", "I need a new laptop")
    people.say("priya", "yes")
    people.say("priya", "ThinkPad")
    assert "Waiting for approval from Tom" in people.say("priya", "replacement, my old one is broken").text


def test_the_approval_subject_has_the_item_and_its_details(people, desk):
    _laptop_waiting_for_tom(people)
    with desk.database.session() as session:
        subject = approval_subject(session, desk.organisation, get_ticket(session, ref="REQ-1"))
    assert subject == ('New laptop (model: ThinkPad X1 Carbon; reason: replacement, my old one is broken). '
                       'Asked as: "I need a new laptop".')


def test_the_approver_is_asked_with_the_details(people, desk):
    _laptop_waiting_for_tom(people)
    asked = [text for _, address, text in people.outbox()
             if address in ("tom", "@tom") and "asks for your approval on REQ-1" in text]
    assert asked and "model: ThinkPad X1 Carbon; reason: replacement, my old one is broken" in asked[-1]
