"""The outbox relay: delivery once, retries with backoff, cards remembered for in-place updates."""
from __future__ import annotations

from sqlalchemy import select

from handlers.relay import DeliveryFailed, relay_once
from storage.models import OutboxMessage, TicketCard


class Recorder:
    platform = "console"

    def __init__(self, fail_times: int = 0, retry_after: float | None = None) -> None:
        self.sent = []
        self.fail_times = fail_times
        self.retry_after = retry_after

    def send(self, notification):
        if self.fail_times:
            self.fail_times -= 1
            raise DeliveryFailed("rate limited", retry_after=self.retry_after)
        self.sent.append(notification)
        return notification.card_ref or f"msg-{len(self.sent)}"  # an update answers with the card's id


def test_each_notification_is_delivered_once(people, desk):
    people.say("alice", "my laptop won't turn on")
    sender = Recorder()
    assert relay_once(desk, [sender]) == 2
    assert relay_once(desk, [sender]) == 0
    assert {(n.destination, n.address) for n in sender.sent} == {("conversation", "@alice"), ("channel", "#technical")}


def test_a_rate_limit_waits_for_retry_after_then_delivers(people, desk, clock):
    people.say("alice", "my laptop won't turn on")
    sender = Recorder(fail_times=2, retry_after=30)
    assert relay_once(desk, [sender]) == 0  # both rate limited
    assert relay_once(desk, [sender]) == 0  # not due yet: nothing is hammered
    clock.advance(seconds=31)
    assert relay_once(desk, [sender]) == 2
    with desk.database.session() as session:
        rows = session.execute(select(OutboxMessage)).scalars().all()
        assert {(m.status, m.attempts) for m in rows} == {("delivered", 2)}


def test_the_team_channel_card_is_remembered_and_offered_for_updates(people, desk):
    people.say("alice", "my laptop won't turn on")
    sender = Recorder()
    relay_once(desk, [sender])
    people.sd("agent", "/sd take INC-1")
    relay_once(desk, [sender])
    channel_posts = [n for n in sender.sent if n.destination == "channel"]
    assert channel_posts[0].card_ref is None
    first_ref = f"msg-{sender.sent.index(channel_posts[0]) + 1}"
    assert channel_posts[1].card_ref == first_ref
    with desk.database.session() as session:
        assert session.execute(select(TicketCard.message_ref)).scalars().all() == [first_ref]


def test_a_message_for_another_platform_waits_for_its_sender(people, desk):
    people.say("alice", "my laptop won't turn on")

    class Elsewhere(Recorder):
        platform = "slack"

    assert relay_once(desk, [Elsewhere()]) == 0
    assert relay_once(desk, [Recorder()]) == 2


def test_a_card_posted_again_replaces_the_remembered_one(people, desk):
    people.say("alice", "my laptop won't turn on")

    class Reposting(Recorder):
        def send(self, notification):
            Recorder.send(self, notification)
            if notification.card_ref:
                return "card-2"  # the old card was deleted, a new one was posted
            return "card-1" if notification.destination == "channel" else None

    sender = Reposting()
    relay_once(desk, [sender])
    people.sd("agent", "/sd take INC-1")
    relay_once(desk, [sender])
    people.sd("agent", "/sd resolve INC-1 fixed")
    relay_once(desk, [sender])
    cards = [n.card_ref for n in sender.sent if n.destination == "channel"]
    assert cards == [None, "card-1", "card-2"]
