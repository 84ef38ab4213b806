"""Reading a rating: the 1-5 answer to "How did we do?", and a comment written just after one.
Plain text rules; handlers/follow_up.py acts on the reading.

- A rating is the number 1-5 (or the word: "five", "four stars"), then nothing, "/5", "out of 5",
  "stars", or a separator (, . : - ...) before a comment ("2 - took too long", "3 stars, slow"):
  always a rating, however the comment reads (comments often sound like complaints). A number
  outside 1-5 ("0", "6", "10/10") is answered with the range, when a rating is waiting.
- After a bare space ("4 quick fix") the number may just start a sentence instead: not a rating
  when it counts the word after it ("2 monitors are flickering on my desk", "2 new monitors for
  ...": a plural noun) or the message reads as a new matter (handlers/new_matter.py: "2 laptop
  crashes again after the fix"); it goes on to intake. Except when the number measures the
  service: a unit of time or of chasing (hours, days, calls, emails, times, ...) then nothing, a
  separator, or words about the wait or the effort ("3 days to fix, too slow", "2 calls before
  anyone answered", "2 weeks waiting", "3 times I had to chase"): a rating, the whole message its
  comment (the number counts there too), whatever the model makes of it. Other words after the
  unit ("2 days ago my laptop ...", "2 emails bounced ...", "3 days my VPN keeps dropping") leave
  it to the rules above.
- A message written shortly after a rating without a comment is its comment when it reads as one
  (`reads_as_rating_comment`): "great service but slow", "bob was very helpful but it took two days".
"""
from __future__ import annotations

import re

from handlers.desk import Desk
from handlers.mention_reading import ASKS_STATUS, NOT_FIXED, REF_IN_TEXT, THANKS
from handlers.new_matter import TICKET_INTENTS, reads_as_new_matter

_I = re.IGNORECASE

_RATING = re.compile(r"^([1-5])(?:\s*/\s*5|\s*stars?|\s*★+)?(?:$|[\s,.:;!)\-–—]+(.*)$)", re.IGNORECASE | re.DOTALL)
_MARKED = re.compile(r"^[1-5]\s*(?:/\s*5|stars?\b|★)", re.IGNORECASE)  # "3/5", "4 stars": a rating, surely
_SPACED = re.compile(r"^[1-5]\s+([a-z][\w'-]*)(?:\s+([a-z][\w'-]*))?", re.IGNORECASE)  # no separator after it
_MODIFIERS = frozenset("new old more other extra external spare broken different separate big small".split())
_IRREGULAR = frozenset("people men women children mice feet staff".split())
_NOT_COUNTED = frozenset("thanks thx works always yes helps seems looks was has does gets kudos cheers props guys "
                         "folks stars pls plus less unless perhaps sometimes anyways regards".split())
_UNITS = ("min|mins|minutes?|hrs?|hours?|days?|weeks?|months?|calls?|phone ?calls?|e-?mails?|mails|messages?|"
          "pings|chats|tickets|reminders|chasers|attempts?|tries|goes|times|visits|transfers|escalations|"
          "follow-?ups|reopens|rounds")
_MEASURED = re.compile(  # "3 days to fix", "2 calls before anyone answered", "2 more weeks, slow": a measure
    rf"^[1-5]\s+(?:(?:more|extra|whole|full|long|working|business|separate|different)\s+)?(?:{_UNITS})"
    r"(?:\s*$|\s*[,.:;!?)\-–—(]"
    r"|\s+(?:(?:i|we)\s+)?(?:to|before|until|till|for|and|but|of|later|then|just|plus|total|in total|overall|"
    r"on hold|waiting|wait|waited|chasing|chased|calling|called|asking|asked|emailing|emailed|rang|tried|spent|"
    r"took|it took|had to|needed|needed to)\b)",
    re.IGNORECASE)
_NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_WORD_RATING = re.compile(r"^(zero|one|two|three|four|five|six|seven|eight|nine|ten)"
                          r"(?=\s*(?:$|[,.:;!)\-–—/]|stars?\b|★|out of\b))", _I)
_OUT_OF = re.compile(r"^(\d{1,2})\s+out of\s+(?:5|five)\b", _I)
OUT_OF_RANGE = re.compile(r"^(?:0|[6-9]|10)(?:\s*/\s*(?:5|10)|\s*stars?|\s*★+|\s+out of (?:5|five|10|ten))?$", _I)
RANGE_HINT = "Ratings go from 1 (poor) to 5 (great). Send a number from 1 to 5, e.g. \"4 quick fix\"."


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" .!")


def rating_words(text: str) -> str:
    """A rating written in words or "out of 5" as the number form the rating rules read:
    "five" -> "5", "four stars, quick" -> "4 stars, quick", "4 out of 5" -> "4/5"."""
    words = _tidy(text)
    spelled = _WORD_RATING.match(words)
    if spelled:
        words = _NUMBER_WORDS[spelled.group(1).lower()] + words[spelled.end():]
    out_of = _OUT_OF.match(words)
    if out_of:
        words = f"{out_of.group(1)}/5" + words[out_of.end():]
    return words


def read_rating(desk: Desk | None, classification, text: str) -> tuple[str, str] | None:
    """(the rating "1".."5", its comment) of a message, or None when it is no rating (module docstring).
    Without a desk, a number that may start a new matter is not checked with the model."""
    words = rating_words(REF_IN_TEXT.sub(" ", text))
    found = _RATING.match(words)
    if found is None:
        return None
    comment = _comment(desk, classification, words, (found.group(2) or "").strip(), text)
    return None if comment is None else (found.group(1), comment)


def out_of_range(text: str) -> bool:
    """"0", "6", "10/10": a rating outside 1-5."""
    return bool(OUT_OF_RANGE.match(rating_words(REF_IN_TEXT.sub(" ", text))))


def _comment(desk: Desk | None, classification, words: str, comment: str, text: str) -> str | None:
    """The comment of a message parsed as a rating, or None when it is no rating (module docstring).
    With a marker or a separator after the number it is one; after a bare space it is when the
    number measures the service ("3 days to fix": the whole message is the comment), and not when
    it counts the word after it ("2 monitors ...", "2 new monitors ...") or the message reads as a
    new matter."""
    spaced = _SPACED.match(words)
    if _MARKED.match(words) or spaced is None:
        return comment
    if _MEASURED.match(words):
        return words
    first, second = spaced.group(1), spaced.group(2)
    if _counted(first) or (first.lower() in _MODIFIERS and second and _counted(second)):
        return None
    return None if desk is not None and reads_as_new_matter(desk, classification, text) else comment


def _counted(word: str) -> bool:
    """A plural noun, as a number counts it ("monitors", "people"); not "thanks" or "works"."""
    word = word.lower()
    if word in _IRREGULAR:
        return True
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s"))
            and word not in _NOT_COUNTED)


# A comment after a rating


COMMENT_WORDS = 80
_ABOUT_THE_SERVICE = re.compile(
    r"\b(?:service|support|helpful|unhelpful|friendly|unfriendly|rude|polite|professional|responsive|patient|"
    r"communication|experience|turnaround|response time|technician|engineer|agent|the team|you guys|"
    r"(?:great|good|nice|brilliant|excellent|amazing|quick|fast) (?:job|work|fix|response|reply|turnaround|help)|"
    r"well done|kept me (?:informed|updated|posted)|nobody (?:told|updated|called)|no one (?:told|updated|called)|"
    r"(?:it |that )?took (?:(?:too|so|very|quite|a bit|way too) )?(?:long|ages|forever|a while|(?:a |an |\w+ )"
    r"(?:minutes?|hours?|days?|weeks?))|(?:could|should) have been (?:faster|quicker|sooner)|"
    r"(?:faster|quicker|sooner) than|(?:too|bit|rather|very|but|quite) (?:slow|quick|fast)|"
    r"(?:slow|quick|fast|late) (?:service|response|reply|replies|fix|turnaround)|waited|waiting time)\b", _I)
_GREETING = re.compile(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|yo|ok|okay|cool|bye|goodbye)\b", _I)
_QUESTION = re.compile(r"^(?:what|how|when|why|where|who|which|can|could|would|will|is|are|do|does|did|should|"
                       r"may|might)\b|\?\s*$", _I)
_MY_TICKETS = re.compile(r"\b(?:my|mine)\b.*\b(?:tickets?|requests?|incidents?|cases?)\b", _I)
_PLAIN_WORDS = 3  # without words about the service, a comment is a sentence ("quick fix" alone may be a request)
_STRONG = 0.85  # the model's confidence beyond which a ticket reading wins over words about the service


def reads_as_rating_comment(text: str, classification, *, threshold: float, staff_names: set[str],
                            rated_ref: str) -> bool:
    """Whether a message written just after a rating is a comment on it ("great service but slow",
    "bob was very helpful but it took two days") rather than something new. Words about the
    service or the people who did it make it a comment unless the model is sure of a ticket; without
    them, a statement the model doesn't file as a ticket is one. Never a question, a greeting or
    thanks alone, a mention of another ticket, or word that the trouble is back."""
    words = " ".join(text.split())
    refs = {f"{p.upper()}-{int(n)}" for p, n in REF_IN_TEXT.findall(words)}
    if refs - {rated_ref} or not words or len(words.split()) > COMMENT_WORDS:
        return False
    if ASKS_STATUS.search(words) or NOT_FIXED.search(words) or _MY_TICKETS.search(words):
        return False
    bare = REF_IN_TEXT.sub(" ", words)
    if not THANKS.sub(" ", bare).strip(" ,.!;:-"):
        return False  # thanks alone: intake says "you're welcome"
    ticket_like = (classification is not None and classification.intent in TICKET_INTENTS
                   and classification.confidence >= threshold)
    names = set(re.findall(r"[a-z][a-z0-9_.-]*[a-z0-9]|[a-z]", words.lower())) & staff_names
    if _ABOUT_THE_SERVICE.search(words) or names:
        return not (ticket_like and classification.confidence >= _STRONG)
    if ticket_like or _GREETING.match(words) or _QUESTION.search(words):
        return False
    return len(words.split()) >= _PLAIN_WORDS
