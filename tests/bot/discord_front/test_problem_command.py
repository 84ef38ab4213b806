"""/sd problem on Discord: the same problem commands as the console, staff only."""
from __future__ import annotations

from tests.bot.discord_front.conftest import answer_text


def test_staff_open_a_problem_from_discord_and_end_users_are_refused(discord_desk, world, people):
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))
    calls = discord_desk.interact(world.slash("agent", "problem", action="new", text="Laptops dead after BIOS update INC-1"))
    assert answer_text(world.api.callbacks(calls)[0]) == "PRB-1 opened: Laptops dead after BIOS update. Linked: INC-1."
    calls = discord_desk.interact(world.slash("bea", "problem", action="list"))
    assert answer_text(world.api.callbacks(calls)[0]).startswith("Sorry, only support staff can manage problems.")
    calls = discord_desk.interact(world.slash("agent", "show", ticket="INC-1"))
    assert "problem: PRB-1 (open): Laptops dead after BIOS update" in answer_text(world.api.callbacks(calls)[0])
