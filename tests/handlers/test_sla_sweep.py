"""SLA clocks through the sweep: a warning at 75%, a breach escalation exactly once, business
hours, the pause while on hold, catch-up after downtime, and time left where people look."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.sla_helpers import actions, last_outbox_id, open_incident, sent, sweep


def test_warning_at_75_percent_then_one_breach_escalation(desk, clock, people):
    ref = open_incident(desk, "P2", queue="technical")  # first response 30m, around the clock
    people.sd("agent", f"/sd assign {ref} bob")  # staff touched it: first response met...
    # ...so only the resolution clock runs: 8h, warned at 6h.
    clock.advance(hours=5, minutes=59)
    assert sweep(desk) == []
    mark = last_outbox_id(desk)
    clock.advance(minutes=1)
    assert sweep(desk) == [f"{ref}: resolution 75% used, Bob (Technical) warned"]
    warning = sent(desk, since=mark)
    assert [(d, a) for d, a, _ in warning] == [("user", "bob")]
    assert "75% of the resolution target is used" in warning[0][2] and "2h 0m left" in warning[0][2]
    assert sweep(desk) == []  # warned once

    clock.advance(hours=2)
    mark = last_outbox_id(desk)
    done = sweep(desk)
    assert done == [f"{ref}: resolution breached → {ref} escalated to level 1 (Technical 2nd line)."]
    ticket = people.ticket(ref)
    assert ticket.escalation_level == 1
    notices = sent(desk, since=mark)
    to = {a for _, a, _ in notices}
    assert to == {"#technical", "#technical-l2", "@alice", "#managers"}  # a P2 breach reaches management
    assert any(a == "@alice" and "more senior team" in t for _, a, t in notices)
    assert any(a == "#managers" and "breached: resolution target missed" in t for _, a, t in notices)

    clock.advance(hours=5)
    assert sweep(desk) == []  # each step once, however often the sweep runs
    assert people.ticket(ref).escalation_level == 1
    history = actions(desk, ref)
    assert history.count(("sla-clock", "sla_warning", "resolution")) == 1
    assert history.count(("sla-clock", "sla_breach", "resolution")) == 1
    assert history.count(("sla-clock", "set_escalation_level", "escalation_level")) == 1


def test_an_unanswered_p1_escalates_at_15_minutes_and_management_heard_at_once(desk, clock, people):
    ref = open_incident(desk, "P1", queue="application")
    assert any(a == "#managers" and t.startswith(f"P1 {ref}") for _, a, t in sent(desk))
    clock.advance(minutes=5)
    assert sweep(desk) == []
    clock.advance(minutes=6, seconds=15)  # 11m15s: 75% of 15 minutes
    assert sweep(desk) == [f"{ref}: first response 75% used, #application warned"]
    clock.advance(minutes=4)
    assert sweep(desk) == [f"{ref}: first response breached → {ref} escalated to level 1 (Application 2nd line)."]
    assert sweep(desk) == []
    ticket = people.ticket(ref)
    assert ticket.escalation_level == 1 and ticket.first_responded_at is None


def test_the_last_tier_is_not_passed_and_management_is_told(desk, clock, people):
    ref = open_incident(desk, "P2", queue="operations")  # operations has one tier
    clock.advance(minutes=31)
    sweep(desk)  # first response breached: level 1
    clock.advance(hours=8)
    mark = last_outbox_id(desk)
    assert sweep(desk) == [f"{ref}: resolution breached → {ref} is already with Operations 2nd line, the last line "
                           f"of the operations queue; management has been told."]
    assert people.ticket(ref).escalation_level == 1
    assert any(a == "#managers" for _, a, _ in sent(desk, since=mark))


def test_a_p4_logged_on_friday_evening_is_not_due_on_saturday(desk, clock, people):
    clock.advance(days=4, hours=9)  # Friday 27 November, 18:00
    ref = open_incident(desk, "P4")
    clock.advance(hours=20)  # Saturday 14:00
    assert sweep(desk) == []
    assert "first response: 1 business day left · due Mon 30 Nov 17:00 GMT" in people.sd("agent", f"/sd show {ref}").text
    clock.advance(days=2, hours=1)  # Monday 15:00: six of the eight working hours used
    assert sweep(desk) == [f"{ref}: first response 75% used, #technical warned"]


def test_the_clock_pauses_on_hold_and_the_deadline_moves_by_the_wait(desk, clock, people):
    ref = open_incident(desk, "P3")  # Monday 09:00; resolution 24 working hours (3 days, business hours)
    people.sd("bob", f"/sd take {ref}")
    before = people.ticket(ref).resolution_due
    clock.advance(hours=2)
    assert people.sd("bob", f"/sd status {ref} on_hold").ok
    shown = people.sd("bob", f"/sd show {ref}").text
    assert "resolution: paused (2 business days 6h 0m left when it resumes)" in shown
    clock.advance(days=3)  # waiting on the user for three working days: nothing fires
    assert sweep(desk) == []
    assert people.sd("bob", f"/sd status {ref} in_progress").ok  # Thursday 11:00
    after = people.ticket(ref).resolution_due
    assert before == datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)  # Wednesday evening, as opened
    assert after == datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # plus three working days of waiting
    shown = people.sd("bob", f"/sd show {ref}")
    assert "resolution: 2 business days 6h 0m left · due Mon 30 Nov 17:00 GMT" in shown.text
    assert shown.ticket["time_left"] == "resolution 2 business days 6h 0m left"


def test_catch_up_after_downtime_in_one_pass(desk, clock, people):
    p1 = open_incident(desk, "P1", queue="technical")
    p2 = open_incident(desk, "P2", queue="application")
    p3 = open_incident(desk, "P3", queue="operations")
    clock.advance(hours=5)  # the desk was down: every deadline but P3's resolution passed unseen
    done = sweep(desk)
    assert sorted(line.split(" → ")[0] for line in done if "breached" in line) == sorted([
        f"{p1}: first response breached", f"{p1}: resolution breached",
        f"{p2}: first response breached", f"{p3}: first response breached",
    ])
    assert not any("75% used" in line for line in done if "first response" in line)  # no stale warnings
    assert f"{p3}: resolution 75% used" not in " ".join(done)  # 5 of 24 working hours: not yet
    assert sweep(desk) == []
    assert people.ticket(p1).escalation_level == 2  # two targets missed: two tiers up
    assert (people.ticket(p2).escalation_level, people.ticket(p3).escalation_level) == (1, 1)


def test_escalation_by_hand_moves_through_the_tiers(desk, people):
    ref = open_incident(desk, "P3", queue="technical")
    reply = people.sd("agent", f"/sd escalate {ref} needs a network engineer")
    assert reply.text == f"{ref} escalated to level 1 (Technical 2nd line)."
    assert any(a == "#technical-l2" and "needs a network engineer" in t for _, a, t in sent(desk))
    assert people.sd("agent", f"/sd escalate {ref}").ok
    reply = people.sd("agent", f"/sd escalate {ref}")
    assert "already with Infrastructure engineering" in reply.text
    assert people.ticket(ref).escalation_level == 2


def test_show_and_cards_carry_the_time_left(desk, clock, people):
    ref = open_incident(desk, "P2")
    clock.advance(minutes=10)
    shown = people.sd("agent", f"/sd show {ref}")
    assert "first response: 20m left · due Mon 23 Nov 09:30 GMT" in shown.text
    assert "resolution: 7h 50m left" in shown.text
    from sqlalchemy import select

    from storage.models import OutboxMessage
    with desk.database.session() as session:
        card = session.execute(select(OutboxMessage.payload).where(OutboxMessage.address == "#technical")
                               .order_by(OutboxMessage.id)).scalars().first()  # the team's card, as posted
    assert card["ticket"]["time_left"] == "first response 30m left · resolution 8h 0m left"
    assert [c["state"] for c in card["ticket"]["sla"]] == ["running", "running"]


def test_a_priority_raised_to_p1_gets_the_p1_clock(desk, clock, people):
    ref = open_incident(desk, "P4")
    clock.advance(minutes=20)
    people.sd("agent", f"/sd priority {ref} P1")  # staff touched it: first response met
    ticket = people.ticket(ref)
    assert ticket.resolution_due == ticket.created_at.replace(hour=13)  # 4h from opening, around the clock
    clock.advance(hours=4)
    assert sweep(desk) == [f"{ref}: resolution breached → {ref} escalated to level 1 (Technical 2nd line)."]


def test_requests_wait_for_approval_without_using_their_fulfilment_time(desk, clock, people):
    from handlers import sla_clock
    from storage.tickets import get_ticket

    ref = open_incident(desk, "P3", kind="access_request", queue="application")  # business hours
    people.sd("carol", f"/sd take {ref}")
    opened_due = people.ticket(ref).resolution_due  # fulfilment: 2 working days
    with desk.database.session() as session:
        ticket = get_ticket(session, ref=ref, for_update=True)
        sla_clock.start_approval(desk.organisation, ticket, now=clock.now())  # as request fulfilment would
    clock.advance(hours=9)  # Monday 18:00: the approval (1 working day, due 17:00) is overdue
    done = sweep(desk)
    assert done == [f"{ref}: approval breached"]  # told, but not moved up a tier: approvers decide
    assert people.ticket(ref).escalation_level == 0
    shown = people.sd("carol", f"/sd show {ref}").text
    assert "approval: overdue by 1h 0m" in shown and "resolution: paused" in shown
    with desk.database.session() as session:
        ticket = get_ticket(session, ref=ref, for_update=True)
        sla_clock.finish_approval(desk.organisation, ticket, now=clock.now())
    after = people.ticket(ref).resolution_due
    assert opened_due.weekday() == 1 and after.weekday() == 2  # a working day of waiting added
    assert "approval: missed by 1h 0m" in people.sd("carol", f"/sd show {ref}").text
