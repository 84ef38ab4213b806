"""Reading an access request's words: grant, revoke or extend; for whom; how long; why.

"I need access to Salesforce to work on the Q4 pipeline" → grant, Salesforce, the writer, no
duration yet, justification "work on the Q4 pipeline". "Remove Tom's access to the finance share"
→ revoke for tom. "Give Tom access to production SSH for 2 weeks because he is on call" → grant
for tom, 14 days, "he is on call".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from handlers.access_config import known_name, match_resource
from handlers.new_matter import reads_as_new_matter

REVOKE = re.compile(r"\b(remove|revoke|take away|withdraw|disable|cancel|end)\b.*\baccess\b|\brevoke\b", re.I)
_EXTEND = re.compile(r"\b(extend|prolong|renew|keep)\b.*\baccess\b|\bextension\b", re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "couple of": 2}
_UNITS = {"h": 3600, "hr": 3600, "hour": 3600, "d": 86400, "day": 86400, "w": 604800, "wk": 604800,
          "week": 604800, "month": 2592000, "mo": 2592000}
_DURATION = re.compile(
    r"(?:\bfor\s+)?\b(?P<n>\d{1,4}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\s*"
    r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mo)\b", re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNTIL = re.compile(r"\b(?:until|till|through|to)\s+(?:next\s+)?(?P<day>" + "|".join(_WEEKDAYS)
                    + r"|tomorrow|\d{4}-\d{2}-\d{2})\b", re.I)
_FOR_WHOM = [
    re.compile(r"\b(?:give|grant|add|remove|revoke|extend)\s+(?P<name>[\w.-]+?)(?:'s|’s)?\s+(?:access|permissions?)\b", re.I),
    re.compile(r"\b(?P<name>[\w.-]+?)(?:'s|’s)\s+access\b", re.I),
    re.compile(r"\bfor\s+(?:my\s+(?:colleague|teammate|report|new starter)\s+)?(?P<name>[\w.-]+)\b", re.I),
]
_NOT_NAMES = {"me", "myself", "us", "the", "a", "an", "my", "our", "work", "this", "that", "it", "now", "today",
              "tomorrow", "him", "her", "them", "you", "i", "access", "approval", "project", "audit", "a while",
              "everyone", "all", "please", "some", "while", "team", "q1", "q2", "q3", "q4"}
_SELF = {"me", "myself", "my", "i"}
_REASON = re.compile(r"\b(because|since|so that|in order to|as|to|for)\s+", re.I)
_LEAD_IN = re.compile(r"(?:\b(?:access|permissions?|rights?|login|account)\s+)?(?:\b(?:to|on|for|in|into)\s+)?"
                      r"(?:\b(?:the|our|my)\s+)?$", re.I)


# What a message asks access to when it is none of the configured resources ("access to the Jira
# project ABC" → "Jira project ABC"): the words after "access to", or after "need/want/get", up to a
# reason, a duration, a beneficiary or the end of the clause, without filler words.
_WANTED = [re.compile(r"\b(?:access|permissions?|rights?|login|account|log|sign)(?:\s+(?:in|on))?"
                      r"\s+(?:to|on|for|in|into|at)\s+(?P<what>.+)", re.I | re.S),
           re.compile(r"\b(?:need|want|get|request(?:ing)?|like|have)\s+(?P<what>.+)", re.I | re.S)]
_WANTED_END = re.compile(r"\b(?:because|since|so|in order|to|for|until|till|as|please|pls|asap|thanks?|starting|"
                         r"from|by|which|that|who|if|when|while|and then|but)\b|[.,;:!?()\n]", re.I)
_FILLER = {"i", "me", "my", "we", "us", "our", "need", "needs", "want", "get", "have", "can", "could", "would", "like",
           "access", "permission", "permissions", "right", "rights", "login", "account", "to", "on", "in", "into",
           "the", "a", "an", "some", "any", "request", "requesting", "give", "grant", "add", "hi", "hello", "hey", "it",
           "this", "something", "stuff", "thing", "things", "system", "systems", "new", "you", "with", "and", "be",
           "able", "also", "too", "just", "now", "again", "more", "help", "there", "all", "of", "your", "kindly",
           "urgently", "urgent", "quick", "quickly", "is", "am", "are", "do", "does", "extend", "remove", "revoke"}
_REASON_START = re.compile(r"^\s*(?:because|since|so\b|to\b|for\b|as\b|in order|it'?s for|it is for|"
                           r"i need it|we need it|i'?ll need it|needed)", re.I)


@dataclass
class Parsed:
    action: str  # grant | revoke | extend
    resource: str | None
    beneficiary: str | None  # None: the writer
    duration_seconds: int | None
    justification: str | None


def parse(organisation, text: str, *, now: datetime) -> Parsed:
    action = "revoke" if REVOKE.search(text) else "extend" if _EXTEND.search(text) else "grant"
    spans: list[tuple[int, int]] = []
    found = match_resource(organisation.access, text)
    if found:
        _, hit = found
        spans.append((hit.start() - len(_LEAD_IN.search(text[: hit.start()]).group(0)), hit.end()))
    duration, where = duration_in(text, now=now)
    if where:
        spans.append(where)
    beneficiary, who = _beneficiary(organisation, text, spans)
    if who:
        spans.append(who)
    return Parsed(action, found[0] if found else None, beneficiary, duration,
                  justification_in(text, spans) if action != "revoke" else None)


def wanted_in(text: str) -> str | None:
    """What the text asks access to, in its own words, or None when it names nothing at all
    ("I need access please")."""
    for pattern in _WANTED:
        for match in pattern.finditer(text):
            what = match.group("what")
            end = _WANTED_END.search(what)
            words = (what[: end.start()] if end else what).split()
            while words and words[0].lower().strip("'’") in _FILLER:
                words.pop(0)
            while words and words[-1].lower().strip("'’") in _FILLER:
                words.pop()
            if words and not all(w.lower() in _FILLER for w in words):
                return " ".join(words[:8])[:80]
    return None


def opens_new_matter(desk, asking: str, resource: str | None, text: str, classification) -> bool:
    """Whether a message written while an access request waits for an answer to `asking` (about
    `resource`) opens something new instead.
    Only a message that reads as a new matter (handlers.new_matter) can; then, by question:
    - resource: it is new when the model reads it as another kind of matter (an incident, a
      service request); an access request is the answer to "What do you need access to?".
    - duration: it is the answer when it has a length of time in it, names no other resource and
      is an access request or starts with the length ("I need it for 2 weeks", "2 weeks, for the
      audit"); otherwise it is new ("I need prod ssh", "VPN has been down for 2 hours").
    - justification is free text, so nearly anything could be a reason: it is new only when it
      names a different configured resource or reads as another kind of matter, and does not
      start like a reason ("because ...", "to ...", "I need it for ...")."""
    if not reads_as_new_matter(desk, classification, text):
        return False
    found = match_resource(desk.organisation.access, text)
    other = found is not None and found[0] != resource
    another_kind = classification.intent != "access_request"
    if asking == "resource":
        return another_kind
    if asking == "duration":
        seconds, where = duration_in(text, now=desk.clock.now())
        leads = where is not None and not text[:where[0]].strip(" ,.:;-")
        return seconds is None or other or (another_kind and not leads)
    return (other or another_kind) and not reads_as_reason(text)


def reads_as_reason(text: str) -> bool:
    """Whether a message starts like the reason for access ("because ...", "to ...", "I need it for ...")."""
    return bool(_REASON_START.match(text))


def duration_in(text: str, *, now: datetime) -> tuple[int | None, tuple[int, int] | None]:
    """Seconds of a duration written in the text ("for 7 days", "2 weeks", "until Friday")."""
    match = _DURATION.search(text)
    if match:
        amount = match.group("n").lower()
        number = int(amount) if amount.isdigit() else _NUMBERS[amount]
        unit = match.group("unit").lower().rstrip("s") or "s"
        return number * _UNITS[unit if unit in _UNITS else unit[0]], match.span()
    match = _UNTIL.search(text)
    if match:
        day = match.group("day").lower()
        if day == "tomorrow":
            end = now.date() + timedelta(days=1)
        elif day in _WEEKDAYS:
            ahead = (_WEEKDAYS.index(day) - now.weekday()) % 7 or 7
            end = now.date() + timedelta(days=ahead)
        else:
            try:
                end = datetime.strptime(day, "%Y-%m-%d").date()
            except ValueError:
                return None, None
        until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=timezone.utc)  # to the end of that day
        seconds = int((until - now).total_seconds())
        return (seconds if seconds > 0 else None), match.span()
    return None, None


def justification_in(text: str, spans: list[tuple[int, int]]) -> str | None:
    """What is left after the resource, the duration and the person: the words after "because",
    "so that", "to", "for" (the last of those that still says something)."""
    rest = list(text)
    for start, end in spans:
        rest[start:end] = [" "] * (end - start)
    remainder = "".join(rest)
    candidates = []
    for match in _REASON.finditer(remainder):
        words = " ".join(remainder[match.end():].split()).strip(" .!,;:")
        words = re.sub(r"^(?:to|be able to|i can|we can)\s+", "", words, flags=re.I)
        if len(words.split()) >= 2:
            candidates.append((match.group(1).lower() in ("because", "since", "so that", "in order to"), words))
    if not candidates:
        return None
    strong = [words for strong, words in candidates if strong]
    return strong[0] if strong else candidates[0][1]


def _beneficiary(organisation, text: str, taken: list[tuple[int, int]]) -> tuple[str | None, tuple[int, int] | None]:
    for pattern in _FOR_WHOM:
        for match in pattern.finditer(text):
            if any(start <= match.start("name") < end for start, end in taken):
                continue
            word = match.group("name")
            if word.lower() in _SELF:
                return None, match.span()
            name = known_name(organisation, word)
            if name is None and (word.lower() in _NOT_NAMES or not word[:1].isupper() or word.isupper()
                                 or any(ch.isdigit() for ch in word)):
                continue
            return (name or word.lower()), match.span()
    return None, None


def duration_text(seconds: int) -> str:
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600)):
        if seconds >= size * (2 if unit == "week" else 1) and seconds % size == 0:  # "7 days", "2 weeks"
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    if seconds >= 86400:
        days = round(seconds / 86400, 1)
        return f"{days:g} days"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"
