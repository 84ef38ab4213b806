"""The question after a resolve fits what was asked for: an incident is fixed, a service request
is delivered, access is in place. The answers stay yes / no (typed or buttons) for every kind.
(An incident's "Is it fixed?" is tests/handlers/test_follow_up.py.)"""
from __future__ import annotations

from sqlalchemy import select

from handlers.follow_up import answer_by_button
from storage.models import AuditEntry, OutboxMessage
from tests.sla_helpers import last_outbox_id, open_incident, sent, sweep


def _last_to(desk, address: str) -> dict:
    with desk.database.session() as session:
        return session.execute(select(OutboxMessage.payload).where(OutboxMessage.address == address)
                               .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()


def _fulfilled(people) -> None:
    """Alice's software install, every step ticked: resolved."""
    people.say("alice", "I need Visio installed")
    people.say("alice", "yes")
    people.say("alice", "desktop")
    for step in ("1", "2", "3"):
        assert people.sd("carol", f"/sd done REQ-1 {step}").ok
    assert people.ticket("REQ-1").status == "resolved"


def test_a_fulfilled_request_asks_whether_they_got_what_they_asked_for(people, desk):
    _fulfilled(people)
    asked = _last_to(desk, "@alice")
    assert asked["text"].startswith("REQ-1 is resolved: Fulfilled: 1. Check a licence is available (carol)")
    assert ("Did you get what you asked for? Answer yes, or no if something is missing. If I don't hear back, "
            "REQ-1 closes by itself") in asked["text"]
    assert "fixed" not in asked["text"].lower() and "broken" not in asked["text"].lower()
    assert [label for _, label in asked["choices"]] == ["Yes, I got it", "No, something's missing"]
    assert people.say("alice", "yes, got it").text == "REQ-1 is closed. Thanks for confirming!"
    assert people.ticket("REQ-1").status == "closed"


def test_no_reopens_a_request_with_the_requesters_words_and_a_fitting_reason(people, desk):
    _fulfilled(people)
    reply = people.say("alice", "no, it's the wrong version")
    assert reply.text == "REQ-1 is open again; the team has been told."
    ticket = people.ticket("REQ-1")
    assert ticket.status == "in_progress" and ticket.comments[-1].body == "it's the wrong version"
    with desk.database.session() as session:
        reasons = session.execute(select(AuditEntry.reason).where(AuditEntry.action == "set_status",
                                                                  AuditEntry.after == "in_progress")).scalars().all()
    assert reasons[-1] == "not what was asked for: it's the wrong version"


def test_the_buttons_of_a_request_answer_yes_and_no_as_before(people, desk):
    _fulfilled(people)
    no = next(value for value, label in _last_to(desk, "@alice")["choices"] if label == "No, something's missing")
    assert answer_by_button(desk, people.person("alice"), no).text == "REQ-1 is open again; the team has been told."
    assert people.ticket("REQ-1").status == "in_progress"


def test_a_resolved_access_request_asks_about_the_access(people, desk):
    ref = open_incident(desk, "P3", kind="access_request", queue="application")
    assert people.sd("carol", f"/sd resolve {ref} added you to the SAP finance role").ok
    asked = _last_to(desk, "@alice")
    assert asked["text"].startswith(f"{ref} is resolved: added you to the SAP finance role. Do you have the access "
                                    f"you asked for? Answer yes, or no if it isn't working yet.")
    assert [label for _, label in asked["choices"]] == ["Yes, I have access", "No, not yet"]
    assert people.say("alice", "no, not yet").text == f"{ref} is open again; the team has been told."


def test_silence_closes_a_request_without_calling_it_fixed(people, desk, clock):
    _fulfilled(people)
    clock.advance(days=5, hours=1)
    mark = last_outbox_id(desk)
    assert sweep(desk, only="auto-close") == ["REQ-1: closed after 5 days without an answer"]
    told = [t for _, a, t in sent(desk, since=mark) if a == "@alice"]
    assert ("REQ-1 is closed: I didn't hear back within 5 days, so I take it that you got what you asked for. "
            "If not, just tell me and I'll log it again.") in told
