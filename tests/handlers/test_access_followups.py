"""Access requests, review follow-ups: small talk while "What do you need access to?" is pending
is answered and the question stays; a long message while the duration is asked is a new matter;
closing a ticket withdraws its approval (no decision, reminder or timeout afterwards)."""
from __future__ import annotations

from handlers import approvals
from handlers.clarification import QUESTION, answer_by_button
from storage.access import AccessGrant, steps_of
from storage.tickets import get_ticket
from tests.handlers.test_access_conversation import _request, _said_to
from tests.sla_helpers import last_outbox_id

REMINDED_RESOURCE = "Your earlier request ACC-1 still needs to know what you need access to."
REMINDED_DURATION = "Your earlier request ACC-1 (access to Salesforce) still needs to know how long you need it for."


def _steps(desk, ref: str):
    with desk.database.session() as session:
        steps = steps_of(session, get_ticket(session, ref=ref).id)
        for step in steps:
            session.expunge(step)
        return steps


def _grants(desk) -> list[AccessGrant]:
    with desk.database.session() as session:
        return session.query(AccessGrant).all()


# 1. "What do you need access to?": small talk is not the answer.

def test_thanks_and_ticket_questions_are_answered_and_what_do_you_need_access_to_stays_asked(people, desk):
    people.say("wen", "Can I get access please?")
    for reply, expected in (("thanks", "You're welcome!"), ("my tickets", "Your open tickets:"),
                            ("what's the status of ACC-1", "ACC-1 (Can I get access please?) is new"),
                            ("ok", "Hi Wen!"), ("not sure", "No problem, there's no rush. " + REMINDED_RESOURCE)):
        mark = last_outbox_id(desk)
        answer = people.say("wen", reply)
        assert answer.text.startswith(expected), reply
        assert "isn't one of the resources" not in answer.text
        request = _request(desk, "ACC-1")
        assert (request.state, request.asking) == ("collecting", "resource"), reply
        if reply in ("thanks", "my tickets", "ok"):  # the question is repeated after intake's answer
            assert _said_to(people, "wen", since=mark)[-1].startswith(REMINDED_RESOURCE), reply
    assert people.ticket("ACC-1").comments == []
    assert not any("isn't something the desk arranges" in t for t in _said_to(people, "#application"))

    answer = people.say("wen", "Salesforce")  # the question was not lost
    assert "How long do you need it for?" in answer.text
    assert _request(desk, "ACC-1").resource == "salesforce"


def test_a_question_about_another_ticket_is_answered_from_the_record(people, desk):
    people.say("alice", "my laptop won't turn on")
    people.say("alice", "Can I get access please?")
    answer = people.say("alice", "what's the status of INC-1")
    assert answer.text.startswith("INC-1 (my laptop won't turn on) is new")
    assert _request(desk, "ACC-1").asking == "resource"
    assert "Why do you need access to Finance file share?" in people.say("alice", "the finance share for 30 days").text


def test_a_system_name_the_desk_does_not_arrange_is_still_the_answer(people, desk):
    people.say("wen", "Can I get access please?")
    answer = people.say("wen", "GitHub")
    assert answer.ok and "GitHub isn't one of the resources I arrange myself, so I've passed ACC-1" in answer.text
    assert _request(desk, "ACC-1").state == "passed"
    people.say("tom", "Can I get access please?")
    answer = people.say("tom", "how about Jira?")
    assert answer.text.startswith("Jira isn't one of the resources I arrange myself, so I've passed ACC-2")
    assert [c.body for c in people.ticket("ACC-2").comments] == ["how about Jira?"]


# 2. The duration: a long message without one is a new matter.

def test_a_long_message_the_model_is_unsure_of_is_not_a_failed_duration(people, desk):
    people.say("alice", "I need access to Salesforce")
    mark = last_outbox_id(desk)
    answer = people.say("alice", "the new colleague sitting next to me has no keyboard")
    assert answer.text == QUESTION  # intake asks what it is; not "I didn't get a length of time from ..."
    assert _request(desk, "ACC-1").asking == "duration"
    assert _said_to(people, "alice", since=mark)[-1].startswith(REMINDED_DURATION)
    assert people.say("alice", "1") is None  # the newest question takes the plain answer
    assert people.ticket("INC-1").title == "the new colleague sitting next to me has no keyboard"
    assert "Why do you need access to Salesforce?" in people.say("alice", "7 days").text
    assert _request(desk, "ACC-1").duration_seconds == 7 * 86400


def test_a_new_incident_is_opened_and_short_non_answers_are_asked_again(people, desk):
    people.say("alice", "I need access to Salesforce")
    mark = last_outbox_id(desk)
    assert people.say("alice", "my laptop screen is cracked and flickering badly") is None
    told = _said_to(people, "alice", since=mark)
    assert told[0].startswith("Thanks Alice, I've logged INC-1") and told[-1].startswith(REMINDED_DURATION)
    assert people.say("alice", "thanks").text.startswith("You're welcome!")
    again = people.say("alice", "not sure")
    assert not again.ok and again.text.startswith("I didn't get a length of time from 'not sure'.")
    assert "Why do you need access to Salesforce?" in people.say("alice", "default").text
    assert _request(desk, "ACC-1").duration_seconds == 30 * 86400


def test_thanks_is_not_the_reason_for_access(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days")
    assert people.say("alice", "thanks").text.startswith("You're welcome!")
    assert _request(desk, "ACC-1").asking == "justification"
    assert "Waiting for approval from Carol" in people.say("alice", "for the Q4 pipeline, thanks").text
    assert _request(desk, "ACC-1").justification == "for the Q4 pipeline, thanks"


# 3. Closing a ticket withdraws its approval.

def test_closing_an_access_request_withdraws_its_approval_and_nobody_can_approve_it_after(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    [step] = _steps(desk, "ACC-1")
    assert people.sd("agent", "/sd close ACC-1 duplicate of ACC-9").ok
    assert "ACC-1 no longer needs your decision. It was closed: duplicate of ACC-9." in _said_to(people, "carol")
    assert [s.state for s in _steps(desk, "ACC-1")] == ["cancelled"]
    assert (_request(desk, "ACC-1").state, _request(desk, "ACC-1").asking) == ("cancelled", None)

    mark = last_outbox_id(desk)
    for command, verb in (("/sd approve ACC-1 fine", "approve"), ("/sd deny ACC-1 no", "deny")):
        answer = people.sd("carol", command)
        assert not answer.ok
        assert answer.text == (f"ACC-1 is not waiting for an approval: it is closed (duplicate of ACC-9); "
                               f"nothing to {verb}.")
    by_button = answer_by_button(desk, people.person("carol"), f"apr:{step.id}:approve")
    assert not by_button.ok and by_button.text.endswith("nothing to approve.")
    desk.clock.advance(hours=10)  # past the reminder and the approval target
    assert approvals.sweep(desk) == []
    assert _said_to(people, "carol", since=mark) == [] and _said_to(people, "alice", since=mark) == []
    assert _grants(desk) == [] and people.ticket("ACC-1").status == "closed"


def test_a_reason_typed_after_deny_does_not_decide_a_ticket_closed_meanwhile(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    [step] = _steps(desk, "ACC-1")
    assert "Why are you denying ACC-1?" in answer_by_button(desk, people.person("carol"), f"apr:{step.id}:deny").text
    assert people.sd("agent", "/sd close ACC-1 withdrawn by the requester").ok
    reply = people.say("carol", "thanks")
    assert "Denied" not in (reply.text if reply else "")
    assert people.ticket("ACC-1").resolution == "Closed without being resolved: withdrawn by the requester"
    assert not any("was not approved" in t for t in _said_to(people, "alice"))


def test_closing_a_catalog_request_withdraws_the_managers_approval(people, desk):
    people.say("priya", "I need a new laptop")
    people.say("priya", "yes")
    people.say("priya", "ThinkPad")
    assert "Waiting for approval from Tom" in people.say("priya", "replacement, my old one is broken").text
    assert people.sd("bob", "/sd close REQ-1 ordered through purchasing instead").ok
    assert any(t.startswith("REQ-1 no longer needs your decision") for t in _said_to(people, "tom"))
    answer = people.sd("tom", "/sd approve REQ-1")
    assert not answer.ok and "it is closed (ordered through purchasing instead); nothing to approve" in answer.text
    assert not any("ready to fulfil" in t for t in _said_to(people, "#technical"))


def test_the_sweep_neither_reminds_nor_times_out_a_ticket_closed_before_its_approval_was_withdrawn(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    with desk.database.session() as session:  # as a ticket closed before closing withdrew approvals
        get_ticket(session, ref="ACC-1").status = "closed"
    mark = last_outbox_id(desk)
    desk.clock.advance(hours=7)
    assert approvals.sweep(desk) == ["ACC-1: approval withdrawn, the ticket is closed"]
    assert not any(t.startswith("Reminder: ACC-1") for t in _said_to(people, "carol", since=mark))
    desk.clock.advance(hours=3)
    assert approvals.sweep(desk) == []
    assert not any("timed out" in t for t in _said_to(people, "alice", since=mark))


def test_closing_a_held_approval_cancels_it_at_once(people, desk):
    people.say("maria", "I need access to the finance share for 30 days to prepare the audit")  # nobody may approve
    assert [s.state for s in _steps(desk, "ACC-1")] == ["held"]
    assert people.sd("bob", "/sd status ACC-1 closed nobody eligible can approve it").ok
    assert [s.state for s in _steps(desk, "ACC-1")] == ["cancelled"]  # not an hour later, at the next sweep
    desk.clock.advance(hours=2)
    assert approvals.sweep(desk) == [] and _grants(desk) == []
    answer = people.sd("bob", "/sd approve ACC-1")
    assert not answer.ok and "it is closed (nobody eligible can approve it); nothing to approve" in answer.text
