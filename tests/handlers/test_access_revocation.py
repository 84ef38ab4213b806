"""Removing access is recorded when it is really done: a manual provisioner's task goes to the
queue and staff confirm it with `/sd revoked ACC-n` (like `/sd granted`); the webhook's 2xx still
confirms by itself. Until then the grant is `revoking`; then it ends, people are told, and the
audit trail says who confirmed it and when."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.audit_export import rows
from bot.provisioner_sender import WebhookSender
from handlers import grants
from handlers.commands import help_text
from handlers.desk import Desk
from handlers.relay import relay_once
from storage.access import AccessGrant
from storage.models import AuditEntry
from tests.conftest import People
from tests.handlers.test_access_webhook import SECRET, Receiver, desk_with_gitlab


def _grant(desk) -> AccessGrant:
    with desk.database.session() as session:
        return session.query(AccessGrant).one()


def _said_to(people, address: str) -> list[str]:
    return [text for _dest, where, text in people.outbox() if where in (address, f"@{address}")]


def _trail(desk) -> list[dict]:
    """What `servicedesk audit export` prints."""
    return rows(desk.database, since=datetime(2020, 1, 1, tzinfo=timezone.utc))


def _toms_finance_share(people):
    people.say("tom", "I need access to the finance share for 30 days to prepare the audit")
    assert people.sd("maria", "/sd approve ACC-1").ok
    assert people.sd("bob", "/sd granted ACC-1").ok


def test_a_managers_revocation_waits_for_staff_to_confirm_then_ends_the_grant(people, desk):
    _toms_finance_share(people)
    not_yet = people.sd("bob", "/sd revoked ACC-1")
    assert not not_yet.ok and "no removal is waiting" in not_yet.text
    people.say("maria", "Please remove Tom's access to the finance share, he moved to another team")
    asked = [t for t in _said_to(people, "maria") if "ACC-2" in t][-1]
    assert "no approval needed" in asked and "Technical Management will remove Tom's access to Finance file share" in asked
    assert any(t.startswith("Task ACC-2: remove Tom's access to Finance file share") and "/sd revoked ACC-2" in t
               for t in _said_to(people, "#technical"))
    assert _grant(desk).state == "revoking" and _grant(desk).revoked_at is None  # nobody has done it yet
    assert people.ticket("ACC-2").status not in ("resolved", "closed")
    assert not any("has been removed" in t for t in _said_to(people, "tom") + _said_to(people, "maria"))
    assert "Finance file share · Tom · revoking" in people.sd("bob", "/sd access list tom").text

    assert "I can't find a ticket ACC-99" in people.sd("bob", "/sd revoked ACC-99").text
    outsider = people.sd("alice", "/sd revoked ACC-2")
    assert not outsider.ok and "I can't find a ticket ACC-2" in outsider.text
    other_queue = people.sd("carol", "/sd revoked ACC-2")
    assert not other_queue.ok and "technical queue" in other_queue.text
    assert _grant(desk).state == "revoking"

    desk.clock.advance(hours=2)
    done = people.sd("bob", "/sd revoked ACC-2")
    assert done.ok and "removal recorded" in done.text and "Tom no longer has access to Finance file share" in done.text
    grant = _grant(desk)
    assert grant.state == "revoked" and grant.revoked_at == desk.clock.now()
    assert people.ticket("ACC-2").status == "closed"
    assert any("ACC-2 is done: Access to Finance file share for Tom has been removed" in t
               for t in _said_to(people, "maria"))
    assert any("Access to Finance file share for Tom has been removed" in t for t in _said_to(people, "tom"))
    assert people.sd("bob", "/sd access list tom").text == "No current access for Tom."

    twice = people.sd("bob", "/sd revoked ACC-2")
    assert not twice.ok and "already recorded" in twice.text
    on_grant = people.sd("bob", "/sd revoked ACC-1")
    assert not on_grant.ok and "already removed" in on_grant.text
    removal = [(r["event"], r["actor"], r["at"]) for r in _trail(desk) if r["event"] in ("revoking", "revoked")]
    assert removal == [("revoking", "Maria (IT Manager)", "2026-11-23T09:00:00+00:00"),
                       ("revoked", "bob", desk.clock.now().isoformat())]
    with desk.database.session() as session:
        refused = session.query(AuditEntry).filter_by(action="refused").all()
        assert [(e.actor, e.field) for e in refused] == [("console:carol", "revoked")]


def test_an_expired_manual_grant_is_ended_when_staff_confirm_the_removal(people, desk):
    people.say("alice", "I need access to Salesforce for 3 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    desk.clock.advance(days=3, minutes=1)
    assert [line for line in grants.sweep(desk) if "expired, removal task posted" in line]
    assert grants.sweep(desk) == []  # idempotent: one task
    tasks = [t for t in _said_to(people, "#application") if t.startswith("Task ACC-1: remove Alice's access")]
    assert len(tasks) == 1 and "/sd revoked ACC-1" in tasks[0]
    assert _grant(desk).state == "revoking"
    assert not any("has been removed" in t for t in _said_to(people, "alice"))

    desk.clock.advance(minutes=30)
    assert people.sd("carol", "/sd revoked ACC-1").ok
    grant = _grant(desk)
    assert grant.state == "revoked" and grant.revoked_at == desk.clock.now()
    assert any("Access to Salesforce for Alice has been removed (expired at" in t for t in _said_to(people, "alice"))
    removal = [(r["event"], r["actor"], r["ticket"]) for r in _trail(desk) if r["event"] in ("revoking", "revoked")]
    assert removal == [("revoking", "access-expiry", "ACC-1"), ("revoked", "carol", "ACC-1")]
    assert not people.sd("carol", "/sd revoked ACC-1").ok


def test_asking_to_extend_access_that_is_being_removed_asks_for_new_access(people, desk):
    people.say("alice", "I need access to Salesforce for 3 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    desk.clock.advance(days=3, minutes=1)
    grants.sweep(desk)
    people.say("alice", "Extend my access to Salesforce by 2 weeks to finish the pipeline review")
    assert any("being removed, so I'll ask for new access" in t for t in _said_to(people, "alice"))
    assert people.sd("carol", "/sd approve ACC-2").ok
    assert people.sd("carol", "/sd revoked ACC-1").ok  # the old grant ends; the new one waits for its task
    assert "Salesforce · Alice · provisioning" in people.sd("carol", "/sd access list alice").text


def test_a_revocation_that_needs_approval_is_confirmed_after_it_and_not_before(people, desk):
    _toms_finance_share(people)
    people.say("alice", "Please remove Tom's access to the finance share, he moved to another team")
    assert any("Waiting for approval from Maria" in t for t in _said_to(people, "alice"))
    early = people.sd("bob", "/sd revoked ACC-2")
    assert not early.ok and "not approved yet" in early.text and _grant(desk).state == "active"
    assert people.sd("maria", "/sd approve ACC-2").ok
    assert any("Technical Management will remove Tom's access" in t for t in _said_to(people, "alice"))
    assert _grant(desk).state == "revoking"
    assert people.sd("bob", "/sd revoked ACC-2").ok
    assert _grant(desk).state == "revoked" and people.ticket("ACC-2").status == "closed"
    assert any("ACC-2 is done" in t for t in _said_to(people, "alice"))


def test_a_revocation_with_nothing_on_record_is_confirmed_the_same_way(people, desk):
    people.say("maria", "Please remove Tom's access to the finance share, he moved to another team")
    task = [t for t in _said_to(people, "#technical") if "none on record" in t]
    assert task and "/sd revoked ACC-1" in task[0]
    assert people.sd("bob", "/sd revoked ACC-1").ok
    assert people.ticket("ACC-1").status == "closed"
    assert [r["actor"] for r in _trail(desk) if r["event"] == "revoked"] == ["bob"]


def test_revoked_is_listed_in_help_next_to_granted():
    lines = help_text().splitlines()
    granted = next(i for i, line in enumerate(lines) if "/sd granted ACC-n" in line)
    assert "/sd revoked ACC-n" in lines[granted + 1] and "confirm you removed the access" in lines[granted + 1]


@pytest.fixture
def receiver():
    found = Receiver([200, 200, 200])
    yield found
    found.close()


@pytest.fixture
def webhook_desk(organisation, database, classifier, clock, receiver) -> Desk:
    return desk_with_gitlab(organisation, database, classifier, clock, receiver.url)


def test_a_webhook_revocation_is_still_confirmed_by_the_receivers_2xx(webhook_desk, receiver):
    desk, people = webhook_desk, People(webhook_desk)
    sender = WebhookSender(SECRET, timeout=5)
    people.say("alice", "I need access to GitLab for 2 days")
    people.sd("carol", "/sd approve ACC-1")
    relay_once(desk, [sender])
    grants.sweep(desk)
    assert _grant(desk).state == "active"
    people.say("alice", "Please remove my access to GitLab")
    assert _grant(desk).state == "revoking"
    by_hand = people.sd("carol", "/sd revoked ACC-2")
    assert not by_hand.ok and "the provisioning webhook is doing it" in by_hand.text
    relay_once(desk, [sender])
    grants.sweep(desk)
    assert _grant(desk).state == "revoked" and people.ticket("ACC-2").status == "closed"
    assert any("ACC-2 is done: Access to GitLab for Alice has been removed" in t for t in _said_to(people, "alice"))
    assert [r["actor"] for r in _trail(desk) if r["event"] == "revoked"] == ["webhook"]
