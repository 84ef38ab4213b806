"""/sd problem on Discord: the same problem commands as the console, staff only."""
from __future__ import annotations

from tests.bot.discord_front.conftest import answer_text, custom_ids


def test_staff_open_a_problem_from_discord_and_end_users_are_refused(discord_desk, world, people):
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))
    calls = discord_desk.interact(world.slash("agent", "problem", action="new", text="Laptops dead after BIOS update INC-1"))
    assert answer_text(world.api.callbacks(calls)[0]) == "PRB-1 opened: Laptops dead after BIOS update. Linked: INC-1."
    calls = discord_desk.interact(world.slash("bea", "problem", action="list"))
    assert answer_text(world.api.callbacks(calls)[0]).startswith("Sorry, only support staff can manage problems.")
    calls = discord_desk.interact(world.slash("agent", "show", ticket="INC-1"))
    assert "problem: PRB-1 (open): Laptops dead after BIOS update" in answer_text(world.api.callbacks(calls)[0])


def test_a_known_errors_workaround_is_offered_with_buttons_that_resolve_the_ticket(discord_desk, world, people):
    people.say("alice", "The VPN keeps disconnecting every few minutes and I lose my work")
    people.say("bob", "my VPN connection drops every couple of minutes, very annoying")
    people.sd("agent", "/sd problem new VPN drops INC-1 INC-2")
    people.sd("agent", "/sd problem known-error PRB-1 Use the wired network until the firmware is updated")
    discord_desk.receive("MESSAGE_CREATE", world.message("zoe", "VPN disconnecting again every few minutes"))
    discord_desk.relay()
    offer = next(p for p in reversed(world.posts_to(world.dm_channel("zoe"))) if "known issue" in p["content"])
    ids = custom_ids(offer)
    assert len(ids) == 2 and all(i.startswith("sd:ke:") for i in ids) and ids[0].endswith(":yes")
    discord_desk.interact(world.press("zoe", offer, ids[0]))
    ticket = people.ticket("INC-3")
    assert ticket.status == "resolved" and "workaround" in (ticket.resolution or "").lower()
