"""Delivering the outbox to Discord: rate limits and outages are retried, cards kept current."""
from __future__ import annotations

from sqlalchemy import select

from bot.discord_front import create_discord_bot
from bot.discord_front.sender import DiscordSender
from handlers.relay import relay_once
from storage.models import OutboxMessage
from tests.bot.discord_front.conftest import custom_ids, fields
from tests.fakes.discord_gateway import QUEUE_CHANNELS

TECHNICAL = QUEUE_CHANNELS["technical"]


def _laptop(discord_desk, world) -> None:
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))


def _outbox(desk) -> list[tuple[str, str, int]]:
    with desk.database.session() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return [(m.destination, m.status, m.attempts) for m in rows]


def test_a_rate_limited_post_waits_for_retry_after_then_goes_out(discord_desk, world, desk, clock):
    _laptop(discord_desk, world)
    world.api.rate_limit("POST", rf"/channels/{TECHNICAL}/messages", retry_after=60)
    discord_desk.relay()
    assert _outbox(desk) == [("conversation", "delivered", 1), ("channel", "pending", 1)]
    assert not world.posts_to(TECHNICAL)

    clock.advance(seconds=30)
    assert discord_desk.relay() == []  # not due yet: Discord is not hammered
    clock.advance(seconds=31)
    discord_desk.relay()
    assert _outbox(desk) == [("conversation", "delivered", 1), ("channel", "delivered", 2)]
    assert custom_ids(world.card_in(TECHNICAL))[0] == "sd:take:INC-1"


def test_outages_and_dropped_connections_are_retried_with_backoff(discord_desk, world, desk, clock):
    _laptop(discord_desk, world)
    world.api.fail("POST", rf"/channels/{TECHNICAL}/messages", 503, {"message": "upstream connect error"})
    world.api.disconnect("POST", r"/channels/\d+/messages")
    discord_desk.relay()  # the DM hits the dropped connection, the card the outage
    assert _outbox(desk) == [("conversation", "pending", 1), ("channel", "pending", 1)]
    with desk.database.session() as session:
        errors = sorted(m.last_error for m in session.execute(select(OutboxMessage)).scalars())
    assert errors[0].startswith("Discord is having trouble (503)") and errors[1].startswith("cannot reach Discord")

    clock.advance(seconds=3)
    discord_desk.relay()
    assert _outbox(desk) == [("conversation", "delivered", 2), ("channel", "delivered", 2)]
    assert world.posts_to(world.dm_channel("alice")) and world.posts_to(TECHNICAL)


def test_nothing_is_lost_while_the_bot_is_not_connected(discord_desk, world, desk, settings):
    _laptop(discord_desk, world)
    offline = DiscordSender(create_discord_bot(settings, desk))  # e.g. still logging in after a restart
    assert relay_once(desk, [offline]) == 0
    with desk.database.session() as session:
        assert {(m.status, m.last_error) for m in session.execute(select(OutboxMessage)).scalars()} == {
            ("pending", "the Discord connection is not up yet")}
    assert world.api.find("POST", r"/channels/\d+/messages") == []


def test_a_deleted_card_is_posted_again_with_the_current_state(discord_desk, world, people):
    _laptop(discord_desk, world)
    discord_desk.relay()
    old = world.card_in(TECHNICAL)
    del world.api.messages[old["id"]]  # someone deleted the card
    discord_desk.interact(world.slash("agent", "take", ticket="INC-1"))
    calls = discord_desk.relay()
    assert world.api.find("PATCH", rf"/channels/{TECHNICAL}/messages/{old['id']}", calls)
    [fresh] = [m for m in world.posts_to(TECHNICAL) if m["components"]]
    assert fresh["id"] != old["id"] and fields(fresh["embeds"][0])["Status"] == "assigned"


def test_staff_assigned_a_ticket_hear_in_a_dm_with_the_card(discord_desk, world, people):
    _laptop(discord_desk, world)
    discord_desk.interact(world.slash("agent", "assign", ticket="INC-1", staff="bob"))
    calls = discord_desk.relay()
    [opened] = world.api.find("POST", "/users/@me/channels", calls)
    assert opened.json == {"recipient_id": 1200000000000000003}  # Bob's Discord id from app.yaml
    dm = world.api.dm_with("1200000000000000003")["id"]
    [note] = world.posts_to(dm)
    assert note["content"].startswith("Sam (Service Desk) assigned INC-1 to you")
    assert custom_ids(note) == ["sd:take:INC-1", "sd:resolve:INC-1", "sd:escalate:INC-1"]
