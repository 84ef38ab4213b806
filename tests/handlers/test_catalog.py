"""The service catalog in conversation: a request matched to an item, its details asked for one
question at a time, the team's checklist ticked off to a resolve the requester hears about."""
from __future__ import annotations

from handlers.clarification import answer_by_button
from handlers.fulfilment import request_view
from handlers.interactions import end_user_answer
from storage.tickets import get_ticket
from tests.handlers.test_problems import _choices  # the choices of the latest outbox message with that text


def _to(people, who: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == f"@{who}"]


def _in(people, channel: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == channel]


def _request(desk, ref: str) -> dict | None:
    with desk.database.session() as session:
        return request_view(session, get_ticket(session, ref=ref))


def test_a_software_request_is_confirmed_its_details_asked_and_its_steps_ticked_to_a_resolve(people, desk):
    assert people.say("alice", "I need Visio installed") is None  # the answers go out through the outbox
    assert _to(people, "alice")[-1] == "Sounds like *Software install*: right? Answer yes or no."
    assert [label for _, label in _choices(desk, "Sounds like")] == ["Yes", "No"]

    question = people.say("alice", "yes")
    assert question.ok and "Which device should it go on?" in question.text
    assert "software" not in question.text.lower()  # "Visio" came from the first message
    assert [label for _, label in question.choices] == ["Laptop", "Desktop", "Virtual desktop"]

    done = people.say("alice", "desktop")
    assert "that's everything for REQ-1" in done.text and "software: Visio; device: Desktop" in done.text
    assert "Application Management will take it from here, usually within 2 business days" in done.text
    posted = _in(people, "#application")[-1]
    assert posted.startswith("REQ-1 ready to fulfil: Software install for Alice.")
    assert "1. Check a licence is available" in posted and "/sd done REQ-1 STEP" in posted
    ticket = people.ticket("REQ-1")
    assert any(c.visibility == "public" and c.body == "Software install: software: Visio; device: Desktop"
               for c in ticket.comments)
    assert _request(desk, "REQ-1")["fields"] == {"software": "Visio", "device": "Desktop"}

    shown = people.sd("carol", "/sd show REQ-1").text
    assert "request: software-install (fulfilment)" in shown and "[ ] 2. Install the software" in shown
    assert people.sd("bob", "/sd done REQ-1 1").ok is False  # bob works technical, not application
    first = people.sd("carol", "/sd done REQ-1 1")
    assert first.ok and first.text == ("REQ-1: step 1 of 3 done (Check a licence is available). Still to do: "
                                       "2. Install the software, 3. Confirm it works with the requester.")
    again = people.sd("carol", "/sd done REQ-1 check")
    assert not again.ok and "was done already, by carol" in again.text
    unknown = people.sd("carol", "/sd done REQ-1 reboot")
    assert not unknown.ok and "'reboot' is not a step of this request" in unknown.text
    assert people.sd("carol", "/sd done REQ-1 install").ok
    assert people.ticket("REQ-1").status == "in_progress"
    last = people.sd("carol", "/sd done REQ-1 Confirm")
    assert last.ok and "All steps are done, so REQ-1 is resolved and Alice has been told" in last.text

    ticket = people.ticket("REQ-1")
    assert ticket.status == "resolved" and ticket.resolution.startswith("Fulfilled: 1. Check a licence")
    assert any(text.startswith("REQ-1 is resolved: Fulfilled:") for text in _to(people, "alice"))
    steps = _request(desk, "REQ-1")["steps"]
    assert [(s["done"], s["by"]) for s in steps] == [(True, "carol")] * 3 and all(s["at"] for s in steps)
    assert "nothing left to tick off" in people.sd("carol", "/sd done REQ-1 1").text


def test_buttons_answer_the_same_questions(people, desk):
    people.say("erin", "we need a new shared mailbox sales-team@example.com please")
    confirm = dict((label, value) for value, label in _choices(desk, "Sounds like *New shared mailbox*"))
    owners = answer_by_button(desk, people.person("erin"), confirm["Yes"])
    assert "Who should own and manage it" in owners.text  # the address came from the first message
    assert answer_by_button(desk, people.person("frank"), confirm["Yes"]).text == "That question was for someone else."
    assert answer_by_button(desk, people.person("erin"), confirm["No"]).text == "That was answered already."


def test_an_unmatched_request_goes_to_the_queue_as_a_plain_request(people, desk):
    people.say("alice", "I need a new monitor")
    told = _to(people, "alice")[-1]
    assert told == ("REQ-1 doesn't match anything in the service catalog (/sd catalog lists it), so it goes to "
                    "Technical Management as a plain request.")
    assert _request(desk, "REQ-1") is None
    assert "no fulfilment steps" in people.sd("bob", "/sd done REQ-1 1").text


def test_saying_no_to_the_match_leaves_a_plain_request(people, desk):
    people.say("alice", "I need a new laptop")
    reply = people.say("alice", "no")
    assert reply.text == "OK, not New laptop. REQ-1 goes to Technical Management as a plain request; they'll be in touch."
    assert _request(desk, "REQ-1")["state"] == "declined"
    after = people.say("alice", "yes")  # nothing is pending any more
    assert after is None or "REQ-1" not in after.text


def test_an_invalid_choice_is_asked_again_and_a_number_picks_from_the_list(people, desk):
    people.say("alice", "I need a new laptop")
    model = people.say("alice", "yes")
    assert "Which model would you like?" in model.text
    wrong = people.say("alice", "banana")
    assert not wrong.ok
    assert wrong.text.startswith("'banana' is not one of the choices; answer with one of: MacBook Air 13, "
                                 "MacBook Pro 14, ThinkPad X1 Carbon, Dell Latitude 7450.")
    assert "Which model would you like?" in wrong.text and len(wrong.choices) == 4
    reason = people.say("alice", "2")
    assert "Why do you need it" in reason.text
    assert _request(desk, "REQ-1")["fields"] == {"model": "MacBook Pro 14"}


def test_a_new_incident_while_a_question_is_pending_is_not_swallowed(people, desk):
    people.say("alice", "I need Visio installed")
    people.say("alice", "yes")
    assert people.say("alice", "the VPN is down for the whole office since this morning") is None
    assert people.ticket("INC-1") is not None  # opened as an incident of its own
    listed = people.say("alice", "show me my tickets")  # a question for the desk, not the device
    assert "INC-1" in listed.text and "REQ-1" in listed.text
    assert _request(desk, "REQ-1")["fields"] == {"software": "Visio"}
    done = people.say("alice", "laptop")  # the pending question still takes its answer
    assert "that's everything for REQ-1" in done.text


def test_the_requester_can_cancel_while_being_asked(people, desk):
    people.say("alice", "please restore /shares/finance/q4.xlsx")
    assert "Which day's version do you need?" in people.say("alice", "yes").text  # the path came with the request
    cancelled = people.say("alice", "cancel")
    assert cancelled.text == "OK, I've cancelled REQ-1. Tell me any time you need something."
    ticket = people.ticket("REQ-1")
    assert ticket.status == "closed" and "Cancelled by the requester" in ticket.resolution
    assert "REQ-1 was cancelled by Alice" in _in(people, "#operations")[-1]
    assert _request(desk, "REQ-1")["state"] == "cancelled"


def test_dates_are_read_as_people_type_them(people, desk):
    people.say("dan", "can you collect 2 old monitors from floor 3")
    people.say("dan", "yes")
    assert "Where is it" in people.say("dan", "2 monitors, 1 desktop").text
    assert "Which day suits you" in people.say("dan", "Building A, floor 3, desk 12").text
    wrong = people.say("dan", "soonish")
    assert not wrong.ok and "I can't read 'soonish' as a date" in wrong.text
    assert "that's everything" in people.say("dan", "next Friday").text
    assert _request(desk, "REQ-1")["fields"]["date"] == "2026-11-27"  # the clock says Monday 23 Nov 2026


def test_done_on_something_that_is_not_a_service_request_says_so(people):
    people.say("alice", "my laptop won't turn on")
    reply = people.sd("bob", "/sd done INC-1 1")
    assert not reply.ok and reply.text == "INC-1 is an incident; only service requests have fulfilment steps."


def test_anyone_can_list_the_catalog(people, desk):
    assert end_user_answer(desk, people.person("alice"), "/sd catalog") is None  # allowed for end users
    listing = people.sd("alice", "/sd catalog")
    assert listing.ok and listing.text.startswith("What you can ask for")
    for name in ("New laptop", "Software install", "Password reset", "Restore a file", "New shared mailbox",
                 "Equipment pickup"):
        assert f"• {name}:" in listing.text
    assert "New laptop: a new or replacement laptop computer for work (your manager approves" in listing.text
    assert "catalog" in end_user_answer(desk, people.person("alice"), "/sd help").text
    refused = end_user_answer(desk, people.person("alice"), "/sd done REQ-1 1")
    assert refused is not None and "only support staff can tick off fulfilment steps" in refused.text


def test_a_short_new_request_while_confirming_opens_its_own_ticket_and_yes_answers_the_newest(people, desk):
    people.say("alice", "I need Visio installed")
    unclear = people.say("alice", "maybe")  # not yes or no, and not new work: asked again
    assert not unclear.ok and unclear.text == "Is REQ-1 a request for *Software install*? Answer yes or no (or cancel)."
    assert people.say("alice", "I need a new laptop") is None  # new work, not an answer
    assert _to(people, "alice")[-1] == "Sounds like *New laptop*: right? Answer yes or no."
    assert "Which model would you like?" in people.say("alice", "yes").text
    assert _request(desk, "REQ-1")["state"] == "confirming" and _request(desk, "REQ-2")["state"] == "collecting"
