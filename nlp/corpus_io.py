"""Reading and validating the labelled messages the intent model learns from.

The training corpus is every ``nlp/corpus/*.jsonl`` file; the held-out set is every
``nlp/heldout/*.jsonl`` file and is only ever used to *evaluate* a model. Each line is one JSON
object ``{"text": ..., "intent": ..., "queue": ...}`` as described in ``nlp/corpus/LABELLING.md``.
Blank lines are skipped; any other malformed line raises :class:`CorpusError` naming the file
and the line number, so a labelling mistake is found in seconds.

Feedback examples (staff corrections collected by the desk, for ``train --with-feedback``) are
validated by the same rules through :func:`coerce_examples` and appended with
``load_training(extra=...)``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INTENTS: tuple[str, ...] = ("incident", "service_request", "access_request", "other")
QUEUES: tuple[str, ...] = ("technical", "application", "operations")
NO_TICKET_INTENT = "other"

NLP_DIR = Path(__file__).resolve().parent
CORPUS_DIR = NLP_DIR / "corpus"
HELDOUT_DIR = NLP_DIR / "heldout"


class CorpusError(ValueError):
    """A labelled example is malformed; the message names where it came from and what is wrong."""


@dataclass(frozen=True)
class LabelledExample:
    """One message with its gold labels. ``queue`` is None exactly when ``intent`` is other."""

    text: str
    intent: str
    queue: str | None
    source: str = ""  # "path:line" or "feedback[i]", for error messages and audits

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "queue": self.queue}


def parse_example(record: Any, source: str) -> LabelledExample:
    """Validate one decoded record and turn it into a :class:`LabelledExample`.

    ``source`` is used verbatim in error messages (e.g. ``"nlp/corpus/incident.jsonl:12"``).
    Keys other than text/intent/queue are ignored, so labellers may add notes.
    """
    if isinstance(record, LabelledExample):
        record = record.as_dict()
    if not isinstance(record, Mapping):
        raise CorpusError(f"{source}: expected a JSON object, got {type(record).__name__}")
    missing = [key for key in ("text", "intent", "queue") if key not in record]
    if missing:
        raise CorpusError(f"{source}: missing key(s) {', '.join(missing)}")
    text, intent, queue = record["text"], record["intent"], record["queue"]
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{source}: 'text' must be a non-empty string, got {text!r}")
    if intent not in INTENTS:
        raise CorpusError(f"{source}: 'intent' is {intent!r}; expected one of {', '.join(INTENTS)}")
    if intent == NO_TICKET_INTENT:
        if queue is not None:
            raise CorpusError(f"{source}: 'queue' must be null when intent is other, got {queue!r}")
    elif queue not in QUEUES:
        raise CorpusError(
            f"{source}: 'queue' is {queue!r} for intent {intent!r}; "
            f"expected one of {', '.join(QUEUES)}"
        )
    return LabelledExample(text=text, intent=intent, queue=queue, source=source)


def read_jsonl(path: Path) -> list[LabelledExample]:
    """Read and validate one JSONL file; raise :class:`CorpusError` naming file and line."""
    examples: list[LabelledExample] = []
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-8 ({exc})") from exc
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{source}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
        examples.append(parse_example(record, source))
    return examples


def _read_dir(directory: Path, what: str) -> list[LabelledExample]:
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{directory}: no *.jsonl files found for the {what}")
    examples: list[LabelledExample] = []
    for path in files:
        examples.extend(read_jsonl(path))
    if not examples:
        raise CorpusError(f"{directory}: the {what} files hold no examples")
    return examples


def coerce_examples(items: Iterable[Any], source: str = "feedback") -> list[LabelledExample]:
    """Validate examples given in memory (dicts or LabelledExample), e.g. staff feedback."""
    return [parse_example(item, f"{source}[{index}]") for index, item in enumerate(items)]


def load_training(
    corpus_dir: Path | None = None, *, extra: Iterable[Any] = ()
) -> list[LabelledExample]:
    """All training examples: every ``*.jsonl`` in ``corpus_dir`` (default ``nlp/corpus``),
    files in name order, then the validated ``extra`` examples (feedback) appended.

    Never reads the held-out set.
    """
    examples = _read_dir(Path(corpus_dir) if corpus_dir else CORPUS_DIR, "training corpus")
    examples.extend(coerce_examples(extra))
    check_label_coverage(examples)
    return examples


def load_heldout(heldout_dir: Path | None = None) -> list[LabelledExample]:
    """The held-out evaluation set: every ``*.jsonl`` in ``heldout_dir`` (default
    ``nlp/heldout``). For evaluation only, never for training."""
    return _read_dir(Path(heldout_dir) if heldout_dir else HELDOUT_DIR, "held-out set")


def check_label_coverage(examples: Iterable[LabelledExample]) -> None:
    """Both classifiers need at least one example of every label, or training cannot work."""
    items = list(examples)
    intents = Counter(example.intent for example in items)
    queues = Counter(example.queue for example in items if example.queue is not None)
    missing = [label for label in INTENTS if not intents[label]]
    missing += [label for label in QUEUES if not queues[label]]
    if missing:
        raise CorpusError(f"training examples have no example of label(s): {', '.join(missing)}")


def label_counts(examples: Iterable[LabelledExample]) -> dict[str, dict[str, int]]:
    """Counts per intent and per queue (for meta.json and progress lines)."""
    items = list(examples)
    return {
        "intent": dict(sorted(Counter(example.intent for example in items).items())),
        "queue": dict(sorted(Counter(e.queue for e in items if e.queue is not None).items())),
    }


def fingerprint(examples: Iterable[LabelledExample]) -> str:
    """A stable hash of the labelled content (order-sensitive), recorded in meta.json."""
    digest = hashlib.sha256()
    for example in examples:
        line = json.dumps(example.as_dict(), sort_keys=True, ensure_ascii=False)
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()

