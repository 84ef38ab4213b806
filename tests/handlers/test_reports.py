"""The managers' report: figures from tickets worked through the desk, the chart as a real PNG,
`/sd report` for staff only, and the weekly report sent once per week."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers import report_posting
from handlers.desk import Desk
from handlers.report_chart import render_png
from handlers.reports import Period, figures, summary
from storage.models import OutboxMessage
from storage.reports import ReportFile
from tests.sla_helpers import open_incident, sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _decode(png: bytes):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(png), format="png")


def _a_week_of_work(desk, clock, people) -> list[str]:
    """Four technical incidents opened Monday 09:00, answered after 10, 30, 60 min and at once
    (a priority change to P2 is a staff answer), two resolved after 2 h and 3 h; the P2's
    8-hour resolution target is missed; one manual escalation; one 4/5 and one 2/5 rating."""
    refs = [open_incident(desk, "P4", who=who) for who in ("alice", "bea", "zoe")]
    refs.append(open_incident(desk, "P4", who="tom"))
    assert people.sd("agent", f"/sd priority {refs[3]} P2").ok
    for minutes, ref in ((10, refs[0]), (20, refs[1]), (30, refs[2])):  # 09:10, 09:30, 10:00
        clock.advance(minutes=minutes)
        assert people.sd("bob", f"/sd take {ref}").ok
    clock.advance(hours=1)  # 11:00
    assert people.sd("bob", f"/sd resolve {refs[0]} replaced the adapter").ok
    clock.advance(hours=1)  # 12:00
    assert people.sd("bob", f"/sd resolve {refs[1]} reseated the RAM").ok
    assert people.sd("agent", f"/sd escalate {refs[2]} needs the network team").ok
    assert people.say("alice", "yes, it works").ok
    assert people.say("alice", "4 quick").ok
    assert people.say("bea", "yes").ok
    assert people.say("bea", "2").ok
    clock.advance(hours=6)  # 18:00: INC-4 (P2, opened 09:00) is past its 8-hour resolution target
    assert any("resolution breached" in line for line in sweep(desk))
    clock.advance(minutes=1)  # a period ends just before its end: the report is asked for a minute later
    return refs


def test_the_figures_a_manager_would_check(desk, clock, people):
    refs = _a_week_of_work(desk, clock, people)
    with desk.database.session() as session:
        found = figures(session, Period(since=clock.now() - timedelta(days=7), until=clock.now()))
    assert found.opened == 4 and found.by_kind["incident"] == 4
    assert found.by_queue == {"technical": 4, "application": 0, "operations": 0}
    # First responses 0, 10, 30 and 60 minutes: median 20 min, p90 (nearest rank) 60 min.
    assert (found.first_response.count, found.first_response.median_seconds, found.first_response.p90_seconds) == (
        4, 20 * 60, 60 * 60)
    # Resolved after 2 h and 3 h.
    assert (found.resolution.count, found.resolution.median_seconds, found.resolution.p90_seconds) == (
        2, 2.5 * 3600, 3 * 3600)
    # P4: three first responses and two resolutions, all in time. P2: answered at once, resolution missed.
    assert {p: (c.met, c.missed, c.percent) for p, c in found.sla.items()} == {"P2": (1, 1, 50.0), "P4": (5, 0, 100.0)}
    assert found.backlog["< 1 day"] == 2 and sum(found.backlog.values()) == 2  # INC-3 and INC-4 still open
    assert (found.escalations, found.escalations_by_sla) == (2, 1)  # by hand, and by the breach
    assert (found.csat_average, found.csat_count, found.csat_by_score[4], found.csat_by_score[2]) == (3.0, 2, 1, 1)

    text = summary(found, desk.organisation)
    assert "First response: median 20m, p90 1h 0m (4 tickets)" in text
    assert "Resolution: median 2h 30m, p90 3h 0m (2 tickets)" in text
    assert "SLA met: P2 50% (1/2), P4 100% (5/5)" in text
    assert "Escalations: 2 (1 after an SLA breach)" in text and "CSAT: 3.0/5 from 2 ratings" in text
    assert refs[0] == "INC-1"


def test_a_queue_and_a_period_narrow_the_figures(desk, clock, people):
    _a_week_of_work(desk, clock, people)
    open_incident(desk, "P3", queue="application", who="zoe")
    clock.advance(minutes=1)
    with desk.database.session() as session:
        application = figures(session, Period(clock.now() - timedelta(days=7), clock.now(), "application"))
        before = figures(session, Period(clock.now() - timedelta(days=30), clock.now() - timedelta(days=7)))
    assert application.opened == 1 and application.by_queue == {"application": 1}
    assert application.first_response.count == 0 and application.escalations == 0 and application.csat_count == 0
    assert before.empty and before.opened == 0


def test_the_chart_is_a_real_png_titled_with_the_period(desk, clock, people):
    _a_week_of_work(desk, clock, people)
    with desk.database.session() as session:
        found = figures(session, Period(clock.now() - timedelta(days=7), clock.now()))
    png = render_png(found, desk.organisation)
    assert png.startswith(PNG_MAGIC)
    assert _decode(png).shape[:2] == (900, 1500)
    assert found.period.label(desk.organisation) == "Mon 16 Nov - Mon 23 Nov 2026"


def test_an_empty_period_says_no_tickets_and_still_draws(desk, clock):
    with desk.database.session() as session:
        found = figures(session, Period(clock.now() - timedelta(days=7), clock.now()))
    assert found.empty
    assert summary(found, desk.organisation).endswith("No tickets in this period.")
    assert _decode(render_png(found, desk.organisation)).shape[:2] == (900, 1500)


def test_sd_report_answers_staff_with_the_summary_and_a_stored_chart(desk, clock, people):
    _a_week_of_work(desk, clock, people)
    reply = people.sd("maria", "/sd report 30d technical")
    assert reply.ok and reply.text.startswith("Service desk report, Sat 24 Oct - Mon 23 Nov 2026 (technical queue)")
    assert "Opened: 4" in reply.text
    with desk.database.session() as session:
        stored = session.get(ReportFile, reply.attachment["file_id"])
        assert stored.content.startswith(PNG_MAGIC)
        assert stored.filename == reply.attachment["filename"] == "report-2026-10-24-to-2026-11-23-technical.png"
    assert people.sd("agent", "/sd report").text.startswith("Service desk report, Mon 16 Nov - Mon 23 Nov 2026\n")


@pytest.mark.parametrize("words, complaint", [
    ("weekly", "'weekly' is not a period or a queue"),
    ("0d", "'0d' is not a period or a queue"),
    ("400d", "'400d' is not a period or a queue"),
])
def test_bad_words_after_report_are_explained(desk, people, words, complaint):
    reply = people.sd("agent", f"/sd report {words}")
    assert not reply.ok and reply.text.startswith(complaint) and "/sd report [7d|30d|QUEUE]" in reply.text
    assert reply.attachment is None


def test_end_users_are_refused_reports(desk, people):
    reply = people.sd("alice", "/sd report")
    assert not reply.ok and reply.text.startswith("Sorry, only support staff can see reports.")
    assert reply.attachment is None


def _reports_sent(desk) -> list[tuple[str, str, str]]:
    with desk.database.session() as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.event == "report")
                               .order_by(OutboxMessage.id)).scalars()
        return [(m.platform, m.address, m.payload["text"].splitlines()[0]) for m in rows]


def test_the_weekly_report_goes_out_once_per_week_whoever_sweeps(desk, clock, people):
    clock.advance(days=-1)  # Sunday: the desk starts; its first pass only notes the week
    assert report_posting.sweep(desk) == []
    open_incident(desk, "P3")
    clock.advance(days=1)  # Monday 09:00: an hour past the weekly time (Monday 08:00)
    done = report_posting.sweep(desk)
    assert done == ["weekly report Mon 16 Nov - Mon 23 Nov 2026 sent to #managers, C0MANAGERS, 1100000000000000004"]
    title = "Service desk report, Mon 16 Nov - Mon 23 Nov 2026"
    assert _reports_sent(desk) == [("console", "#managers", title), ("slack", "C0MANAGERS", title),
                                   ("discord", "1100000000000000004", title)]

    clock.advance(minutes=30)
    replica = Desk(organisation=desk.organisation, database=desk.database, classifier=desk.classifier, clock=clock)
    assert report_posting.sweep(desk) == [] and report_posting.sweep(replica) == []
    assert len(_reports_sent(desk)) == 3  # not twice

    clock.advance(days=7)
    assert len(report_posting.sweep(desk)) == 1
    assert [t for _, _, t in _reports_sent(desk)][3:] == ["Service desk report, Mon 23 Nov - Mon 30 Nov 2026"] * 3


def test_no_weekly_channels_means_no_weekly_report(desk, clock):
    quiet = desk.organisation.model_copy(update={"reports": desk.organisation.reports.model_copy(
        update={"weekly": desk.organisation.reports.weekly.model_copy(update={"channels": {}})})})
    silent = Desk(organisation=quiet, database=desk.database, classifier=desk.classifier, clock=clock)
    clock.advance(days=7)
    assert report_posting.sweep(silent) == [] and _reports_sent(desk) == []
