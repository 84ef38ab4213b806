"""Slack markup in (as a person reads it) and Block Kit out (escaped, within Slack's limits)."""
from __future__ import annotations

from bot.slack_front import blocks
from bot.slack_front.markup import command_text, escape, readable, strip_leading_mention
from tests.bot.slack_front.conftest import texts


def test_slack_markup_becomes_what_a_person_reads():
    names = {"U1": "Bob"}.get
    assert readable("<@U1> <@U2|zed> <!channel> <!here> <#C1|general> <!subteam^S1|@ops>",
                    name_of=lambda u: names(u) or u) == "@Bob @zed @channel @here #general @ops"
    assert readable("<http://evil.example|https://bank.example> <https://ok.example> <mailto:a@b.c|a@b.c>") == \
        "https://bank.example (http://evil.example) https://ok.example a@b.c"
    assert readable("1 &lt; 2 &amp;&amp; 3 &gt; 2, typed &amp;lt;") == "1 < 2 && 3 > 2, typed &lt;"
    assert readable("&lt;!channel&gt;") == "<!channel>"  # typed out, not a mention


def test_only_the_bots_own_leading_mention_is_dropped():
    assert strip_leading_mention("<@UBOT> printer jammed", "UBOT") == "printer jammed"
    assert strip_leading_mention("<@UOTHER> printer jammed", "UBOT") == "<@UOTHER> printer jammed"
    assert strip_leading_mention("printer <@UBOT> jammed", "UBOT") == "printer <@UBOT> jammed"


def test_command_text_resolves_staff_by_slack_id_and_nothing_else():
    staff = {"U0BOB": "bob"}.get
    assert command_text("assign INC-1 <@U0BOB|whatever>", staff_name_of=staff) == "assign INC-1 bob"
    assert command_text("assign INC-1 <@U0EVE|bob>", staff_name_of=staff) == "assign INC-1 @bob"


def test_escape_covers_the_three_characters():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_cards_keep_within_slacks_limits_and_user_text_in_plain_text():
    ticket = {"id": "INC-1", "priority": "P1", "title": "x" * 400, "status": "resolved", "kind": "incident",
              "queue": "technical", "impact": "high", "urgency": "high", "assignee": None,
              "requester": {"name": "<!channel>"}, "resolution": "y" * 5000, "resolution_due": None}
    card = blocks.team_card(ticket, blocks.Labels())
    assert len(card[0]["text"]["text"]) <= 150
    for kind, text in texts({"blocks": card}):
        assert len(text) <= 3000
        if "<!channel>" in text:
            assert kind == "plain_text"


def test_long_answers_are_split_into_sections_without_breaking_escapes():
    text = "\n".join(f"INC-{n} · <title> & more" for n in range(400))
    sections = blocks.answer(text)
    assert 1 < len(sections) <= 50
    for section in sections:
        body = section["text"]["text"]
        assert len(body) <= 3000 and body.startswith("```") and body.endswith("```")
        assert "<" not in body and "&lt;title&gt; &amp; more" in body
