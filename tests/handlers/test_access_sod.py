"""Separation of duties across approval steps: one person approves at most one step of a request.
A stand-in comes from further up the management chain; with nobody eligible left the request is
held (requester told, queue channel asked) and never passes on one person's say-so."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.audit_export import rows
from handlers import approvals
from handlers.clarification import answer_by_button
from handlers.desk import Desk
from storage.access import AccessGrant, steps_of
from storage.models import AuditEntry
from tests.conftest import People


def _rows(desk, model):
    from sqlalchemy import select

    with desk.database.session() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def _said_to(people, address: str) -> list[str]:
    return [text for _dest, where, text in people.outbox() if where in (address, f"@{address}")]


def _steps(people, ref: str):
    with people.desk.database.session() as session:
        found = steps_of(session, people.ticket(ref).id)
        session.expunge_all()
        return found


def _with_groups(desk: Desk, **groups) -> Desk:
    """The same desk after app.yaml's access.groups changed (and the desk restarted)."""
    organisation = desk.organisation
    access = organisation.access.model_copy(update={"groups": {**organisation.access.groups, **groups}})
    return Desk(organisation=organisation.model_copy(update={"access": access}), database=desk.database,
                classifier=desk.classifier, clock=desk.clock)


@pytest.fixture
def priya_admins(desk) -> Desk:
    """Production SSH's second step (group:infrastructure) is Priya alone; Priya's manager is Tom,
    whose manager is Maria (people: in app.yaml)."""
    return _with_groups(desk, infrastructure=["priya"])


def test_the_manager_who_approved_step_one_cannot_stand_in_for_step_two_the_next_one_up_does(priya_admins):
    desk, people = priya_admins, People(priya_admins)
    people.say("priya", "I need access to production SSH for 3 days to deploy the hotfix")
    assert any("Waiting for approval from Tom" in t for t in _said_to(people, "priya"))
    assert people.sd("tom", "/sd approve ACC-1").ok  # step 1: Priya's manager
    first, second = _steps(people, "ACC-1")
    assert second.approvers == ["maria"]  # Priya is the group; Tom approved already: Tom's manager stands in
    assert any("Now waiting for approval from Maria (IT Manager)" in t for t in _said_to(people, "priya"))

    pressed = answer_by_button(desk, people.person("tom"), f"apr:{second.id}:approve")  # a forwarded button
    assert not pressed.ok
    assert "You approved step 1 of ACC-1 already" in pressed.text and "separation of duties" in pressed.text
    again = people.sd("tom", "/sd approve ACC-1")
    assert not again.ok and "You approved step 1 of ACC-1 already" in again.text
    assert _rows(desk, AccessGrant) == []

    assert people.sd("maria", "/sd approve ACC-1").ok
    [grant] = _rows(desk, AccessGrant)
    assert grant.approvers == ["tom", "maria"]
    refused = [e for e in _rows(desk, AuditEntry) if e.action == "refused"]
    assert [e.actor for e in refused] == ["console:tom", "console:tom"]


def test_with_nobody_eligible_for_step_two_the_request_is_held_not_passed_by_one_person(people, desk):
    people.say("bob", "I need access to production SSH for 3 days to deploy the hotfix")
    # Bob has no manager on record, so the IT manager stands in for step 1; step 2 is Bob's own group.
    assert any("Waiting for approval from Maria (IT Manager)" in t for t in _said_to(people, "bob"))
    approved = people.sd("maria", "/sd approve ACC-1")
    assert approved.ok and "on hold" in approved.text and "Technical Management has been asked" in approved.text
    told = [t for t in _said_to(people, "bob") if "No eligible approver" in t]
    assert len(told) == 1
    assert "No eligible approver exists for step 2 of ACC-1 (the infrastructure group)" in told[0]
    assert "on hold" in told[0] and "asked Technical Management" in told[0]
    posted = [t for t in _said_to(people, "#technical") if "on hold" in t]
    assert len(posted) == 1 and posted[0].startswith("ACC-1 is on hold: step 2") and "app.yaml" in posted[0]

    twice = people.sd("maria", "/sd approve ACC-1")
    assert not twice.ok and "You approved step 1 of ACC-1 already" in twice.text
    own = people.sd("bob", "/sd approve ACC-1")
    assert not own.ok and "separation of duties" in own.text
    other = people.sd("dave", "/sd approve ACC-1")
    assert not other.ok and "ACC-1 is on hold" in other.text
    held = _steps(people, "ACC-1")[1]
    pressed = answer_by_button(desk, people.person("maria"), f"apr:{held.id}:approve")
    assert not pressed.ok and "already" in pressed.text
    assert _rows(desk, AccessGrant) == [] and people.ticket("ACC-1").status != "closed"
    assert [s.state for s in _steps(people, "ACC-1")] == ["approved", "held"]

    desk.clock.advance(hours=1, minutes=1)
    assert approvals.sweep(desk) == []  # still nobody: no second round of messages
    assert len([t for t in _said_to(people, "#technical") if "on hold" in t]) == 1

    restarted = _with_groups(desk, infrastructure=["bob", "dave"])  # staff added someone to the group
    desk.clock.advance(hours=1)
    assert [line for line in approvals.sweep(restarted) if "now goes to Dave" in line]
    assert any("ACC-1 is no longer on hold: waiting for approval from Dave (Operations)" in t
               for t in _said_to(people, "bob"))
    assert any("asks for your approval on ACC-1" in t for t in _said_to(people, "dave"))
    assert People(restarted).sd("dave", "/sd approve ACC-1").ok
    [grant] = _rows(desk, AccessGrant)
    assert grant.approvers == ["maria", "dave"]
    trail = [(r["event"], r["actor"]) for r in rows(desk.database, since=datetime(2020, 1, 1, tzinfo=timezone.utc))]
    assert ("approved", "maria") in trail and ("approved", "dave") in trail
    assert ("refused", "console:maria") in trail
    assert ("approval_held", "desk") in trail and ("approval_resumed", "approvals") in trail  # auditors see the wait


def test_a_first_step_with_nobody_eligible_holds_the_request_and_a_closed_one_stops_waiting(people, desk):
    people.say("maria", "I need access to the finance share for 30 days to prepare the audit")
    # Maria has no manager on record and is the only IT manager: nobody may approve her own request.
    told = [t for t in _said_to(people, "maria") if "ACC-1" in t][-1]
    assert "No eligible approver exists for step 1 of ACC-1 (manager approval)" in told
    assert "asked Technical Management" in told and "Traceback" not in told
    assert any(t.startswith("ACC-1 is on hold: step 1") for t in _said_to(people, "#technical"))
    refused = people.sd("maria", "/sd approve ACC-1")
    assert not refused.ok and "separation of duties" in refused.text
    assert [s.state for s in _steps(people, "ACC-1")] == ["held"]
    assert people.sd("bob", "/sd status ACC-1 closed nobody eligible can approve it").ok
    assert [s.state for s in _steps(people, "ACC-1")] == ["cancelled"]  # closing withdrew it at once
    desk.clock.advance(hours=2)
    assert approvals.sweep(desk) == [] and _rows(desk, AccessGrant) == []
