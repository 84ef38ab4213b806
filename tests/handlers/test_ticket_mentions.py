"""Messages about a ticket the writer already has: questions are answered, details kept, a fix
that did not hold reopens the ticket, thanks are acknowledged (handlers/ticket_mentions.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.messages import Conversation

WAITING = "INC-1 (my laptop won't turn on) is new, waiting to be picked up by Technical Management, priority P4."
THREAD = Conversation("console", "#help", thread="t-1")


class Unsure:
    """The trained model, but reporting low confidence: what the desk does in doubt."""

    def __init__(self, model) -> None:
        self.model = model

    def classify(self, text: str):
        return replace(self.model.classify(text), confidence=0.3)


def _team(people, ref: str = "INC-1") -> list[str]:
    return [t for d, a, t in people.outbox() if a == "#technical" and ref in t]


def _bodies(people, ref: str = "INC-1") -> list[str]:
    return [c.body for c in people.ticket(ref).comments]


@pytest.mark.parametrize("question", [
    "INC-1 why is this taking so long",
    "has someone picked up INC-1?",
    "INC-1 when can I expect a fix",
    "is anybody working on INC-1",
    "INC-1 I am still waiting",
    "hi, just following up on INC-1",
    "INC-1 it's been 3 days and nobody has replied",
])
def test_a_status_question_about_ones_own_ticket_is_answered_not_posted(people, question):
    people.say("alice", "my laptop won't turn on")
    reply = people.say("alice", question)
    assert reply.text == WAITING
    assert _bodies(people) == []
    assert not any("added to INC-1" in t for t in _team(people))


def test_in_the_tickets_thread_a_status_question_is_answered_and_details_are_added(people):
    people.say("alice", "my laptop won't turn on", conversation=THREAD)
    for question in ("why is this taking so long?", "has someone picked it up", "I am still waiting"):
        assert people.say("alice", question, conversation=THREAD).text == WAITING
    assert _bodies(people) == []
    assert people.say("alice", "it also smells burnt", conversation=THREAD).text == "Added to INC-1."
    assert _bodies(people) == ["it also smells burnt"]
    assert people.ticket("INC-2") is None


@pytest.mark.parametrize("detail", [
    "INC-1 the error is still happening after the reboot",
    "INC-1 I haven't heard the fan spin up yet",
    "INC-1 nobody in finance can print yet",
    "INC-1 anyone who plugs in the dock gets a blue screen",
])
def test_details_using_words_like_yet_or_anyone_are_kept_on_the_ticket(people, detail):
    people.say("alice", "my laptop won't turn on")
    reply = people.say("alice", detail)
    assert reply.text == "Added to INC-1; Technical Management will see it."
    assert _bodies(people) == [detail]
    assert any(f"Alice added to INC-1: {detail}" in t for t in _team(people))


def test_a_message_that_tells_and_asks_is_added_and_answered(people):
    people.say("alice", "my laptop won't turn on")
    people.sd("agent", "/sd take INC-1")
    reply = people.say("alice", "INC-1 the screen shows error 0x12 now, anyone seen this yet? any update?")
    first, status = reply.text.split("\n")
    assert first == "Added to INC-1; Sam (Service Desk) will see it."
    assert status.startswith("INC-1 (my laptop won't turn on) is assigned, with Sam (Service Desk), priority P4.")
    assert _bodies(people) == ["INC-1 the screen shows error 0x12 now, anyone seen this yet? any update?"]
    assert any("Alice added to INC-1: INC-1 the screen shows error 0x12" in t for t in _team(people))


@pytest.mark.parametrize("text", ["req 2 from the audit is missing", "Inc 2024 numbers look wrong"])
def test_in_doubt_words_that_look_like_a_ticket_id_do_not_swallow_the_message(people, desk, text):
    people.say("alice", "my laptop won't turn on")  # INC-1 exists; REQ-2 and INC-2024 do not
    desk.classifier = Unsure(desk.classifier)
    reply = people.say("alice", text)
    assert reply.text.startswith("I'm not sure")
    assert people.say("alice", "1") is None  # "Something is broken"
    assert people.ticket("INC-2").description == text
    assert _bodies(people) == []


def test_in_doubt_a_ticket_of_someone_else_is_no_reference_but_a_plain_question_is_answered(people, desk):
    people.say("alice", "my laptop won't turn on")
    desk.classifier = Unsure(desk.classifier)
    reply = people.say("bea", "inc 1 numbers in the sales report look wrong")
    assert reply.text.startswith("I'm not sure") and "laptop" not in reply.text
    assert _bodies(people) == []
    assert people.say("bea", "any update on INC-1?").text == "I can't find a ticket INC-1 among yours."
    assert people.say("alice", "INC-1 when can I expect a fix").text == WAITING


def _resolved(people, conversation=None):
    people.say("alice", "my laptop won't turn on", **({"conversation": conversation} if conversation else {}))
    assert people.sd("agent", "/sd resolve INC-1 replaced the power supply").ok


def test_still_broken_about_a_resolved_ticket_reopens_it_and_tells_the_team(people):
    _resolved(people)
    reply = people.say("alice", "INC-1 is still broken")
    assert reply.text == "INC-1 is open again; the team has been told. What you wrote is on the ticket."
    ticket = people.ticket("INC-1")
    assert ticket.status == "in_progress" and ticket.resolution is None
    assert _bodies(people) == ["INC-1 is still broken"]
    team = _team(people)
    assert "INC-1 reopened by Alice." in team and "Alice added to INC-1: INC-1 is still broken" in team
    assert people.ticket("INC-2") is None


def test_happening_again_in_the_thread_or_after_is_it_fixed_reopens_that_ticket(people):
    _resolved(people, THREAD)
    assert "open again" in people.say("alice", "it's happening again", conversation=THREAD).text
    assert people.ticket("INC-1").status == "in_progress"
    assert people.sd("agent", "/sd resolve INC-1 replaced the board").ok
    people.say("alice", "my printer is broken again")  # another thing: a new incident, INC-1 stays resolved
    assert people.ticket("INC-2") is not None and people.ticket("INC-1").status == "resolved"
    reply = people.say("alice", "it's happening again")  # no id, no thread: the ticket asking "Is it fixed?"
    assert reply.text.startswith("INC-1 is open again")
    assert people.ticket("INC-1").status == "in_progress"
    assert people.ticket("INC-3") is None


def test_thanks_naming_a_ticket_is_acknowledged_and_not_posted_to_the_team(people):
    _resolved(people)
    before = _team(people)
    reply = people.say("alice", "INC-1 thanks a lot")
    assert reply.text == "You're welcome! INC-1 is resolved: Is it fixed? Answer yes, or no if it's still broken."
    assert people.ticket("INC-1").status == "resolved"
    assert _bodies(people) == [] and _team(people) == before


def test_a_closed_ticket_is_not_reopened_by_still_broken(people):
    _resolved(people)
    assert "closed" in people.say("alice", "yes").text
    people.say("alice", "INC-1 is still broken")
    assert people.ticket("INC-1").status == "closed"
    assert _bodies(people) == []
