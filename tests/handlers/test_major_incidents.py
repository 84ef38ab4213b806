"""Major incidents: a channel opened once, the team invited, updates to everyone concerned, a
summary when resolved, the channel archived later; and the status-update nudges."""
from __future__ import annotations

from sqlalchemy import select

from handlers.relay import relay_once
from storage.models import OutboxMessage
from tests.sla_helpers import actions, last_outbox_id, open_incident, sent, sweep


def _channel_events(desk) -> list[OutboxMessage]:
    with desk.database.session() as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.destination == "new_channel")).scalars())


def test_a_p1_opens_its_channel_once_with_the_team_invited(desk, people):
    ref = open_incident(desk, "P1", queue="technical")
    (created,) = _channel_events(desk)
    assert created.address == "#major-inc-1" and created.platform == "console"
    assert created.payload["invite"] == ["bob", "maria"]  # the queue's staff and the manager
    assert "Lead: Bob (Technical)" in created.payload["text"] and "every 30min" in created.payload["text"]
    assert created.payload["ticket"]["id"] == ref  # the card goes in with it
    assert any(a == "#managers" and "#major-inc-1, lead Bob (Technical)" in t for _, a, t in sent(desk))
    # Declaring it again, or raising it to P1 again, opens nothing new.
    reply = people.sd("agent", f"/sd major {ref}")
    assert not reply.ok and "already a major incident (#major-inc-1)" in reply.text
    people.sd("agent", f"/sd priority {ref} P2")
    people.sd("agent", f"/sd priority {ref} P1")
    assert len(_channel_events(desk)) == 1
    assert [a for _, a, _ in actions(desk, ref)].count("major_incident") == 1


def test_staff_declare_one_by_hand_and_name_a_lead(desk, people):
    ref = open_incident(desk, "P3", queue="application")
    assert not people.sd("alice", f"/sd major {ref}").ok  # end users cannot
    assert "not a member of staff" in people.sd("agent", f"/sd major {ref} zed").text
    reply = people.sd("agent", f"/sd major {ref} carol")
    assert reply.text == f"{ref} is now a major incident: channel #major-inc-1, lead Carol (Application)."
    assert _channel_events(desk)[0].payload["invite"] == ["carol", "maria", "agent"]
    assert people.sd("agent", f"/sd major {ref} maria").text == f"Maria (IT Manager) now leads the major incident {ref}."
    assert any(a == "#major-inc-1" and "Maria (IT Manager) now leads" in t for _, a, t in sent(desk))


def test_an_update_reaches_the_requester_the_queue_and_the_incident_channel(desk, people):
    ref = open_incident(desk, "P1", queue="technical")
    mark = last_outbox_id(desk)
    reply = people.sd("bob", f"/sd update {ref} failover to the standby database in progress")
    assert reply.text == f"Update on {ref} sent to Alice, #technical and #major-inc-1."
    told = sent(desk, since=mark)
    assert ("conversation", "@alice", f"Update on {ref}: failover to the standby database in progress") in told
    assert any(a == "#technical" for _, a, _ in told)
    assert ("channel", "#major-inc-1", "Update by Bob (Technical): failover to the standby database in progress") in told
    assert not people.sd("alice", f"/sd update {ref} hello").ok
    assert people.sd("bob", f"/sd update {ref}").text == "Usage: /sd update ID TEXT"


def test_the_assignee_is_nudged_when_an_update_is_due_once_per_interval(desk, clock, people):
    ref = open_incident(desk, "P2", queue="technical")  # every 2h
    people.sd("bob", f"/sd take {ref}")
    clock.advance(hours=1, minutes=59)
    assert sweep(desk, only="status-updates") == []
    clock.advance(minutes=1)
    assert sweep(desk, only="status-updates") == [f"{ref}: status update due, Bob (Technical) nudged"]
    assert sweep(desk, only="status-updates") == []
    people.sd("bob", f"/sd update {ref} still investigating")  # the cadence starts again from now
    clock.advance(hours=1, minutes=30)
    assert sweep(desk, only="status-updates") == []
    clock.advance(hours=10)  # downtime: one nudge, not five
    assert sweep(desk, only="status-updates") == [f"{ref}: status update due, Bob (Technical) nudged"]
    people.sd("bob", f"/sd status {ref} on_hold")  # waiting on the user: no nudges
    clock.advance(hours=5)
    assert sweep(desk, only="status-updates") == []
    nudges = [t for d, a, t in sent(desk) if d == "user" and "stakeholders are due an update" in t]
    assert len(nudges) == 2 and "/sd update" in nudges[0]


def test_resolving_posts_a_summary_then_the_channel_is_archived_once(desk, clock, people):
    ref = open_incident(desk, "P1", queue="technical")
    people.sd("bob", f"/sd take {ref}")
    clock.advance(minutes=40)
    people.sd("bob", f"/sd update {ref} restarting the load balancers")
    clock.advance(hours=1, minutes=20)
    people.sd("bob", f"/sd resolve {ref} replaced the faulty line card")
    (summary,) = [t for _, a, t in sent(desk) if a == "#major-inc-1" and " resolved: " in t]
    assert f"Major incident {ref} resolved: replaced the faulty line card" in summary
    assert "Duration: 2h 0m" in summary
    assert "SLA: first response met · resolution met" in summary
    assert "update restarting the load balancers" in summary and "Timeline:" in summary
    assert "will be archived Tue 24 Nov 11:00 GMT" in summary
    assert any(a == "#managers" and "resolved after 2h 0m" in t for _, a, t in sent(desk))
    clock.advance(hours=23)
    assert sweep(desk, only="major-incidents") == []
    clock.advance(hours=1)
    assert sweep(desk, only="major-incidents") == [f"{ref}: major incident channel #major-inc-1 archived"]
    assert sweep(desk, only="major-incidents") == []
    with desk.database.session() as session:
        archived = session.execute(select(OutboxMessage).where(OutboxMessage.destination == "archive_channel")).scalars().all()
    assert [m.address for m in archived] == ["#major-inc-1"]


def test_a_breached_major_incident_says_so_in_its_summary(desk, clock, people):
    ref = open_incident(desk, "P1", queue="technical")
    clock.advance(minutes=20)
    sweep(desk)
    people.sd("bob", f"/sd resolve {ref} rebooted the core switch")
    (summary,) = [t for _, a, t in sent(desk) if a == "#major-inc-1" and " resolved: " in t]
    assert "SLA: first response missed by 5m · resolution met" in summary
    assert "sla-clock: escalated 1" in summary


class RecordingSender:
    """A front end that creates channels: the id it returns is where later messages must go."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, notification):
        self.sent.append((notification.destination, notification.address, notification.text))
        return "C0NEWCHANNEL" if notification.destination == "new_channel" else "1700000000.000100"


def test_the_relay_delivers_to_the_channel_the_front_end_created(desk, people):
    ref = open_incident(desk, "P1", queue="technical")
    people.sd("bob", f"/sd update {ref} investigating")
    sender = RecordingSender()
    relay_once(desk, [sender])
    created = [s for s in sender.sent if s[0] == "new_channel"]
    assert created == [("new_channel", "#major-inc-1", created[0][2])]
    later = [address for destination, address, text in sender.sent if text.startswith("Update by Bob")]
    assert later == ["C0NEWCHANNEL"]
