"""Text similarity in plain Python: TF-IDF vectors and their cosine, over short IT texts.

Used to match a new incident to known errors and to find recurring incidents. Words are
lower-cased, stop words dropped and common endings stripped ("crashes", "crashing", "crashed"
→ "crash"), so people describing the same trouble in their own words still meet.

Every new incident is compared with hundreds of recent ones, so a text's words are worked out
once per process (a bounded cache keyed by the text itself, so an edited text is simply a new
key) and only documents sharing a word with the query get a vector: the others score 0.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]*[a-z0-9]|[a-z0-9]")
STOP_WORDS = frozenset("""
a about after again all also am an and any anyone are as at be been before being but by can cannot
could did do does doing don dont for from get gets getting got had has have having hello help hi how i
i'm im is it its it's just keep keeps me my myself no not now of on once only or our out over please
since so some still than thank thanks that the their them then there these they this to too up us very
was we were what when where which while who why will with won wont would you your yours since today
again anymore working work works issue issues problem problems trying tried
""".split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")
CACHED_TEXTS = 2_000  # recent incident descriptions (up to 500), titles (300), catalog phrases
CACHED_LENGTH = 4_000  # longer texts are worked out each time: the cache stays a few MB at most


def stem(word: str) -> str:
    if word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiousl":
                base = base[:-1]  # "dropped" -> "dropp" -> "drop"
            word = base
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word  # "minute", "minutes" -> "minut"


def tokens(text: str) -> tuple[str, ...]:
    return _cached_tokens(text) if len(text) <= CACHED_LENGTH else _tokens(text)


def _tokens(text: str) -> tuple[str, ...]:
    words = _WORD.findall(text.lower().replace("'", ""))
    return tuple(stem(word) for word in words if word not in STOP_WORDS and len(word) > 1)


_cached_tokens = lru_cache(maxsize=CACHED_TEXTS)(_tokens)


def _counts(text: str) -> tuple[frozenset[str], tuple[tuple[str, int], ...]]:
    """A text's distinct words and how often each occurs (shared, so never mutated)."""
    return _cached_counts(text) if len(text) <= CACHED_LENGTH else _count(text)


def _count(text: str) -> tuple[frozenset[str], tuple[tuple[str, int], ...]]:
    counts = Counter(_tokens(text))
    return frozenset(counts), tuple(counts.items())


_cached_counts = lru_cache(maxsize=CACHED_TEXTS)(_count)


class TfIdf:
    """IDF fitted on a corpus (smoothed like scikit-learn's: ln((1+N)/(1+df)) + 1), vectors
    L2-normalised, so the dot product is the cosine."""

    def __init__(self, corpus: Sequence[str]) -> None:
        frequency: Counter[str] = Counter()
        for text in corpus:
            frequency.update(_counts(text)[0])
        self.size = len(corpus)
        self.idf = {word: math.log((1 + self.size) / (1 + count)) + 1 for word, count in frequency.items()}
        self.unseen = math.log(1 + self.size) + 1

    def vector(self, text: str) -> dict[str, float]:
        weights = {word: (1 + math.log(n)) * self.idf.get(word, self.unseen) for word, n in _counts(text)[1]}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {word: w / norm for word, w in weights.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def ranked(query: str, documents: Sequence[str], *, background: Sequence[str] = ()) -> list[tuple[int, float]]:
    """(index, score) of `documents` by similarity to `query`, best first. IDF comes from the
    documents, the query and `background` (other recent texts, so everyday words weigh little)."""
    model = TfIdf([*documents, *background, query])
    wanted = model.vector(query)
    words = wanted.keys()
    scores = [(index, cosine(wanted, model.vector(text)) if not words.isdisjoint(_counts(text)[0]) else 0.0)
              for index, text in enumerate(documents)]
    return sorted(scores, key=lambda pair: (-pair[1], pair[0]))
