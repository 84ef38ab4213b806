"""Dates in an access request's words: when access should start and end, and the days said back.

- An end date ends access at the end of that day, in the organisation's time zone
  (`business_hours.timezone`): "until the end of the year", "till Friday", "until 31 December",
  "to the 15th", "until tomorrow", "for the rest of the month", "until 2027-01-15". The end of the
  week is Friday (the working week; Sunday when said at the weekend).
- A start date starts it at the beginning of that day: "tomorrow", "from Monday", "starting 14
  December", "next week" (its Monday), "from next month" (its 1st). Today or earlier is no start.
  An end said with a start counts from the start ("from Monday until Friday": that week).
- "until further notice", "permanently", "indefinitely", "no end date": open-ended. Access here
  always ends (handlers.access_window gives the resource's default and says so).

Days are said back as people read them: "Thu 31 Dec" (with the year when it is not this year's).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = (r"(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?"
            r"|sun(?:day)?)\b")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_PERIOD = r"(?:day|week|month|quarter|year)"
# A day, as the words name it (the forms `_day` reads).
_DAY = (rf"(?:\d{{4}}-\d{{2}}-\d{{2}}"
        rf"|(?:the\s+)?{_ORDINAL}(?:\s+of)?\s+{_MONTH}(?:,?\s+\d{{4}})?"
        rf"|{_MONTH}\s+(?:the\s+)?{_ORDINAL}\b(?:,?\s+\d{{4}})?"
        rf"|the\s+\d{{1,2}}(?:st|nd|rd|th)\b"
        rf"|(?:next\s+|this\s+|this\s+coming\s+)?{_WEEKDAY}"
        rf"|(?:the\s+)?day\s+after\s+tomorrow\b|tomorrow\b|today\b|tonight\b)")
_END_OF = (rf"(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+|this\s+|next\s+|the\s+next\s+|(?:the\s+)?calendar\s+)?"
           rf"(?:{_PERIOD}\b|{_MONTH})|(?:the\s+)?(?:year|month|week|quarter)[-\s]?end\b"
           rf"|(?:the\s+)?rest\s+of\s+(?:the\s+|this\s+)?{_PERIOD}\b)")
_END = re.compile(rf"\b(?:until|till|til|'til|untill|through|thru|to|up\s+to|ending|ends?|expiring)\s+"
                  rf"(?:and\s+including\s+|including\s+)?(?P<day>{_END_OF}|{_DAY})", re.I)
_FOR_REST = re.compile(rf"\bfor\s+(?P<day>(?:the\s+)?rest\s+of\s+(?:the\s+|this\s+)?{_PERIOD}\b"
                       rf"|this\s+(?:week|month|year)\b)", re.I)
_START = re.compile(rf"\b(?:from|starting(?:\s+(?:on|from))?|start(?:s|ing)?\s+on|beginning(?:\s+on)?|as\s+of|"
                    rf"as\s+from|effective(?:\s+from)?)\s+(?P<day>next\s+(?:week|month)\b|{_DAY})", re.I)
_BARE_START = re.compile(r"(?<!\w)(?P<before>(?:until|till|til|to|through|thru)\s+)?"
                         r"(?P<day>(?:the\s+)?day\s+after\s+tomorrow|tomorrow|next\s+week|next\s+month)\b", re.I)
_OPEN = re.compile(r"\b(?:until|till)\s+further\s+notice\b|\bpermanent(?:ly)?\b|\bindefinite(?:ly)?\b|\bforever\b"
                   r"|\bfor\s+good\b|\bno\s+end\s+date\b|\bopen[-\s]?ended\b|\bno\s+expiry\b|\bnever\s+expires?\b"
                   r"|\buntil\s+(?:i|they|he|she|we)\s+leaves?\b|\buntil\s+(?:it'?s\s+)?revoked\b", re.I)
_MONTH_NUMBERS = {name[:3].lower(): number for number, name in enumerate(calendar.month_name) if name}


@dataclass(frozen=True)
class Dates:
    """What a message says about when: moments in UTC; spans of the words, for the justification."""

    starts_at: datetime | None = None  # None: as soon as it is given
    ends_at: datetime | None = None  # None: no end date said
    open_ended: bool = False
    spans: tuple[tuple[int, int], ...] = ()


def dates_in(text: str, *, now: datetime, zone: tzinfo = timezone.utc, after: datetime | None = None) -> Dates:
    """The start, end or open end a text gives (`after`: a start already known, which an end
    date counts from)."""
    today = now.astimezone(zone).date()
    spans: list[tuple[int, int]] = []
    starts_at = None
    start = _START.search(text)
    bare = None if start else next((m for m in _BARE_START.finditer(text)
                                    if not m.group("before") and not _inside(m, _END, text)), None)
    for match in (start, bare):
        if match is not None:
            day = _start_day(match.group("day"), today)
            spans.append(match.span())
            if day is not None and day > today:
                starts_at = _midnight(day, zone)
            break
    known = starts_at or after
    reference = known.astimezone(zone).date() if known is not None and known.astimezone(zone).date() > today \
        else None
    ends_at = None
    end = _END.search(text) or _FOR_REST.search(text)
    if end is not None:
        last = _end_day(end.group("day"), reference or today, inclusive=reference is not None)
        if last is not None:
            spans.append(end.span())
            ends_at = _midnight(last + timedelta(days=1), zone)
    open_end = _OPEN.search(text) if ends_at is None else None
    if open_end:
        spans.append(open_end.span())
    return Dates(starts_at, ends_at, bool(open_end), tuple(spans))


def says_when(text: str) -> bool:
    """Whether a text gives an end date or an open end (an answer to "How long?")."""
    return bool(_END.search(text) or _FOR_REST.search(text) or _OPEN.search(text))


def day_text(moment: datetime, zone: tzinfo, *, now: datetime, last: bool = False) -> str:
    """"Thu 31 Dec" (the day of `moment`; with `last`, the day that ends at `moment`)."""
    local = moment.astimezone(zone)
    midnight = local.time() == time(0)
    day = local - timedelta(days=1) if last and midnight else local
    text = f"{day:%a} {day.day} {day:%b}"
    if day.year != now.astimezone(zone).year:
        text += f" {day.year}"
    return text if midnight else f"{text} {local:%H:%M}"


# Inside.

def _inside(match: re.Match, pattern: re.Pattern, text: str) -> bool:
    return any(other.start() <= match.start() < other.end() for other in pattern.finditer(text))


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def _start_day(words: str, today: date) -> date | None:
    words = " ".join(words.lower().split())
    if words.endswith("day after tomorrow"):
        return today + timedelta(days=2)
    if words == "next week":
        return today + timedelta(days=7 - today.weekday())
    if words == "next month":
        return _add_months(today.replace(day=1), 1)
    return _day(words, today, inclusive=False)


def _end_day(words: str, reference: date, *, inclusive: bool) -> date | None:
    """The last day an end phrase names, counted from `reference` (today, or the start)."""
    words = " ".join(re.sub(r"(?<=[a-z])-(?=[a-z])", " ", words.lower()).split())
    words = re.sub(r"^the ", "", words)
    period = re.search(r"\b(day|week|month|quarter|year)\b", words)
    if re.match(r"(end|close|rest) of|(year|month|week|quarter) ?end", words) and period:
        ahead = 1 if re.search(r"\bnext\b", words) else 0
        return _period_end(period.group(1), reference, ahead)
    month = re.match(rf"(?:end|close) of (?:the )?({_MONTH})", words)
    if month:
        number = _MONTH_NUMBERS[month.group(1)[:3]]
        year = reference.year + (1 if number < reference.month else 0)
        return date(year, number, calendar.monthrange(year, number)[1])
    if words.startswith("this ") and words.split()[1] in ("week", "month", "year"):
        return _period_end(words.split()[1], reference, 0)
    return _day(words, reference, inclusive=inclusive)


def _period_end(period: str, reference: date, ahead: int) -> date:
    if period == "day":
        return reference
    if period == "week":
        friday = reference + timedelta(days=(4 - reference.weekday()) % 7 if reference.weekday() <= 4 else
                                       6 - reference.weekday())
        return friday + timedelta(days=7 * ahead)
    if period == "month":
        first = _add_months(reference.replace(day=1), ahead)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if period == "quarter":
        first = _add_months(reference.replace(day=1), 3 * ahead)
        last_month = (first.month - 1) // 3 * 3 + 3
        return date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])
    return date(reference.year + ahead, 12, 31)


def _day(words: str, reference: date, *, inclusive: bool) -> date | None:
    """A named day on or after `reference` (a weekday: the next one, or `reference` itself when
    `inclusive`); a date without a year is the next such date."""
    words = " ".join(words.lower().replace(",", " ").replace(".", " ").split())
    if words in ("today", "tonight"):
        return reference
    if words == "tomorrow":
        return reference + timedelta(days=1)
    if words.endswith("day after tomorrow"):
        return reference + timedelta(days=2)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", words)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    weekday = re.fullmatch(r"(?:(next|this|this coming) )?([a-z]+)", words)
    if weekday and (name := next((d for d in WEEKDAYS if d.startswith(weekday.group(2)[:3])), None)) \
            and re.fullmatch(_WEEKDAY, weekday.group(2)):
        ahead = (WEEKDAYS.index(name) - reference.weekday()) % 7
        return reference + timedelta(days=ahead if ahead or inclusive else 7)
    number = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", words)
    month = re.search(rf"\b({_MONTH})", words)
    year = re.search(r"\b(\d{4})\b", words)
    if number is None:
        return None
    day = int(number.group(1))
    if month is None:  # "the 15th": this month's, or next month's when it has passed
        for ahead in range(13):
            first = _add_months(reference.replace(day=1), ahead)
            if day <= calendar.monthrange(first.year, first.month)[1] and first.replace(day=day) >= reference:
                return first.replace(day=day)
        return None
    number_of_month = _MONTH_NUMBERS[month.group(1)[:3]]
    years = [int(year.group(1))] if year else [reference.year, reference.year + 1]
    for candidate_year in years:
        try:
            found = date(candidate_year, number_of_month, day)
        except ValueError:
            return None
        if year or found >= reference:
            return found
    return None


def _add_months(first: date, months: int) -> date:
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, 1)
