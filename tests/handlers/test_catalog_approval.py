"""Catalog items that need approval: the manager decides before the team gets the checklist."""
from __future__ import annotations

from handlers.fulfilment import request_view
from storage.tickets import get_ticket


def _to(people, who: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == f"@{who}"]


def _in(people, channel: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == channel]


def _request(desk, ref: str) -> dict:
    with desk.database.session() as session:
        return request_view(session, get_ticket(session, ref=ref))


def test_a_laptop_waits_for_the_managers_approval_then_goes_to_the_team(people, desk):
    people.say("alice", "I need a new laptop")
    people.say("alice", "yes")
    people.say("alice", "ThinkPad")
    waiting = people.say("alice", "replacement, my old one is broken")
    assert "that's everything for REQ-1 (New laptop: model: ThinkPad X1 Carbon; reason: replacement" in waiting.text
    assert "Waiting for approval from Maria" in waiting.text
    assert _request(desk, "REQ-1")["state"] == "approval"
    assert not any("ready to fulfil" in text for text in _in(people, "#technical"))
    early = people.sd("bob", "/sd done REQ-1 1")
    assert not early.ok and "still waiting for approval" in early.text

    refused = people.sd("alice", "/sd approve REQ-1")
    assert not refused.ok and "separation of duties" in refused.text
    approved = people.sd("maria", "/sd approve REQ-1 fine by me")
    assert approved.ok and "Approved REQ-1" in approved.text
    assert _request(desk, "REQ-1")["state"] == "fulfilment"
    posted = _in(people, "#technical")[-1]
    assert posted.startswith("REQ-1 ready to fulfil: New laptop for Alice (approved by maria).")
    assert "model: ThinkPad X1 Carbon" in posted and "4. Hand it over to the requester" in posted
    assert any("Technical Management will now fulfil REQ-1" in text for text in _to(people, "alice"))

    for step in ("1", "2", "3"):
        assert people.sd("bob", f"/sd done REQ-1 {step}").ok
    assert "REQ-1 is resolved" in people.sd("bob", "/sd done REQ-1 hand").text
    assert people.ticket("REQ-1").status == "resolved"


def test_a_denied_mailbox_tells_the_requester_and_has_nothing_to_tick(people, desk):
    people.say("priya", "we need a new shared mailbox ops-team@example.com")
    people.say("priya", "yes")
    assert "Waiting for approval from Tom" in people.say("priya", "Priya and Tom").text
    denied = people.sd("tom", "/sd deny REQ-1 use the existing ops inbox")
    assert denied.ok
    assert any("use the existing ops inbox" in text for text in _to(people, "priya"))
    assert _request(desk, "REQ-1")["state"] == "denied"
    assert people.ticket("REQ-1").status == "closed"
    after = people.sd("agent", "/sd done REQ-1 1")
    assert not after.ok and "REQ-1 is denied; there is nothing left to tick off" in after.text
