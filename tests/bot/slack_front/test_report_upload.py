"""`/sd report` on Slack: the summary and the chart reach the channel through the outbox, as a
real files_upload_v2 (getUploadURLExternal, the bytes to the upload URL, completeUploadExternal)."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import OutboxMessage
from tests.bot.slack_front.conftest import visible
from tests.sla_helpers import open_incident

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_sd_report_uploads_the_chart_with_the_summary_to_the_channel(slack, desk, clock):
    open_incident(desk, "P3")
    clock.advance(minutes=5)
    slack.post(slack.requests.command("U0MARIA", "report 30d", channel="C0MANAGERS",
                                      response_url=slack.api.response_url("report")))
    slack.settle()

    [asked] = slack.api.calls_to("files.getUploadURLExternal")
    assert asked["filename"] == "report-2026-10-24-to-2026-11-23.png"
    [uploaded] = slack.api.calls_to("upload")
    assert uploaded["length"] == int(asked["length"])
    [completed] = slack.api.calls_to("files.completeUploadExternal")
    assert completed["channel_id"] == "C0MANAGERS"
    assert completed["files"][0]["title"] == "Service desk report, Sat 24 Oct - Mon 23 Nov 2026"
    assert completed["initial_comment"].startswith("Service desk report, Sat 24 Oct - Mon 23 Nov 2026\nOpened: 1")
    [file] = slack.api.uploads.values()
    assert file["content"].startswith(PNG_MAGIC) and file["shared_in"] == "C0MANAGERS"
    with desk.database.session() as session:
        statuses = session.execute(select(OutboxMessage.status).where(OutboxMessage.event == "private_answer")).all()
    assert [s for (s,) in statuses] == ["delivered"]


def test_a_failed_upload_is_retried_and_the_file_shared_once(slack, desk, clock):
    slack.api.fail("upload", status=500)
    slack.post(slack.requests.command("U0AGENT", "report", channel="C0TECHNICAL",
                                      response_url=slack.api.response_url("report")))
    slack.settle()
    assert slack.api.calls_to("files.completeUploadExternal") == []  # not shared half-uploaded
    clock.advance(minutes=5)
    slack.settle()
    [completed] = slack.api.calls_to("files.completeUploadExternal")
    assert completed["channel_id"] == "C0TECHNICAL"
    assert "No tickets in this period." in completed["initial_comment"]


def test_in_a_channel_the_app_is_not_in_the_chart_comes_as_a_direct_message(slack):
    slack.api.outside.add("C0RANDOM")
    slack.post(slack.requests.command("U0MARIA", "report", channel="C0RANDOM",
                                      response_url=slack.api.response_url("report")))
    slack.settle()
    shared = [c["channel_id"] for c in slack.api.calls_to("files.completeUploadExternal")]
    assert shared == ["C0RANDOM", "D0MARIA"]  # refused (not_in_channel), then her DM with the app
    [file] = [f for f in slack.api.uploads.values() if f.get("shared_in")]
    assert file["shared_in"] == "D0MARIA" and file["initial_comment"].startswith("Service desk report")


def test_end_users_get_no_report(slack):
    slack.post(slack.requests.command("U0ALICE", "report", response_url=slack.api.response_url("alice")))
    slack.settle()
    answers = [visible(a) for a in slack.api.calls_to("respond")]
    assert any(a.startswith("Sorry, only support staff can see reports.") for a in answers)
    assert slack.api.calls_to("files.getUploadURLExternal") == []
