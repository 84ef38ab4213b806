"""Problem management on Slack: the known-error offer's Yes button, and the team channel's
"these look related; open a problem?" button."""
from __future__ import annotations

from tests.bot.slack_front.conftest import buttons, visible

WORKAROUND = "Switch to the wired network until the access point firmware is updated"


def _say(slack, user: str, text: str, ts: str) -> None:
    slack.event(slack.requests.dm(user, text, ts=ts))
    slack.settle()


def test_a_known_error_offer_is_answered_with_its_yes_button(slack, people):
    _say(slack, "U0ALICE", "The VPN keeps disconnecting every few minutes", "1700000000.000100")
    assert people.sd("agent", "/sd problem new VPN drops every few minutes INC-1").ok
    assert people.sd("agent", f"/sd problem known-error PRB-1 {WORKAROUND}").ok
    slack.settle()
    assert any(WORKAROUND in visible(post) for post in slack.posts("DU0ALICE"))  # broadcast to the requester

    _say(slack, "U0BEA", "my VPN is disconnecting every few minutes", "1700000000.000200")
    offer = next(post for post in slack.posts("DU0BEA") if "This looks like a known issue" in visible(post))
    yes = next(b for b in buttons(offer).values() if b["text"]["text"] == "Yes, that fixed it")
    slack.post(slack.requests.button("U0BEA", yes["action_id"], yes["value"], channel="DU0BEA", message_ts=offer["ts"]))
    slack.settle()
    assert people.ticket("INC-2").status == "resolved" and "PRB-1" in people.ticket("INC-2").resolution


def test_recurring_incidents_ask_the_team_channel_with_a_button(slack, people, clock):
    for number, user in enumerate(("U0ALICE", "U0BEA", "U0ZOE")):
        _say(slack, user, "Outlook crashes every time I open a PDF attachment", f"1700000000.00030{number}")
        clock.advance(hours=5)
    notice = next(post for post in slack.posts("C0APPLICATION") if "These look related" in visible(post))
    [button] = buttons(notice).values()
    assert button["text"]["text"] == "Open a problem" and button["value"] == "prb:new:INC-1,INC-2,INC-3"
    slack.post(slack.requests.button("U0AGENT", button["action_id"], button["value"], channel="C0APPLICATION",
                                     message_ts=notice["ts"], response_url=slack.api.response_url("agent")))
    slack.settle()
    assert "incidents: INC-1 (new), INC-2 (new), INC-3 (new)" in people.sd("agent", "/sd problem show PRB-1").text
