"""The service catalog at work: which item a request reads like, what its first message already
says, whether a typed answer fits a field, and the list `/sd catalog` shows.

Which item a request reads like is handlers/catalog_match.py (`best_match`, re-exported here).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog_config import CatalogField, CatalogItem
from handlers.catalog_match import Match as Match, best_match as best_match  # re-exported
from handlers.organisation import Organisation

_YES = frozenset("y yes yep yeah yup sure correct right ok okay exactly".split())
_YES_PHRASES = frozenset({"yes please", "that's right", "thats right", "that is right", "yes that's right", "yes it is"})
_NO = frozenset("n no nope nah wrong incorrect".split())
_NO_PHRASES = frozenset({"no thanks", "not really", "that's wrong", "no it isn't", "no it's not", "not quite"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$")
_D_MON = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?$")
_MON_D = re.compile(r"^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_ANSWER_START = re.compile(
    r"^\s*(?:because|since|so\b|as\b|to\b|for\b|in order|it\b|it'?s\b|its\b|this\b|that\b|they\b|mine\b|"
    r"(?:my|the|our) (?:old|current|existing|previous) one|one\b|(?:i|we)(?:'ll| will)? need (?:it|one|them)|"
    r"needed|replac|new (?:starter|hire|joiner)|broken)", re.IGNORECASE)
_QUANTITIES = frozenset("a an one two three four five six seven eight nine ten some several our my the old".split())
_TELLING = frozenset(
    "i we you is are was were isn't aren't wasn't won't can't cannot doesn't don't didn't keeps keep kept "
    "stopped stops broke crashed crashes fails failed need needs want wants please could can would should "
    "install reset restore give get set help".split())
DATE_HINT = "a date such as 2026-11-30, 30/11, 30 Nov, today, tomorrow, yesterday, next Friday or last Monday"
WEEK = timedelta(days=7)


def date_examples(when: str | None, today: date | None = None) -> str:
    """The examples a date field's question gives, on the side of today its `when` asks for (a
    date a week back or ahead when today is known)."""
    if when == "past":
        day = f" or {_day_month(today - WEEK)}" if today else ""
        return f"today or earlier, e.g. yesterday, last Friday{day}"
    if when == "future":
        day = f" or {_day_month(today + WEEK)}" if today else ""
        return f"today or later, e.g. tomorrow, next Friday{day}"
    return "e.g. 30 Nov, tomorrow or next Friday"


def _day_month(day: date) -> str:
    return f"{day.day} {day:%b}"  # 16 Nov


def _date_hint(when: str | None, today: date) -> str:
    """What a date answer that cannot be read is told would do."""
    if when == "past":
        return f"a day that has passed or today, such as yesterday, last Monday or {today - WEEK:%Y-%m-%d}"
    if when == "future":
        return f"today or a day to come, such as tomorrow, next Friday or {today + WEEK:%Y-%m-%d}"
    return DATE_HINT


class NotAnAnswer(ValueError):
    """The text does not fit the field; the message says what would."""


class WrongDay(NotAnAnswer):
    """The text is a date, on the wrong side of today for the field (`when`): it is an answer,
    and the question is asked again saying why."""


def listing(organisation: Organisation) -> str:
    """What `/sd catalog` shows: each item, what it needs and who approves it."""
    items = organisation.catalog.items
    if not items:
        return "The service catalog is empty; tell me what you need and I'll pass it to the right team."
    lines = ["What you can ask for (just tell me, e.g. \"I need Visio installed\"):"]
    for item in items:
        approval = {"none": "no approval", "manager": "your manager approves"}.get(
            item.approval if isinstance(item.approval, str) else "", f"approved by {', '.join(item.approval)}")
        target = f", usually within {item.target}" if item.target else ""
        asks = f"; I'll ask for {', '.join(f.name for f in item.fields)}" if item.fields else ""
        lines.append(f"  • {item.name}: {item.description or item.name} ({approval}{target}{asks})")
    return "\n".join(lines)


def prefill(item: CatalogItem, text: str, *, today: date) -> dict[str, str]:
    """Fields the first message already answers: a choice it names (exactly one), or what the
    field's `extract` expression finds, when that is a valid answer."""
    found: dict[str, str] = {}
    for field in item.fields:
        value = _choice_named(field, text) if field.type == "choice" else _extracted(field, text)
        if value is None:
            continue
        try:
            found[field.name] = parse_answer(field, value, today=today)
        except NotAnAnswer:
            continue
    return found


def _choice_named(field: CatalogField, text: str) -> str | None:
    lowered = f" {_words(text)} "
    named = [choice for choice in field.choices if f" {_words(choice)} " in lowered]
    longest = max(named, key=len, default=None)  # "virtual desktop" names "desktop" too
    if longest is None or any(_words(other) not in _words(longest) for other in named):
        return None
    return longest


def _extracted(field: CatalogField, text: str) -> str | None:
    if not field.extract:
        return None
    match = re.search(field.extract, text)
    if match is None:
        return None
    return next((group.strip() for group in match.groups() if group and group.strip()), None)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.+#/-]+", " ", text.lower()).split())


def yes_or_no(text: str) -> str | None:
    words = " ".join(re.sub(r"[.!,]+", " ", text.lower()).split())
    if words in _YES or words in _YES_PHRASES:
        return "yes"
    if words in _NO or words in _NO_PHRASES:
        return "no"
    return None


def question(field: CatalogField, *, today: date | None = None) -> str:
    """A field's question, with what fits it (a date's examples on the right side of `today`)."""
    hint = {"choice": f" ({', '.join(field.choices)})", "yes_no": " (yes or no)",
            "date": f" ({date_examples(field.when, today)})", "number": " (a number)"}.get(field.type, "")
    return f"{field.prompt}{hint}{'' if field.required else ' You can say skip.'}"


def starts_like_answer(text: str) -> bool:
    """Whether a message starts like the answer to a detail of the request being asked about: a
    reason ("because ...", "for the ...", "I need it for ..."), words pointing back at the thing
    asked for ("it ...", "the old one ...", "replacement ..."), or a list of things that asks and
    tells nothing ("2 monitors and an old laptop", answering "What should we collect?")."""
    return bool(_ANSWER_START.match(text)) or _lists_things(text)


def _lists_things(text: str) -> bool:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return bool(words) and (words[0].isdigit() or words[0] in _QUANTITIES) and not _TELLING & set(words)


def names_application(organisation: Organisation, text: str) -> bool:
    """Whether the text names one of the organisation's applications (nlp.applications)."""
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
               for name in organisation.nlp.applications)


def parse_answer(field: CatalogField, text: str, *, today: date) -> str:
    """The stored form of a typed answer, or NotAnAnswer saying what the field takes."""
    value = " ".join(text.split()).strip()
    if not value:
        raise NotAnAnswer(f"I need an answer for {field.name}.")
    if field.type == "choice":
        return _choice(field, value)
    if field.type == "yes_no":
        answer = yes_or_no(value)
        if answer is None:
            raise NotAnAnswer("Please answer yes or no.")
        return answer
    if field.type == "number":
        if not _NUMBER.match(value):
            raise NotAnAnswer(f"'{value[:40]}' is not a number; answer with digits, e.g. 2.")
        return value.replace(",", ".")
    if field.type == "date":
        return _on_its_side(field, value, parse_date(value, today=today, when=field.when), today).isoformat()
    return value[:1000]


def _on_its_side(field: CatalogField, value: str, day: date, today: date) -> date:
    """The day, when it is on the side of today the field's `when` asks for (WrongDay says why not:
    a backup to restore has to exist already, a pickup cannot happen in the past)."""
    if field.when == "past" and day > today:
        raise WrongDay(f"'{value[:40]}' is {day:%a %d %b %Y}, which hasn't come yet: I need today or a day "
                       f"before it.")
    if field.when == "future" and day < today:
        raise WrongDay(f"'{value[:40]}' is {day:%a %d %b %Y}, which has already passed: I need today or a "
                       f"later day.")
    return day


def _choice(field: CatalogField, value: str) -> str:
    wanted = _words(value).strip(" .")
    if wanted.isdigit() and 1 <= int(wanted) <= len(field.choices):
        return field.choices[int(wanted) - 1]  # the console numbers the choices
    exact = [c for c in field.choices if _words(c) == wanted]
    starts = [c for c in field.choices if _words(c).startswith(wanted)] if len(wanted) >= 3 else []
    found = exact or starts
    if len(found) == 1:
        return found[0]
    raise NotAnAnswer(f"'{value[:40]}' is not one of the choices; answer with one of: {', '.join(field.choices)}.")


def parse_date(value: str, *, today: date, when: str | None = None) -> date:
    """A date as people type it; day/month order is European (30/11). `when` (a field's
    direction: past or future) makes a date typed without a year the nearest one (20 Dec, typed in
    January, is last December's) and a bare weekday the last one for a past field (Friday, for a
    restore); it does not move a day the words fix (next Friday, tomorrow)."""
    text = value.lower().strip(" .")
    hint = _date_hint(when, today)
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if text in relative:
        return today + timedelta(days=relative[text])
    step, _, day_name = text.rpartition(" ")
    if day_name in WEEKDAYS and step in ("", "next", "this", "on", "last"):
        offset = (WEEKDAYS.index(day_name) - today.weekday()) % 7
        if step == "last" or (when == "past" and step in ("", "on")):
            return today - timedelta(days=(today.weekday() - WEEKDAYS.index(day_name)) % 7 or 7)
        return today + timedelta(days=offset or 7)
    try:
        if match := _ISO.match(text):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _DMY.match(text):
            if match.group(3):
                year = int(match.group(3))
                return date(year + 2000 if year < 100 else year, int(match.group(2)), int(match.group(1)))
            return _in_year(today, int(match.group(2)), int(match.group(1)), when)
        if (match := _D_MON.match(text)) and match.group(2) in MONTHS:
            month, day = MONTHS.index(match.group(2)) + 1, int(match.group(1))
            return date(int(match.group(3)), month, day) if match.group(3) else _in_year(today, month, day, when)
        if (match := _MON_D.match(text)) and match.group(1) in MONTHS:
            month, day = MONTHS.index(match.group(1)) + 1, int(match.group(2))
            return date(int(match.group(3)), month, day) if match.group(3) else _in_year(today, month, day, when)
    except ValueError:
        raise NotAnAnswer(f"'{value[:40]}' is not a real date; answer with {hint}.") from None
    raise NotAnAnswer(f"I can't read '{value[:40]}' as a date; answer with {hint}.")


def _in_year(today: date, month: int, day: int, when: str | None) -> date:
    """A day and month typed without a year: this year's; for a field with a direction, the nearest
    one (20 Dec typed on 5 January is last December's, 5 Jan typed in December next January's;
    1 Dec typed on 7 December stays, and a pickup then hears it has passed)."""
    found = date(today.year, month, day)
    if when is None:
        return found
    candidates = [found]
    for year in (today.year - 1, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 Feb
            continue
    return min(candidates, key=lambda candidate: abs((candidate - today).days))


def local_today(organisation: Organisation, now: datetime) -> date:
    """Today where the desk works (business_hours.timezone), for "today", "tomorrow"."""
    return now.astimezone(ZoneInfo(organisation.business_hours.timezone)).date()
