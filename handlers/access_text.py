"""Reading an access request's words: grant, revoke or extend; for whom; how long; why.

"I need access to Salesforce to work on the Q4 pipeline" → grant, Salesforce, the writer, no
duration yet, justification "work on the Q4 pipeline". "Remove Tom's access to the finance share"
→ revoke for tom. "Give Tom access to production SSH for 2 weeks because he is on call" → grant
for tom, 14 days, "he is on call". Days ("until the end of the year", "tomorrow", "until further
notice") are read by handlers.access_dates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from handlers.access_config import known_name, match_resource
from handlers.access_dates import Dates, dates_in, says_when
from handlers.new_matter import SENTENCE_WORDS, reads_as_new_matter
from handlers.ticket_mentions import refs_in

REVOKE = re.compile(r"\b(remove|revoke|take away|withdraw|disable|cancel|end)\b.*\baccess\b|\brevoke\b", re.I)
_EXTEND = re.compile(r"\b(extend|prolong|renew|keep)\b.*\baccess\b|\bextension\b", re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "couple of": 2}
_UNITS = {"h": 3600, "hr": 3600, "hour": 3600, "d": 86400, "day": 86400, "w": 604800, "wk": 604800,
          "week": 604800, "month": 2592000, "mo": 2592000}
_DURATION = re.compile(
    r"(?:\bfor\s+)?\b(?P<n>\d{1,4}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\s*"
    r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mo)\b", re.I)
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
                         r"from|by|which|that|who|if|when|while|and then|but|tomorrow|today|tonight|next week|"
                         r"permanently|indefinitely)\b|[.,;:!?()\n]", re.I)
_FILLER = {"i", "me", "my", "we", "us", "our", "need", "needs", "want", "get", "have", "can", "could", "would", "like",
           "access", "permission", "permissions", "right", "rights", "login", "account", "to", "on", "in", "into",
           "the", "a", "an", "some", "any", "request", "requesting", "give", "grant", "add", "hi", "hello", "hey", "it",
           "this", "something", "stuff", "thing", "things", "system", "systems", "new", "you", "with", "and", "be",
           "able", "also", "too", "just", "now", "again", "more", "help", "there", "all", "of", "your", "kindly",
           "urgently", "urgent", "quick", "quickly", "is", "am", "are", "do", "does", "extend", "remove", "revoke"}
DEFAULT_DURATION = re.compile(r"^\s*(default|the default|standard|usual|ok|fine)\s*[.!]?\s*$", re.I)
_REASON_START = re.compile(r"^\s*(?:because|since|so\b|to\b|for\b|as\b|in order|it'?s for|it is for|"
                           r"i need it|we need it|i'?ll need it|needed)", re.I)


@dataclass
class Parsed:
    action: str  # grant | revoke | extend
    resource: str | None
    beneficiary: str | None  # None: the writer
    duration_seconds: int | None  # a length, or up to an end date (`dates`)
    justification: str | None
    dates: Dates = Dates()  # a start, an end date or an open end (handlers.access_dates)


def zone_of(organisation) -> tzinfo:
    """The time zone days are counted in (business_hours.timezone)."""
    return ZoneInfo(organisation.business_hours.timezone)


def parse(organisation, text: str, *, now: datetime) -> Parsed:
    action = "revoke" if REVOKE.search(text) else "extend" if _EXTEND.search(text) else "grant"
    spans: list[tuple[int, int]] = []
    found = match_resource(organisation.access, text)
    if found:
        _, hit = found
        spans.append((hit.start() - len(_LEAD_IN.search(text[: hit.start()]).group(0)), hit.end()))
    zone = zone_of(organisation)
    duration, where = duration_in(text, now=now, zone=zone)
    if where:
        spans.append(where)
    dates = dates_in(text, now=now, zone=zone)
    spans.extend(dates.spans)
    beneficiary, who = _beneficiary(organisation, text, spans)
    if who:
        spans.append(who)
    return Parsed(action, found[0] if found else None, beneficiary, duration,
                  justification_in(text, spans) if action != "revoke" else None, dates)


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


def plain(text: str) -> str:
    """A reply as the name of what it asks for ("the Jira wiki." → "Jira wiki")."""
    words = " ".join(text.split()).strip(" .!?")
    words = re.sub(r"^(?:(?:how|what) about\s+|maybe\s+|perhaps\s+)?(?:(?:the|our|my|a|an)\s+)?", "", words, flags=re.I)
    return words[:60] or "that"


def not_an_answer(desk, request, text: str, classification, *, named: bool) -> bool:
    """Whether a message written while an access request waits for `request.asking` is left to
    intake (the question stays open). Unless it names its ticket ("ACC-3 ..."): a removal while
    access is discussed, or a new matter (opens_new_matter). By question:
    - resource: it names no resource (names_no_resource: "thanks", "my tickets", "what do you mean?",
      "not sure": `unsure`, which the desk answers itself);
    - duration: it answers nothing (answers_nothing; "ok" and "fine" mean the default), or it is a
      sentence of more than SHORT_REPLY_WORDS words with no length of time, end date or open end
      in it (a new matter the model is unsure of: "the screen of my laptop is cracked and flickers").
    - justification is free text (it may name tickets): any reply but pleasantries is the reason."""
    asking = request.asking
    if not named and ((REVOKE.search(text) and request.action != "revoke") or
                      opens_new_matter(desk, asking, request.resource, text, classification)):
        return True
    if asking == "resource":
        return names_no_resource(desk, text, classification)
    if asking == "duration" and not DEFAULT_DURATION.match(text) and not answers_how_long(text):
        return answers_nothing(desk.organisation, text) or (not named and len(text.split()) > SHORT_REPLY_WORDS)
    return asking == "justification" and pleasantries_only(desk.organisation, text)


def opens_new_matter(desk, asking: str, resource: str | None, text: str, classification) -> bool:
    """Whether a message written while an access request waits for an answer to `asking` (about
    `resource`) opens something new instead.
    Only a message that reads as a new matter (handlers.new_matter) can; then, by question:
    - resource: it is new when the model reads it as another kind of matter (an incident, a
      service request); an access request is the answer to "What do you need access to?".
    - duration: it is the answer when it has a length of time, an end date or an open end in it
      (answers_how_long), names no other resource and is an access request or starts with the
      length ("I need it for 2 weeks", "2 weeks, for the audit", "until the end of the month");
      otherwise it is new ("I need prod ssh", "VPN has been down for 2 hours").
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
        where = length_in(text)[1] or next(iter(dates_in(text, now=desk.clock.now(),
                                                          zone=zone_of(desk.organisation)).spans), None)
        leads = where is not None and not text[:where[0]].strip(" ,.:;-")
        return not answers_how_long(text) or other or (another_kind and not leads)
    return (other or another_kind) and not reads_as_reason(text)


# Replies that answer none of the desk's questions (rule: answers_nothing, names_no_resource).
_PLEASANTRIES = set("""ok okay k kk sure yes yep yeah yup no nope nah cool great good nice perfect fine alright
    right awesome brilliant lovely super got it understood noted thanks thank thx ty tnx cheers much lot so very many
    you appreciated appreciate hi hello hey hiya morning afternoon evening there all lol haha bye goodbye later see
    np welcome what can do help me and oh ah hmm wait one moment sec second""".split())
_GREETINGS = {"thanks", "thank", "thx", "ty", "cheers", "hi", "hello", "hey", "hiya", "morning"}
_UNSURE = set("""i not sure no idea dunno don't dont know yet""".split())  # no resource; a duration is asked again
_ABOUT_TICKETS = re.compile(r"\b(?:my|mine)\s+(?:open\s+)?(?:tickets?|requests?|incidents?|cases?)\b|\bopen tickets\b"
                            r"|^\W*(?:any|what'?s|what is|how'?s|how is)\b.*\b(?:updates?|status|news|progress)\b",
                            re.I)
_ASKS = re.compile(r"^\W*(?:what|which|who|why|how|when|where|is|are|can|could|do|does|did|will|would|should|any)\b"
                   r"(?!\s+about\b)", re.I)  # "how about Jira?" names something
SHORT_REPLY_WORDS = 6  # a longer message that is no duration is a new matter, not a failed answer


def answers_nothing(organisation, text: str) -> bool:
    """Whether a reply to one of the desk's questions is no answer but small talk or a question
    about tickets: it names a ticket ("what's the status of INC-3"), asks for "my tickets" or for
    news ("any update?"), or is only pleasantries (`pleasantries_only`). Intake answers those; the
    desk's question stays open."""
    return bool(refs_in(text) or _ABOUT_TICKETS.search(text)) or pleasantries_only(organisation, text)


def pleasantries_only(organisation, text: str, *, unsure: bool = False) -> bool:
    """"thanks", "ok", "hi there", "thank you Carol", "cheers Mike", "👍" (with `unsure`: "not sure",
    "no idea")."""
    words = re.findall(r"[\w']+", text.lower())
    if 2 <= len(words) <= 3 and words[0] in _GREETINGS:
        words = words[:-1]  # the name of whoever is thanked or greeted
    return len(words) <= SHORT_REPLY_WORDS and all(
        w in _PLEASANTRIES or (unsure and w in _UNSURE) or known_name(organisation, w) for w in words)


def unsure(organisation, text: str) -> bool:
    """"not sure", "no idea", "I don't know (yet)": the writer doesn't know the answer yet."""
    return pleasantries_only(organisation, text, unsure=True) and not pleasantries_only(organisation, text)


def names_no_resource(desk, text: str, classification) -> bool:
    """Whether a reply to "What do you need access to?" names nothing one could need access to.
    A configured resource, a thing asked for ("can I get Jira?") or a word that looks like a system
    ("GitHub", "SAP", "prod-db-01", "how about Jira?") is a resource; so is any other short reply
    ("the status page": the team reads it). Not a resource: what `answers_nothing` says, a question
    ("what do you mean?"), or a sentence the model reads as small talk with confidence ("let me
    check with my manager")."""
    if match_resource(desk.organisation.access, text):
        return False
    if answers_nothing(desk.organisation, text) or pleasantries_only(desk.organisation, text, unsure=True):
        return True
    words = text.split()
    if wanted_in(text) or _system_like(words) or len(words) < 2:
        return False
    if text.rstrip().endswith("?") and _ASKS.match(text):
        return True
    return (len(words) >= SENTENCE_WORDS and classification is not None and classification.intent == "other"
            and classification.confidence >= desk.organisation.nlp.confidence_threshold)


def _system_like(words: list[str]) -> bool:
    """A word that reads as a system's name: digits or joiners in it (S3, prod-db-01), capitals
    inside it (GitHub, SAP), or a capital after the first word (Power BI)."""
    for position, raw in enumerate(words):
        word = raw.strip(".,;:!?()'\"")
        if len(word) < 2 or word.lower() in _PLEASANTRIES or word.lower() in _UNSURE:
            continue
        if any(ch.isdigit() for ch in word) or re.search(r"\w[-_./]\w", word) or any(ch.isupper() for ch in word[1:]):
            return True
        if position > 0 and word[0].isupper():
            return True
    return False


def reads_as_reason(text: str) -> bool:
    """Whether a message starts like the reason for access ("because ...", "to ...", "I need it for ...")."""
    return bool(_REASON_START.match(text))


def length_in(text: str) -> tuple[int | None, tuple[int, int] | None]:
    """Seconds of a length written in the text ("for 7 days", "2 weeks", "a month")."""
    match = _DURATION.search(text)
    if match:
        amount = match.group("n").lower()
        number = int(amount) if amount.isdigit() else _NUMBERS[amount]
        unit = match.group("unit").lower().rstrip("s") or "s"
        return number * _UNITS[unit if unit in _UNITS else unit[0]], match.span()
    return None, None


def duration_in(text: str, *, now: datetime, zone: tzinfo = timezone.utc) -> tuple[int | None, tuple[int, int] | None]:
    """Seconds of a duration written in the text: a length ("for 7 days", "2 weeks"), or from now
    to the end of a day it names ("until Friday", "until the end of the year": handlers.access_dates)."""
    found = length_in(text)
    if found[0]:
        return found
    dates = dates_in(text, now=now, zone=zone)
    if dates.ends_at is None:
        return None, None
    seconds = int((dates.ends_at - max(now, dates.starts_at or now)).total_seconds())
    return (seconds if seconds > 0 else None), dates.spans[-1]


def answers_how_long(text: str) -> bool:
    """Whether a text answers "How long?": a length, an end date or an open end ("until further notice")."""
    return length_in(text)[0] is not None or says_when(text)


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
    if seconds >= 2 * 86400:  # up to an end date: "about 24 days" (the date itself is said where it matters)
        return f"about {round(seconds / 86400)} days"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"
