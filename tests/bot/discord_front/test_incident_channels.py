"""A major incident on Discord: a private channel beside the queue's, the team let in, updates
delivered to it by id, and marked archived (renamed, read-only) once it is over."""
from __future__ import annotations

from tests.bot.discord_front.conftest import custom_ids
from tests.fakes.discord_gateway import GUILD_ID, QUEUE_CHANNELS
from tests.sla_helpers import sweep

OUTAGE = "production is down for all customers, the whole site is offline"


def _major_incident(discord_desk, world, people) -> tuple[str, dict]:
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", OUTAGE))
    discord_desk.relay()
    ticket = people.ticket("INC-1")
    assert ticket.priority == "P1"
    (created,) = [c for c in world.api.calls if c.method == "POST" and c.path == f"/guilds/{GUILD_ID}/channels"]
    return ticket.queue, created


def test_a_p1_opens_a_private_channel_for_the_team_beside_the_queue(discord_desk, world, people, desk):
    queue, created = _major_incident(discord_desk, world, people)
    assert created.json["name"] == "major-inc-1" and created.json["type"] == 0
    overwrites = {o["id"]: o for o in created.json["permission_overwrites"]}
    assert int(overwrites[str(GUILD_ID)]["deny"]) & 1024  # @everyone cannot see it
    staff = {"technical": "bob", "application": "carol", "operations": "dave"}[queue]
    invited = {desk.organisation.staff_named(name).identities.discord for name in (staff, "maria")}
    assert invited | {str(world.api.bot_user["id"]), str(GUILD_ID)} == set(overwrites)
    channel_id = next(cid for cid, c in world.api.channels.items() if c.get("name") == "major-inc-1")
    (intro,) = world.posts_to(channel_id)
    assert "Major incident INC-1 (P1" in intro["content"] and custom_ids(intro)[0] == "sd:take:INC-1"

    from tests.conftest import People
    People(desk).sd("agent", "/sd update INC-1 failing over to the standby site")
    discord_desk.relay()
    assert world.posts_to(channel_id)[-1]["content"] == "Update by Sam (Service Desk): failing over to the standby site"
    assert len([c for c in world.api.calls if c.method == "POST" and c.path == f"/guilds/{GUILD_ID}/channels"]) == 1
    assert str(QUEUE_CHANNELS[queue]) in [c.path.split("/")[-1] for c in world.api.calls if c.method == "GET"]


def test_the_channel_is_marked_archived_a_day_after_the_resolve(discord_desk, world, people, desk, clock):
    _major_incident(discord_desk, world, people)
    people.sd("agent", "/sd resolve INC-1 restarted the load balancers")
    discord_desk.relay()
    clock.advance(days=1, minutes=1)
    assert sweep(desk, only="major-incidents") == ["INC-1: major incident channel major-inc-1 archived"]
    discord_desk.relay()
    channel = next(c for c in world.api.channels.values() if c.get("name", "").endswith("major-inc-1"))
    assert channel["name"] == "archived-major-inc-1"
    staff = [o for o in channel["permission_overwrites"] if o["type"] == 1 and o["id"] != str(world.api.bot_user["id"])]
    assert staff and all(int(o["deny"]) & 2048 for o in staff)  # read-only now
    assert "this channel is archived" in world.posts_to(channel["id"])[-1]["content"]


def test_is_it_fixed_has_buttons_that_only_the_requester_can_use(discord_desk, world, people):
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))
    discord_desk.relay()
    people.sd("agent", "/sd resolve INC-1 replaced the charger")
    discord_desk.relay()
    question = world.posts_to(world.dm_channel("alice"))[-1]
    assert "Is it fixed?" in question["content"]
    yes, no = custom_ids(question)
    assert yes.startswith("sd:fu:") and yes.endswith(":yes") and no.endswith(":no")
    calls = discord_desk.interact(world.press("bea", question, no))
    assert "for someone else" in str(calls) and people.ticket("INC-1").status == "resolved"
    discord_desk.interact(world.press("alice", question, yes))
    assert people.ticket("INC-1").status == "closed"
    discord_desk.relay()
    rating = world.posts_to(world.dm_channel("alice"))[-1]
    assert rating["content"].startswith("How did we do on INC-1?")
    assert [c.split(":")[-1] for c in custom_ids(rating)] == ["1", "2", "3", "4", "5"]
    discord_desk.interact(world.press("alice", rating, custom_ids(rating)[3]))
    from storage.follow_up import ratings
    with people.desk.database.session() as session:
        assert [r.rating for r in ratings(session)] == [4]
