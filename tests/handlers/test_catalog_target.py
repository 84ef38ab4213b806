"""A catalog item's `target` is the agreed service level of that offering: once the requester
confirms the item, the request's resolution clock runs on it (longer or shorter than the generic
request target of 3 business days), on business hours, and the requester and the ticket say so.
First response stays as it was. The desk's clock starts on Monday 23 November 2026, 09:00 GMT."""
from __future__ import annotations

from datetime import datetime, timezone

from handlers.fulfilment import request_view
from storage.tickets import get_ticket

HOUR = 3600
WORKING_DAY = 8 * HOUR  # business_hours: 09:00-17:00


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


def _resolution_clock(desk, ref: str) -> tuple[int, bool, datetime]:
    """(target_seconds, business_hours, due_at) of the ticket's resolution clock."""
    with desk.database.session() as session:
        clock = next(c for c in get_ticket(session, ref=ref).sla_clocks if c.target == "resolution")
        return clock.target_seconds, clock.business_hours, clock.due_at


def _request(desk, ref: str) -> dict:
    with desk.database.session() as session:
        return request_view(session, get_ticket(session, ref=ref))


def _to(people, who: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == f"@{who}"]


def test_a_confirmed_laptop_is_due_in_its_five_business_days_and_the_requester_and_the_ticket_say_so(people, desk):
    people.say("alice", "I need a new laptop")
    assert people.ticket("REQ-1").resolution_due == _at(25, 17)  # the generic 3 business days, until confirmed

    confirmed = people.say("alice", "yes")
    assert confirmed.text.startswith(
        "Great. REQ-1 has a target of 5 business days, so it's due by Fri 27 Nov 17:00 GMT (time waiting for "
        "approval doesn't count). A few details (say cancel to stop). Which model would you like?")
    ticket = people.ticket("REQ-1")
    assert ticket.resolution_due == _at(27, 17)  # Monday 09:00 plus five working days
    assert ticket.first_response_due == _at(23, 13)  # first response stays 4h (request_sla)
    assert _resolution_clock(desk, "REQ-1") == (5 * WORKING_DAY, True, _at(27, 17))

    shown = people.sd("bob", "/sd show REQ-1")
    assert ("request: new-laptop (collecting) · resolution target 5 business days, from the catalog"
            in shown.text)
    assert "resolution: 5 business days left · due Fri 27 Nov 17:00 GMT" in shown.text
    assert "set_resolution_target 3 business days → 5 business days" in shown.text
    assert shown.ticket["resolution_due"] == "2026-11-27T17:00:00+00:00"
    assert _request(desk, "REQ-1")["target"] == "5 business days"


def test_the_approval_wait_moves_the_item_deadline_and_the_requester_hears_the_new_one(people, desk, clock):
    people.say("alice", "I need a new laptop")
    people.say("alice", "yes")
    people.say("alice", "ThinkPad")
    people.say("alice", "replacement, my old one is broken")
    clock.advance(days=1)  # Tuesday 09:00: a working day waiting for Maria does not count
    assert people.sd("maria", "/sd approve REQ-1").ok
    assert people.ticket("REQ-1").resolution_due == _at(30, 17)  # Friday 17:00 plus that day: Monday
    assert any("Technical Management will now fulfil REQ-1 (New laptop) (usually within 5 business days; due by "
               "Mon 30 Nov 17:00 GMT)." in text for text in _to(people, "alice"))
    assert _resolution_clock(desk, "REQ-1")[0] == 5 * WORKING_DAY


def test_a_shorter_item_target_wins_too_and_first_response_stays(people, desk):
    people.say("carol", "please restore a deleted file S:\\finance\\budget.xlsx from yesterday")
    done = people.say("carol", "yes")  # both details came with the first message: straight to the team
    assert "Operations" in done.text and "usually within 1 business day (due by Mon 23 Nov 17:00 GMT)" in done.text
    ticket = people.ticket("REQ-1")
    assert (ticket.first_response_due, ticket.resolution_due) == (_at(23, 13), _at(23, 17))
    assert _resolution_clock(desk, "REQ-1") == (WORKING_DAY, True, _at(23, 17))


def test_a_priority_change_keeps_the_item_target(people, desk):
    people.say("alice", "I need a new laptop")
    people.say("alice", "yes")
    assert people.sd("bob", "/sd priority REQ-1 P2").ok
    assert people.ticket("REQ-1").resolution_due == _at(27, 17)
    assert _resolution_clock(desk, "REQ-1") == (5 * WORKING_DAY, True, _at(27, 17))


def test_a_request_corrected_to_an_incident_loses_the_item_target(people, desk):
    people.say("alice", "I need a new laptop")
    people.say("alice", "yes")
    assert people.sd("bob", "/sd kind REQ-1 incident").ok
    ticket = people.ticket("REQ-1")
    assert (ticket.kind, ticket.priority, ticket.resolution_due) == ("incident", "P5", None)  # a P5 is planned
    assert "resolution: no target any more" in people.sd("bob", "/sd show REQ-1").text
    assert _request(desk, "REQ-1")["target"] is None


def test_saying_no_keeps_the_generic_target(people, desk):
    people.say("alice", "I need a new laptop")
    reply = people.say("alice", "no")
    assert "target" not in reply.text
    assert people.ticket("REQ-1").resolution_due == _at(25, 17)
    assert _resolution_clock(desk, "REQ-1")[0] == 3 * WORKING_DAY
    assert _request(desk, "REQ-1")["target"] is None
