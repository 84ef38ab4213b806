"""Reports reaching people: `/sd report [7d|30d|QUEUE]` and the weekly report to management.

The chart is stored in the database (storage.reports) and an outbox message carries its id under
`attachment`, so whichever replica relays it can deliver the file, after a restart too. Each
front end's sender delivers it its own way: Slack uploads it, Discord attaches it, the console
saves it under ./var/reports/ (or $SERVICEDESK_REPORT_DIR) and prints the path.

The weekly report is a sweep: at the first pass after the weekday and time set in app.yaml
(`reports.weekly`), the past seven days go to the channels set there. A `reports_sent` row keyed
by the week is written first, in the same transaction, so a second replica (or a second pass)
fails on the key and sends nothing; a desk that was down sends the missed week when it is back.
A desk that has never sent one starts at the next scheduled time (its first pass only notes the
current week), so installing or upgrading it does not post a report about the past at once.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, require_staff
from handlers.messages import Reply
from handlers.organisation import QUEUES, Organisation
from handlers.report_chart import render_png
from handlers.reports import Figures, Period, figures, summary
from storage import outbox
from storage import reports as stored

log = logging.getLogger(__name__)
ATTACHMENT = "attachment"  # outbox payload key: {"file_id", "filename", "title"}
DEFAULT_DAYS = 7
MAX_DAYS = 366
KEEP_FILES = timedelta(days=30)
WEEKLY = "weekly:"  # reports_sent keys: weekly:<the day the period ends, UTC>
USAGE = "report [7d|30d|QUEUE]"


@dataclass(frozen=True)
class Attachment:
    filename: str
    title: str
    content: bytes
    content_type: str = "image/png"


# /sd report

def run(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    """`/sd report`, `/sd report 30d`, `/sd report technical`, `/sd report 30d technical`."""
    require_staff(actor, None, "see reports")
    now = desk.clock.now()
    days, queue = parse_scope(rest)
    period = Period(since=now - timedelta(days=days), until=now, queue=queue)
    text, attachment = build(session, desk, period)
    return Reply(text, attachment=attachment)


def parse_scope(rest: str) -> tuple[int, str | None]:
    """Words after `report`: a number of days (`7d`, `30d`) and/or a queue, in any order; one of
    each at most (`7d 30d` or two queues are a mistake to point out, not a choice to make)."""
    days, queue = DEFAULT_DAYS, None
    period_word = None
    for word in rest.lower().split():
        match = re.fullmatch(r"(\d{1,4})d(ays?)?", word)
        if match and 1 <= int(match[1]) <= MAX_DAYS:
            if period_word is not None:
                raise DeskError(f"'{period_word}' and '{word}' are both periods; give one, e.g. /sd report {word}. "
                                f"Usage: /sd {USAGE}.")
            days, period_word = int(match[1]), word
        elif word in QUEUES:
            if queue is not None:
                raise DeskError(f"'{queue}' and '{word}' are both queues, and a report covers one queue or all of "
                                f"them; give one, e.g. /sd report {word}, or none for every queue.")
            queue = word
        else:
            raise DeskError(f"'{word[:40]}' is not a period or a queue. Usage: /sd {USAGE}, e.g. /sd report 30d "
                            f"technical (periods 1d to {MAX_DAYS}d; queues {', '.join(QUEUES)}).")
    return days, queue


def compose(session: Session, organisation: Organisation, period: Period) -> tuple[Figures, str, bytes]:
    """A period's figures, their summary and the chart (PNG bytes)."""
    found = figures(session, period)
    return found, summary(found, organisation), render_png(found, organisation)


def file_name(organisation: Organisation, period: Period) -> str:
    zone = ZoneInfo(organisation.business_hours.timezone)
    return (f"report-{period.since.astimezone(zone):%Y-%m-%d}-to-{(period.until - timedelta(microseconds=1)).astimezone(zone):%Y-%m-%d}"
            f"{'-' + period.queue if period.queue else ''}.png")


def build(session: Session, desk: Desk, period: Period) -> tuple[str, dict]:
    """The summary and the stored chart of a period (the chart's reference for the outbox)."""
    _found, text, png = compose(session, desk.organisation, period)
    name = file_name(desk.organisation, period)
    row = stored.store_file(session, filename=name, content=png, at=desk.clock.now())
    title = text.splitlines()[0]
    return text, {"file_id": row.id, "filename": name, "title": title}


# Delivery.

def share(desk: Desk, *, platform: str, destination: str, address: str, text: str, attachment: dict,
          thread: str | None = None, event: str = "report") -> None:
    """Queue a message with a report's chart (a front end whose answers don't pass the outbox
    queues the chart this way: Discord's interaction answers, the console's replies)."""
    with desk.database.session() as session:
        outbox.enqueue(session, platform=platform, destination=destination, address=address, thread=thread,
                       event=event, payload={"text": text, ATTACHMENT: attachment}, at=desk.clock.now())


def attachment_of(desk: Desk, payload: dict) -> Attachment | None:
    """The file an outbox message carries (None: it has none, or it was purged)."""
    reference = payload.get(ATTACHMENT)
    if not reference:
        return None
    with desk.database.session() as session:
        row = stored.load_file(session, int(reference["file_id"]))
        if row is None:
            log.warning("report file %s is gone; sending the text only", reference.get("file_id"))
            return None
        return Attachment(filename=row.filename, title=reference.get("title") or row.filename,
                          content=bytes(row.content), content_type=row.content_type)


# The weekly report.

def weekly_slot(desk: Desk, now: datetime) -> tuple[datetime, datetime]:
    """The latest scheduled moment at or before `now`, and the one a week before it (UTC)."""
    weekly = desk.organisation.reports.weekly
    zone = ZoneInfo(desk.organisation.business_hours.timezone)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekly.weekday) % 7)
    slot = datetime.combine(day, weekly.at, tzinfo=zone)
    if slot > local:
        day -= timedelta(days=7)
        slot = datetime.combine(day, weekly.at, tzinfo=zone)
    before = datetime.combine(day - timedelta(days=7), weekly.at, tzinfo=zone)
    return slot.astimezone(ZoneInfo("UTC")), before.astimezone(ZoneInfo("UTC"))


def sweep(desk: Desk) -> list[str]:
    """Send the weekly report once per week, to every channel in `reports.weekly.channels`."""
    channels = desk.organisation.reports.weekly.channels
    if not channels:
        return []
    now = desk.clock.now()
    until, since = weekly_slot(desk, now)
    key = f"{WEEKLY}{until.date().isoformat()}"
    with desk.database.session() as session:
        if stored.was_sent(session, key):
            return []
        first = not stored.any_sent(session, prefix=WEEKLY)
    try:
        with desk.database.session() as session:
            stored.mark_sent(session, key=key, at=now, file_id=None)  # first: the key (and the write lock)
            if first:  # a new desk starts with the next week, not with a report about the past one
                return []
            period = Period(since=since, until=until)
            text, attachment = build(session, desk, period)
            for platform, address in channels.items():
                outbox.enqueue(session, platform=platform, destination="channel", address=address, event="report",
                               payload={"text": text, ATTACHMENT: attachment}, at=now)
            session.get(stored.ReportSent, key).file_id = attachment["file_id"]
            stored.purge_files(session, before=now - KEEP_FILES)
    except IntegrityError:  # another replica sent it a moment ago
        return []
    return [f"weekly report {period.label(desk.organisation)} sent to {', '.join(channels.values())}"]
