from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry


def _laptop(people):
    people.say("alice", "my laptop won't turn on")
    return "INC-1"


def test_agent_takes_and_resolves_and_the_requester_hears_each_step(people):
    ref = _laptop(people)
    reply = people.sd("agent", f"/sd take {ref}")
    assert reply.ok and "assigned to Sam" in reply.text
    reply = people.sd("agent", f"/sd resolve {ref} replaced the power adapter")
    assert reply.ok
    ticket = people.ticket(ref)
    assert (ticket.status, ticket.assignee, ticket.resolution) == ("resolved", "agent", "replaced the power adapter")
    assert ticket.first_responded_at is not None
    to_alice = [t for d, a, t in people.outbox() if a == "@alice"]
    assert any("Sam" in t and "looking after" in t for t in to_alice)
    assert any("resolved" in t and "power adapter" in t for t in to_alice)


def test_an_end_user_cannot_take_a_ticket_and_the_refusal_is_audited(people):
    ref = _laptop(people)
    reply = people.sd("alice", f"/sd take {ref}")
    assert not reply.ok and "only support staff" in reply.text
    assert people.ticket(ref).assignee is None
    with people.desk.database.session() as session:
        refusals = session.execute(select(AuditEntry).where(AuditEntry.action == "refused")).scalars().all()
        assert [(r.actor, r.field) for r in refusals] == [("console:alice", "take")]


def test_queue_staff_work_only_their_queue(people):
    ref = _laptop(people)  # technical
    assert not people.sd("carol", f"/sd take {ref}").ok  # application staff
    assert people.sd("bob", f"/sd take {ref}").ok  # technical staff


def test_assign_to_someone_tells_them(people):
    ref = _laptop(people)
    reply = people.sd("agent", f"/sd assign {ref} bob")
    assert reply.ok
    assert any(d == "user" and a == "bob" and ref in t for d, a, t in people.outbox())
    assert not people.sd("agent", f"/sd assign {ref} carol").ok  # carol does not work technical
    assert "not a member of staff" in people.sd("agent", f"/sd assign {ref} zed").text


def test_notes_stay_internal_and_replies_reach_the_requester(people):
    ref = _laptop(people)
    people.sd("agent", f"/sd note {ref} probably the PSU")
    people.sd("agent", f"/sd reply {ref} can you bring it to the desk?")
    to_alice = [t for d, a, t in people.outbox() if a == "@alice"]
    assert any("bring it to the desk" in t for t in to_alice)
    assert not any("PSU" in t for t in to_alice)
    assert "PSU" not in people.say("alice", f"any update on {ref}").text
    assert "PSU" in people.sd("agent", f"/sd show {ref}").text


def test_priority_override_recomputes_the_deadline_and_is_recorded(people):
    ref = _laptop(people)
    before = people.ticket(ref)
    assert people.sd("agent", f"/sd priority {ref} P1").ok
    after = people.ticket(ref)
    assert after.priority == "P1"
    assert after.first_response_due - after.created_at == people.desk.organisation.sla["P1"].first_response.as_timedelta()
    assert after.first_response_due <= before.first_response_due
    history = people.sd("agent", f"/sd show {ref}").text
    assert f"{before.priority} → P1" in history


def test_requeue_moves_the_ticket_and_tells_the_new_team(people):
    ref = _laptop(people)
    people.sd("bob", f"/sd take {ref}")
    assert people.sd("agent", f"/sd queue {ref} application").ok
    ticket = people.ticket(ref)
    assert (ticket.queue, ticket.assignee, ticket.status) == ("application", None, "new")
    assert any(a == "#application" and ref in t for d, a, t in people.outbox())


def test_life_cycle_rules(people):
    ref = _laptop(people)
    assert "resolve" in people.sd("agent", f"/sd status {ref} resolved").text
    assert people.sd("agent", f"/sd status {ref} on_hold").ok
    assert people.sd("agent", f"/sd status {ref} in_progress").ok
    assert not people.sd("agent", f"/sd reopen {ref}").ok  # not resolved
    people.sd("agent", f"/sd resolve {ref} fixed")
    assert people.sd("alice", f"/sd reopen {ref}").ok  # the requester may reopen
    assert people.ticket(ref).status == "in_progress"
    people.sd("agent", f"/sd resolve {ref} fixed again")
    assert people.sd("alice", f"/sd close {ref}").ok  # and confirm
    assert people.ticket(ref).status == "closed"
    assert not people.sd("agent", f"/sd status {ref} in_progress").ok  # closed is final


def test_bad_commands_get_clear_answers(people):
    _laptop(people)
    unknown = people.sd("agent", "/sd frobnicate INC-1")
    assert not unknown.ok and "frobnicate" in unknown.text and "/sd take ID" in unknown.text
    assert "can't find a ticket INC-99" in people.sd("agent", "/sd take INC-99").text
    assert "not a ticket id" in people.sd("agent", "/sd take banana").text
    assert "Usage: /sd resolve" in people.sd("agent", "/sd resolve INC-1").text
    assert "not a priority" in people.sd("agent", "/sd priority INC-1 P9").text
    assert "not a queue" in people.sd("agent", "/sd queue INC-1 kitchen").text
    assert "Commands:" in people.sd("agent", "/sd").text


def test_list_shows_a_queue_and_mine(people):
    _laptop(people)
    people.say("bea", "please install Visio on my computer")
    people.sd("agent", "/sd take INC-1")
    everything = people.sd("agent", "/sd list").text
    assert "INC-1" in everything and "REQ-1" in everything
    assert "REQ-1" not in people.sd("agent", "/sd list technical").text
    mine = people.sd("agent", "/sd list mine").text
    assert "INC-1" in mine and "REQ-1" not in mine
    assert "REQ-1" not in people.sd("bob", "/sd list").text  # bob works technical only
