"""`servicedesk report --since DATE [--until DATE] [--queue Q] [--out FILE.png] [--json]`: the
report of `/sd report` for any period, from the command line (cron, a manager's laptop).

Dates are local dates on the organisation's calendar (`business_hours.timezone`): `--since
2026-11-16 --until 2026-11-22` covers both days whole. An ISO time with a zone (or Z) is taken
as it is. `--until` defaults to now.
"""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.organisation import Organisation
from handlers.report_posting import compose
from handlers.reports import Period
from storage.database import Database

EXIT_USAGE = 2
EXIT_FAILED = 1


class BadArgument(ValueError):
    """A value the user typed that cannot be used; the message says which and why."""


def parse_moment(text: str, *, option: str, organisation: Organisation, end_of_day: bool = False) -> datetime:
    """A date (local midnight; with `end_of_day`, the midnight after it) or an ISO time."""
    value = text.strip()
    zone = ZoneInfo(organisation.business_hours.timezone)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is not None and len(value) == 10:
        moment = datetime.combine(day + timedelta(days=1 if end_of_day else 0), time(0), tzinfo=zone)
        return moment.astimezone(timezone.utc)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadArgument(f"{option}: {text!r} is not a date (expected YYYY-MM-DD, e.g. 2026-11-16, or an ISO "
                          f"time such as 2026-11-16T09:00+00:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


def period_of(args, organisation: Organisation, *, now: datetime) -> Period:
    since = parse_moment(args.since, option="--since", organisation=organisation)
    until = (parse_moment(args.until, option="--until", organisation=organisation, end_of_day=True)
             if args.until else now)
    if since >= until:
        raise BadArgument(f"--since ({args.since}) must be before --until ({args.until or 'now'})")
    return Period(since=since, until=until, queue=args.queue)


def report_command(database: Database, organisation: Organisation, args, *, now: datetime | None = None,
                   out=sys.stdout, err=sys.stderr) -> int:
    try:
        period = period_of(args, organisation, now=now or datetime.now(timezone.utc))
    except BadArgument as exc:
        print(f"servicedesk: {exc}", file=err)
        return EXIT_USAGE
    with database.session() as session:
        found, text, png = compose(session, organisation, period)
    if args.out:
        path = Path(args.out)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        except OSError as exc:
            print(f"servicedesk: cannot write the chart to {path}: {exc.strerror or exc}", file=err)
            return EXIT_FAILED
    if args.json:
        print(json.dumps({**found.as_dict(), "summary": text, "chart": args.out}, indent=2), file=out)
    else:
        print(text, file=out)
        if args.out:
            print(f"chart written to {args.out}", file=out)
    return 0
