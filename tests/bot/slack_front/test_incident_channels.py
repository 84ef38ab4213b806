"""A major incident on Slack: its channel is created once with the team invited, updates reach it
by the id Slack gave it, the "Is it fixed?" buttons work, and the channel is archived later."""
from __future__ import annotations

from tests.bot.slack_front.conftest import buttons, visible
from tests.sla_helpers import sweep

OUTAGE = "production is down for all customers, the whole site is offline"


def _major_incident(slack, people) -> str:
    slack.event(slack.requests.dm("U0ALICE", OUTAGE, ts="1700000000.000100"))
    slack.settle()
    ticket = people.ticket("INC-1")
    assert ticket.priority == "P1"
    return "INC-1"


def test_a_p1_gets_a_channel_with_the_team_invited_and_the_card(slack, people):
    ref = _major_incident(slack, people)
    (created,) = slack.api.calls_to("conversations.create")
    assert created["name"] == "major-inc-1"
    channel = next(c for c in slack.api.channels.values() if c["name"] == "major-inc-1")
    queue = people.ticket(ref).queue
    expected = {"technical": "U0BOB", "application": "U0CAROL", "operations": "U0DAVE"}[queue]
    assert set(channel["members"]) == {expected, "U0MARIA"}
    assert channel["topic"].startswith(f"{ref} · ")
    (intro,) = slack.posts(channel["id"])
    assert "Major incident INC-1 (P1" in visible(intro) and "sd_take" in buttons(intro)

    slack.post(slack.requests.command("U0AGENT", f"update {ref} failing over to the standby site"))
    slack.settle()
    update = slack.posts(channel["id"])[-1]
    assert "Update by Sam (Service Desk): failing over to the standby site" in visible(update)
    assert len(slack.api.calls_to("conversations.create")) == 1


def test_resolved_asks_the_requester_with_buttons_and_the_channel_is_archived(slack, people, clock, desk):
    ref = _major_incident(slack, people)
    slack.post(slack.requests.command("U0AGENT", f"resolve {ref} restarted the load balancers"))
    slack.settle()
    question = slack.posts("DU0ALICE")[-1]
    assert "Is it fixed?" in visible(question)
    yes = next(b for b in buttons(question).values() if b["text"]["text"] == "Yes, it's fixed")
    slack.post(slack.requests.button("U0ALICE", yes["action_id"], yes["value"], channel="DU0ALICE",
                                     message_ts=question["ts"], response_url=slack.api.response_url("yes")))
    slack.settle()
    assert people.ticket(ref).status == "closed"
    assert "How did we do" in visible(slack.posts("DU0ALICE")[-1])

    clock.advance(days=1, minutes=1)
    assert sweep(desk, only="major-incidents") == [f"{ref}: major incident channel major-inc-1 archived"]
    slack.settle()
    channel = next(c for c in slack.api.channels.values() if c["name"] == "major-inc-1")
    assert channel["is_archived"]
    assert "this channel is archived" in visible(slack.posts(channel["id"])[-1])


def test_a_channel_left_by_an_earlier_attempt_is_reused(slack, people):
    slack.api.channels["C0OLD"] = {"id": "C0OLD", "name": "major-inc-1", "members": [], "topic": "",
                                   "is_archived": False}
    _major_incident(slack, people)
    assert slack.api.channels["C0OLD"]["members"]  # invited there
    assert slack.posts("C0OLD")


def test_the_team_card_shows_the_time_left(slack, people):
    slack.event(slack.requests.dm("U0ALICE", "my laptop won't turn on since this morning", ts="1700000000.000200"))
    slack.settle()
    (card,) = slack.posts("C0TECHNICAL")
    shown = visible(card)
    assert "SLA: first response " in shown and "· resolution 3 business days left" in shown
