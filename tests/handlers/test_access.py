"""Access requests in conversation, approvals with separation of duties, denial, expiry."""
from __future__ import annotations

from datetime import timedelta

from handlers import approvals, grants
from handlers.clarification import answer_by_button
from storage.access import AccessGrant, current_grants, steps_of
from storage.models import AuditEntry, Ticket


def _rows(desk, model):
    from sqlalchemy import select

    with desk.database.session() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def _said_to(people, address: str) -> list[str]:
    return [text for _dest, where, text in people.outbox() if where in (address, f"@{address}")]


def test_salesforce_request_asks_duration_then_carol_approves_and_the_requester_cannot(people, desk):
    people.say("alice", "I need access to Salesforce to work on the Q4 pipeline")
    assert any("How long do you need it" in t for t in _said_to(people, "alice"))
    answer = people.say("alice", "7 days")
    assert "Waiting for approval from Carol (Application)" in answer.text
    assert "work on the Q4 pipeline" in answer.text
    assert any("asks for your approval on ACC-1" in t for t in _said_to(people, "carol"))

    refused = people.sd("alice", "/sd approve ACC-1")
    assert not refused.ok and "separation of duties" in refused.text
    outsider = people.sd("bob", "/sd approve ACC-1")
    assert not outsider.ok and "only Carol (Application) can approve" in outsider.text
    accepted = people.sd("carol", "/sd approve ACC-1 fine for Q4")
    assert accepted.ok and "Approved ACC-1" in accepted.text
    assert any("Task ACC-1: give Alice access to Salesforce" in t for t in _said_to(people, "#application"))

    desk.clock.advance(hours=1)
    assert "access recorded" in people.sd("carol", "/sd granted ACC-1").text
    [grant] = _rows(desk, AccessGrant)
    assert (grant.state, grant.approvers) == ("active", ["carol"])
    assert grant.expires_at == desk.clock.now() + timedelta(days=7)
    assert people.ticket("ACC-1").status == "resolved"
    [done] = [t for t in _said_to(people, "alice") if t.startswith("ACC-1 is done")]
    assert "Do you have the access you asked for?" in done  # answered with yes / no like any resolve
    refusals = [e for e in _rows(desk, AuditEntry) if e.action == "refused"]
    assert {e.actor for e in refusals} == {"console:alice", "console:bob"}


def test_the_beneficiary_cannot_approve_even_by_button(people, desk):
    people.say("priya", "Please give Tom access to Salesforce for 2 weeks because he covers the Q4 renewals")
    ticket = people.ticket("ACC-1")
    assert ticket.queue == "application"
    with desk.database.session() as session:
        [step] = steps_of(session, ticket.id)
    assert step.beneficiary == "tom" and step.approvers == ["carol"]
    by_command = people.sd("tom", "/sd approve ACC-1")
    assert not by_command.ok and "is for you" in by_command.text
    by_button = answer_by_button(desk, people.person("tom"), f"apr:{step.id}:approve")
    assert not by_button.ok and "is for you" in by_button.text
    assert people.sd("carol", "/sd approve ACC-1").ok
    assert [e.actor for e in _rows(desk, AuditEntry) if e.action == "refused"] == ["console:tom", "console:tom"]


def test_multi_step_approval_runs_in_order_and_a_non_staff_manager_approves(people, desk):
    people.say("alice", "I need access to production SSH for 3 days to deploy the hotfix")
    ticket = people.ticket("ACC-1")
    assert ticket.queue == "technical"
    assert not people.sd("bob", "/sd approve ACC-1").ok  # step 2's approver goes second
    assert people.sd("maria", "/sd approve ACC-1").ok  # alice's manager (people:)
    assert any("Now waiting for approval from Bob (Technical)" in t for t in _said_to(people, "alice"))
    assert people.sd("bob", "/sd approve ACC-1").ok
    with desk.database.session() as session:
        assert [s.decided_by for s in steps_of(session, ticket.id)] == ["maria", "bob"]
    [grant] = _rows(desk, AccessGrant)
    assert grant.approvers == ["maria", "bob"]


def test_a_denial_tells_the_requester_why_and_closes_the_ticket(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to export customer lists")
    no_reason = people.sd("carol", "/sd deny ACC-1")
    assert not no_reason.ok and "Say why" in no_reason.text
    denied = people.sd("carol", "/sd deny ACC-1 exports need a data protection review first")
    assert denied.ok
    assert any("not approved" in t and "data protection review" in t for t in _said_to(people, "alice"))
    ticket = people.ticket("ACC-1")
    assert ticket.status == "closed" and "Denied by Carol" in ticket.resolution
    assert _rows(desk, AccessGrant) == []
    assert not people.sd("carol", "/sd approve ACC-1").ok  # decided already


def test_deny_button_takes_the_next_message_as_the_reason(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to export customer lists")
    with desk.database.session() as session:
        [step] = steps_of(session, people.ticket("ACC-1").id)
    asked = answer_by_button(desk, people.person("carol"), f"apr:{step.id}:deny")
    assert "Why are you denying ACC-1" in asked.text
    reply = people.say("carol", "not without a data protection review")
    assert "Denied ACC-1" in reply.text
    assert people.ticket("ACC-1").status == "closed"


def test_a_duration_over_the_maximum_is_refused_and_asked_again(people, desk):
    people.say("alice", "I need access to Salesforce to work on the Q4 pipeline")
    too_long = people.say("alice", "6 months")
    assert not too_long.ok and "at most 90 days" in too_long.text
    assert "Waiting for approval" in people.say("alice", "2 weeks").text


def test_unknown_resource_goes_to_the_team_and_naming_nothing_lists_the_resources(people, desk):
    people.say("alice", "I need access to the spaceship control panel")
    assert any("Spaceship control panel isn't one of the resources I arrange myself" in t
               for t in _said_to(people, "alice"))
    people.say("alice", "Can I get access please?")
    asked = [t for t in _said_to(people, "alice") if "What do you need access to?" in t]
    assert asked and "Salesforce" in asked[0] and "Server room" in asked[0]
    assert "How long" in people.say("alice", "salesforce").text


def test_expiry_warns_a_day_before_and_revokes_at_expiry_once(people, desk):
    people.say("alice", "I need access to Salesforce for 3 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    desk.clock.advance(days=1)
    assert grants.sweep(desk) == []
    desk.clock.advance(days=1, minutes=1)
    assert [line for line in grants.sweep(desk) if "warned" in line]
    assert grants.sweep(desk) == []  # idempotent
    assert any("Your access to Salesforce ends at" in t for t in _said_to(people, "alice"))
    desk.clock.advance(days=1)
    assert [line for line in grants.sweep(desk) if "expired, removal task posted" in line]
    assert grants.sweep(desk) == []
    assert _rows(desk, AccessGrant)[0].state == "revoking"  # the task is posted; nobody has done it yet
    assert people.sd("carol", "/sd revoked ACC-1").ok
    [grant] = _rows(desk, AccessGrant)
    assert grant.state == "revoked" and grant.revoked_at == desk.clock.now()
    assert any("Task ACC-1: remove Alice's access to Salesforce" in t for t in _said_to(people, "#application"))
    actions = [e.action for e in _rows(desk, AuditEntry)]
    assert actions.count("expiry_warned") == 1 and actions.count("revoked") == 1
    with desk.database.session() as session:
        assert current_grants(session, beneficiary="alice") == []


def test_revocation_by_the_beneficiary_goes_straight_through_and_extension_asks_again(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    listed = people.sd("alice", "/sd access list")
    assert "Salesforce · Alice · until" in listed.text
    assert not people.sd("alice", "/sd access list tom").ok
    people.say("alice", "Extend my access to Salesforce by 2 weeks to finish the pipeline review")
    assert any("ACC-2: extend access to Salesforce" in t for t in _said_to(people, "alice"))
    before = _rows(desk, AccessGrant)[0].expires_at
    assert people.sd("carol", "/sd approve ACC-2").ok
    assert _rows(desk, AccessGrant)[0].expires_at == before + timedelta(days=14)
    people.say("alice", "Please remove my access to Salesforce")
    assert _rows(desk, AccessGrant)[0].state == "revoking"
    assert people.sd("carol", "/sd revoked ACC-3").ok
    assert _rows(desk, AccessGrant)[0].state == "revoked"
    assert people.ticket("ACC-3").status == "closed"  # a removal has nothing to confirm


def test_approval_times_out_after_a_reminder(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    desk.clock.advance(hours=7)  # 75% of one business day
    assert [line for line in approvals.sweep(desk) if "reminded" in line]
    assert approvals.sweep(desk) == []
    assert any(t.startswith("Reminder: ACC-1") for t in _said_to(people, "carol"))
    desk.clock.advance(hours=2)
    assert [line for line in approvals.sweep(desk) if "timed out" in line]
    ticket = people.ticket("ACC-1")
    assert ticket.status == "closed"
    assert any("timed out" in t for t in _said_to(people, "alice"))
    assert not people.sd("carol", "/sd approve ACC-1").ok


def test_a_revocation_written_while_a_question_is_pending_is_its_own_request(people, desk):
    people.say("alice", "Can I get access please?")
    assert any("What do you need access to?" in t for t in _said_to(people, "alice"))
    people.say("alice", "Please remove Tom's access to Salesforce, he moved to another team")
    revocation = people.ticket("ACC-2")
    assert revocation is not None and revocation.kind == "access_request"
    with desk.database.session() as session:
        from storage.access import request_of

        first = request_of(session, session.get(Ticket, people.ticket("ACC-1").id))
        second = request_of(session, session.get(Ticket, revocation.id))
        assert (first.resource, second.action, second.resource) == (None, "revoke", "salesforce")
