"""Approvals on Discord: the approver's DM carries Approve / Deny buttons, and the press is
checked like the command (separation of duties at the moment of the click)."""
from __future__ import annotations

from tests.bot.discord_front.conftest import custom_ids

CAROL = "1200000000000000004"


def test_carol_approves_an_access_request_with_the_button_in_her_dm(discord_desk, world, people):
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "I need access to Salesforce to work on the Q4 pipeline"))
    discord_desk.relay()
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "7 days"))
    discord_desk.relay()
    request = next(p for p in world.posts_to(world.dm_channel("carol")) if "approval" in p["content"])
    approve, deny = custom_ids(request)
    assert approve.startswith("sd:apr:") and approve.endswith(":approve") and deny.endswith(":deny")

    calls = discord_desk.interact(world.press("alice", request, approve))  # the requester's own press
    assert "separation of duties" in str(calls) and _step(people).state == "pending"

    discord_desk.interact(world.press("carol", request, approve))
    assert (_step(people).state, _step(people).decided_by) == ("approved", "carol")
    discord_desk.relay()
    said = " ".join(p["content"] for p in world.posts_to(world.dm_channel("alice")))
    assert "approved" in said.lower() and "Carol" in said


def _step(people):
    from storage.access import steps_of

    with people.desk.database.session() as session:
        [step] = steps_of(session, people.ticket("ACC-1").id)
        session.expunge(step)
        return step
