from __future__ import annotations

from handlers.messages import Conversation


def test_broken_laptop_opens_a_technical_incident_and_tells_requester_and_team(people):
    assert people.say("alice", "my laptop won't turn on") is None  # the answer goes out via the outbox
    ticket = people.ticket("INC-1")
    assert ticket is not None
    assert (ticket.kind, ticket.queue, ticket.status) == ("incident", "technical", "new")
    assert ticket.requester_id == "alice"
    sent = people.outbox()
    to_alice = [t for d, a, t in sent if (d, a) == ("conversation", "@alice")]
    to_team = [t for d, a, t in sent if (d, a) == ("channel", "#technical")]
    assert len(to_alice) == 1 and "INC-1" in to_alice[0] and "technical" in to_alice[0]
    assert ticket.priority in to_alice[0]
    assert len(to_team) == 1 and "INC-1" in to_team[0]


def test_each_kind_counts_its_own_ids(people):
    people.say("alice", "my laptop won't turn on")
    people.say("bea", "please install Visio on my computer")
    people.say("carl", "I need access to the finance file share")
    people.say("dan", "the screen on my desktop is cracked and black")
    assert people.ticket("INC-1") and people.ticket("INC-2")
    assert people.ticket("REQ-1").kind == "service_request"
    assert people.ticket("ACC-1").kind == "access_request"
    assert people.ticket("REQ-2") is None


def test_impact_and_urgency_cues_raise_priority_and_shorten_the_target(people):
    people.say("alice", "the whole office can't print and we have a customer deadline today")
    ticket = people.ticket("INC-1")
    assert ticket.priority in ("P1", "P2")
    assert ticket.first_response_due - ticket.created_at <= people.desk.organisation.sla["P2"].first_response.as_timedelta()


def test_empty_and_whitespace_messages_get_a_hint_and_open_nothing(people):
    for text in ("", "   \n\t "):
        reply = people.say("alice", text)
        assert reply is not None and not reply.ok
        assert "what's broken" in reply.text
    assert people.outbox() == []


def test_a_50000_character_message_is_kept_whole(people):
    text = "My laptop screen flickers and then goes black. " * 1100
    assert len(text) > 50_000
    people.say("alice", text[:50_000])
    ticket = people.ticket("INC-1") or people.ticket("REQ-1")
    assert ticket is not None
    assert len(ticket.description) == len(text[:50_000].strip())
    assert len(ticket.title) <= 120


def test_greeting_and_thanks_open_nothing(people):
    reply = people.say("alice", "hello!")
    assert reply is not None and "service desk" in reply.text
    reply = people.say("alice", "thanks a lot")
    assert reply is not None and "welcome" in reply.text.lower()
    assert people.outbox() == []


def test_any_update_is_answered_from_the_record_and_only_to_the_requester(people):
    people.say("alice", "my laptop won't turn on")
    people.sd("agent", "/sd take INC-1")
    reply = people.say("alice", "any update on INC-1?")
    assert "INC-1" in reply.text and "assigned" in reply.text and "Sam" in reply.text
    stranger = people.say("mallory", "any update on INC-1?")
    assert "can't find" in stranger.text and "laptop" not in stranger.text


def test_my_tickets_lists_the_requesters_open_tickets(people):
    people.say("alice", "my laptop won't turn on")
    people.say("alice", "please install Visio on my computer")
    reply = people.say("alice", "show me my tickets")
    assert "INC-1" in reply.text and "REQ-1" in reply.text
    assert "You have no open tickets" in people.say("bea", "my tickets").text


def test_a_redelivered_event_opens_one_ticket(people):
    for _ in range(2):
        people.say("alice", "my laptop won't turn on", source="test", external_id="evt-1")
    assert people.ticket("INC-1") is not None and people.ticket("INC-2") is None


def test_a_reply_in_the_tickets_thread_becomes_a_comment(people):
    thread = Conversation("console", "#help", thread="t-1")
    people.say("alice", "my laptop won't turn on", conversation=thread)
    reply = people.say("alice", "it also smells burnt", conversation=thread)
    assert "INC-1" in reply.text
    ticket = people.ticket("INC-1")
    assert [c.body for c in ticket.comments] == ["it also smells burnt"]
    assert people.ticket("INC-2") is None


def test_details_written_about_ones_own_ticket_are_added_to_it_not_opened_again(people):
    people.say("alice", "my laptop won't turn on")
    reply = people.say("alice", "INC-1 it also beeps three times when I press the power button")
    assert reply.text == "Added to INC-1; Technical Management will see it."
    reply = people.say("alice", "about inc 1: the charger light is off as well")
    assert reply.text.startswith("Added to INC-1")
    ticket = people.ticket("INC-1")
    assert [c.body for c in ticket.comments] == ["INC-1 it also beeps three times when I press the power button",
                                                 "about inc 1: the charger light is off as well"]
    assert people.ticket("INC-2") is None
    told = [t for d, a, t in people.outbox() if a == "#technical" and "added to INC-1" in t]
    assert len(told) == 2  # the team hears of each


def test_a_question_about_a_ticket_is_answered_and_adds_nothing(people):
    people.say("alice", "my laptop won't turn on")
    for question in ("can i get an update on INC-1 please", "INC-1 fixed yet?", "who is looking at INC-1?"):
        reply = people.say("alice", question)
        assert reply.text.startswith("INC-1 (my laptop won't turn on) is new, waiting to be picked up by Technical")
    assert people.ticket("INC-1").comments == []


def test_naming_someone_elses_ticket_adds_nothing_to_it(people):
    people.say("alice", "my laptop won't turn on")
    people.say("bea", "INC-1 my laptop also won't turn on since the update")
    assert people.ticket("INC-1").comments == []


def test_a_resolved_ticket_reads_as_resolved_and_asks_for_the_answer(people):
    people.say("alice", "my laptop won't turn on")
    people.sd("agent", "/sd resolve INC-1 replaced the power supply")
    reply = people.say("alice", "any update on INC-1?")
    assert "waiting to be picked up" not in reply.text
    assert reply.text.startswith("INC-1 (my laptop won't turn on) is resolved. Resolution: replaced the power supply")
    assert "Is it fixed?" in reply.text
