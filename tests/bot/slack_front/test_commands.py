"""`/sd` in Slack: the console's commands, answered privately; who may run them is decided by the
verified user id of the payload and the staff user groups Slack reports."""
from __future__ import annotations

import re

from handlers.organisation import StaffGroup
from tests.bot.slack_front.conftest import visible

LAPTOP = "my laptop won't turn on since this morning"


def _answers(slack) -> list[dict]:
    return slack.api.calls_to("respond")


def test_an_end_user_asking_for_a_staff_command_is_refused_politely_and_privately(slack, people, desk):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    slack.post(slack.requests.command("U0BEA", "take INC-1", response_url=slack.api.response_url("bea")))
    slack.settle()
    (answer,) = _answers(slack)
    assert answer["response_type"] == "ephemeral"
    assert visible(answer).startswith("Sorry, only support staff can take tickets.")
    assert people.ticket("INC-1").assignee is None
    assert "slack:U0BEA refused" not in visible(answer)  # the audit is for staff, not the user
    with desk.database.session() as session:
        from sqlalchemy import select

        from storage.models import AuditEntry

        refused = session.execute(select(AuditEntry).where(AuditEntry.action == "refused")).scalars().all()
        assert [(r.actor, r.field) for r in refused] == [("slack:U0BEA", "take")]


def test_end_users_have_their_own_commands(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    for number, text in enumerate(("help", "list", "show INC-1")):
        slack.post(slack.requests.command("U0ALICE", text, response_url=slack.api.response_url(str(number))))
    slack.settle()
    shown = "\n".join(visible(a) for a in _answers(slack))
    assert re.search(r"/sd list +your open tickets", shown) and "/sd take" not in shown
    assert "Your open tickets:" in shown and "INC-1: my laptop won't turn on" in shown


def test_staff_commands_answer_only_the_caller(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    slack.post(slack.requests.command("U0AGENT", "list", response_url=slack.api.response_url("list")))
    slack.post(slack.requests.command("U0AGENT", "note INC-1 asked facilities about the dock",
                                      response_url=slack.api.response_url("note")))
    slack.settle()
    shown = [visible(a) for a in _answers(slack)]
    assert any("Open tickets:" in s and "INC-1 · incident · technical" in s for s in shown)
    assert "Internal note added to INC-1." in shown
    assert all(a["response_type"] == "ephemeral" for a in _answers(slack))
    assert not any("facilities" in visible(p) for p in slack.posts("DU0ALICE"))  # internal stays internal


def test_mistakes_get_clear_answers(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    for number, text in enumerate(("frobnicate INC-1", "take INC-99", "take nonsense", "assign INC-1", "")):
        slack.post(slack.requests.command("U0AGENT", text, response_url=slack.api.response_url(str(number))))
    slack.settle()
    shown = [visible(a) for a in _answers(slack)]
    assert any(s.startswith("I don't know the command 'frobnicate'.") for s in shown)
    assert "I can't find a ticket INC-99." in shown
    assert "'nonsense' is not a ticket id; ids look like INC-12, REQ-3 or ACC-7." in shown
    assert "Usage: /sd assign ID USER" in shown
    assert any(s.startswith("Commands:") and "/sd take ID" in s for s in shown)  # bare /sd is help
    assert not any("Traceback" in s for s in shown)


def test_assign_by_mention_uses_the_mentioned_users_slack_id(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    slack.post(slack.requests.command("U0AGENT", "assign INC-1 <@U0BOB|whoever>",
                                      response_url=slack.api.response_url()))
    slack.settle()
    assert people.ticket("INC-1").assignee == "bob"
    assert visible(_answers(slack)[-1]) == "INC-1 is now assigned to Bob (Technical)."


def test_members_of_a_staff_user_group_are_staff_by_their_verified_membership(slack, people, desk):
    desk.organisation = desk.organisation.model_copy(update={"staff_groups": [
        StaffGroup(name="netops", queues=["technical"], slack="S0NETOPS")]})
    slack.api.usergroups["S0NETOPS"] = ["U0ZOE"]
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()

    # Bea claims the group in her text: that counts for nothing.
    slack.post(slack.requests.command("U0BEA", "take INC-1 <!subteam^S0NETOPS|@netops>",
                                      response_url=slack.api.response_url("bea")))
    slack.settle()
    assert people.ticket("INC-1").assignee is None

    card = slack.posts("C0TECHNICAL")[0]
    slack.post(slack.requests.button("U0ZOE", "sd_take", "INC-1", channel="C0TECHNICAL", message_ts=card["ts"],
                                     response_url=slack.api.response_url("zoe")))
    slack.settle()
    assert people.ticket("INC-1").assignee == "slack-u0zoe"
    assert "Assignee: Zoe" in visible(slack.api.calls_to("chat.update")[-1])
    assert [c.params["usergroup"] for c in slack.api.attempts("usergroups.users.list")][:1] == ["S0NETOPS"]


def test_sd_new_logs_a_ticket_for_someone_else_through_a_modal(slack, people):
    slack.post(slack.requests.command("U0AGENT", "new", channel="C0TECHNICAL", response_url=slack.api.response_url()))
    slack.settle()
    (opened,) = slack.api.calls_to("views.open")
    modal = opened["view"]
    assert [b["block_id"] for b in modal["blocks"]] == ["requester", "kind", "description", "impact", "urgency"]

    missing = slack.post(slack.requests.view_submission("U0AGENT", modal, {
        "requester": {"user": {"type": "users_select", "selected_user": "U0ALICE"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "incident"}}},
        "description": {"text": {"type": "plain_text_input", "value": ""}},
    }))
    assert missing.json()["response_action"] == "errors" and "description" in missing.json()["errors"]

    slack.post(slack.requests.view_submission("U0AGENT", modal, {
        "requester": {"user": {"type": "users_select", "selected_user": "U0ALICE"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "incident"}}},
        "description": {"text": {"type": "plain_text_input", "value": "desk phone dead since the move"}},
        "impact": {"level": {"type": "static_select", "selected_option": {"value": "low"}}},
        "urgency": {"level": {"type": "static_select", "selected_option": None}},
    }))
    slack.settle()
    ticket = people.ticket("INC-1")
    assert (ticket.requester_id, ticket.requester_name, ticket.impact) == ("U0ALICE", "Alice", "low")
    assert any("I've logged INC-1" in visible(p) for p in slack.posts("D0ALICE"))  # the requester's DM
    assert any("Logged INC-1 for Alice" in text for text in slack.answers_to("U0AGENT"))


def test_sd_new_is_for_staff_only(slack, people):
    slack.post(slack.requests.command("U0BEA", "new", response_url=slack.api.response_url()))
    slack.settle()
    assert slack.api.calls_to("views.open") == []
    assert visible(_answers(slack)[0]).startswith("Sorry, only support staff can log tickets for someone else.")
