"""`/sd report` on Discord: the summary answers the caller privately, and the chart follows in
the channel through the outbox as a real multipart attachment."""
from __future__ import annotations

from tests.bot.discord_front.conftest import answer_text
from tests.fakes.discord_gateway import APP_ID, GENERAL, QUEUE_CHANNELS
from tests.sla_helpers import open_incident

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EPHEMERAL = 64


def _answer(world, calls) -> dict:
    """The interaction's answer: the response itself, or the follow-up when drawing took long
    enough for the desk to defer ("thinking...") first."""
    answered = [c.json for c in world.api.find("POST", r"/interactions/\d+/[^/]+/callback", calls)
                if c.json.get("type") == 4]
    answered += [{"data": c.json} for c in world.api.find("POST", rf"/webhooks/{APP_ID}/[^/]+", calls)]
    [answer] = answered
    return answer


def test_sd_report_answers_privately_and_attaches_the_chart_in_the_channel(discord_desk, world, desk, clock):
    open_incident(desk, "P3", queue="operations")
    clock.advance(minutes=5)
    calls = discord_desk.interact(world.slash("agent", "report", period="30d", queue="operations"))
    answer = _answer(world, calls)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer_text(answer).startswith("Service desk report, Sat 24 Oct - Mon 23 Nov 2026 (operations queue)")
    assert "Opened: 1 (1 incident; operations 1)" in answer_text(answer)

    sent = discord_desk.relay()
    [post] = world.api.find("POST", rf"/channels/{GENERAL}/messages", sent)
    [file] = post.files
    assert file["filename"] == "report-2026-10-24-to-2026-11-23-operations.png"
    assert file["content"].startswith(PNG_MAGIC)
    assert post.json["content"] == "Service desk report, Sat 24 Oct - Mon 23 Nov 2026 (operations queue)"
    assert post.json["allowed_mentions"] == {"parse": []}
    [message] = world.posts_to(GENERAL)
    assert message["attachments"][0]["filename"] == file["filename"]
    assert discord_desk.relay() == []  # delivered once


def test_the_weekly_report_lands_in_the_managers_channel_with_its_chart(discord_desk, world, desk, clock):
    from handlers import report_posting

    clock.advance(days=-1)
    report_posting.sweep(desk)  # the desk's first pass notes the week
    clock.advance(days=1)
    assert report_posting.sweep(desk)
    sent = discord_desk.relay()
    [post] = world.api.find("POST", rf"/channels/{QUEUE_CHANNELS['managers']}/messages", sent)
    assert post.json["content"].startswith("Service desk report, Mon 16 Nov - Mon 23 Nov 2026\nNo tickets")
    assert post.files[0]["content"].startswith(PNG_MAGIC)


def test_end_users_are_refused_without_a_chart(discord_desk, world):
    calls = discord_desk.interact(world.slash("alice", "report"))
    assert answer_text(_answer(world, calls)).startswith("Sorry, only support staff can see reports.")
    assert world.api.find("POST", r"/channels/\d+/messages", discord_desk.relay()) == []
