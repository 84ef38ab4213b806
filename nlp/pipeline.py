"""The public NLP interface the service desk uses: one call turns a message into a decision.

    model = IntentModel.load(applications=settings.applications, hosts=settings.hosts)
    result = model.classify("the whole office can't print, deadline today")
    result.intent, result.queue, result.priority, result.entities

The model directory is ``SERVICEDESK_MODEL_DIR`` if set, else ``nlp/model``. A directory with no
trained model (or one written by an incompatible version of this code) is trained on first use
from ``nlp/corpus`` and cached there; ``make install`` normally does that ahead of time.

Only the first :data:`MAX_MODEL_CHARS` (2,000) characters of a message are analysed, by the
classifier and the cue rules alike, so a pasted 50,000-character log costs no more than a
paragraph. Ticket ids, names and cues after that point are not seen.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from nlp.corpus_io import INTENTS, NO_TICKET_INTENT, QUEUES
from nlp.cues import CueExtractor, Cues
from nlp.priority import priority_for
from nlp.training import INTENT_PIPE, MAX_MODEL_CHARS, MODEL_FORMAT, QUEUE_PIPE, train

DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
MODEL_DIR_ENV = "SERVICEDESK_MODEL_DIR"

__all__ = [
    "Classification",
    "DEFAULT_MODEL_DIR",
    "IntentModel",
    "MAX_MODEL_CHARS",
    "model_is_trained",
    "resolve_model_dir",
]


@dataclass(frozen=True)
class Classification:
    intent: str  # incident | service_request | access_request | other
    queue: str | None  # technical | application | operations; None when intent is other
    confidence: float  # intent probability
    queue_confidence: float  # queue probability (0.0 when queue is None)
    impact: str  # high | medium | low
    urgency: str  # high | medium | low
    priority: str  # P1..P5 (from priority_for)
    entities: dict[str, Any] = field(default_factory=dict)
    # {"ticket_ids": [...], "applications": [...], "hosts": [...], "people": [...],
    #  "cues": [{"kind": "impact"|"urgency", "level": ..., "text": ...}, ...]}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: exactly the keys intent, queue, confidence, queue_confidence, impact,
        urgency, priority, entities."""
        return {
            "intent": self.intent,
            "queue": self.queue,
            "confidence": float(self.confidence),
            "queue_confidence": float(self.queue_confidence),
            "impact": self.impact,
            "urgency": self.urgency,
            "priority": self.priority,
            "entities": {key: list(value) if isinstance(value, list) else value for key, value in self.entities.items()},
        }


def resolve_model_dir(model_dir: Path | str | None = None) -> Path:
    """The argument if given, else $SERVICEDESK_MODEL_DIR, else nlp/model."""
    if model_dir is not None:
        return Path(model_dir)
    from_env = os.environ.get(MODEL_DIR_ENV)
    return Path(from_env) if from_env else DEFAULT_MODEL_DIR


def model_is_trained(model_dir: Path) -> bool:
    """True when ``model_dir`` holds a model written by this version's ``training.train``."""
    try:
        meta = json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    info = meta.get("servicedesk") if isinstance(meta, dict) else None
    return isinstance(info, dict) and info.get("format") == MODEL_FORMAT


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def default_urgency(intent: str) -> str:
    """Urgency when the message has no urgency cue: something broken is needed back soon
    (medium); requests, access and chit-chat can wait (low)."""
    return "medium" if intent == "incident" else "low"


class IntentModel:
    """Intent + queue classifier with the cue rules, bound to one organisation's names."""

    def __init__(self, nlp: Language, cues: CueExtractor, model_dir: Path) -> None:
        self.nlp = nlp
        self.cues = cues
        self.model_dir = model_dir
        self.meta: dict[str, Any] = dict(nlp.meta.get("servicedesk", {}))
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model_dir: Path | None = None,
        *,
        applications: Iterable[str] = (),
        hosts: Iterable[str] = (),
        progress: Callable[[str], Any] | None = None,
    ) -> IntentModel:
        """Load the model from ``model_dir`` (see :func:`resolve_model_dir`), training it first
        if there is none ("trained on first use and cached"); training progress lines go to
        ``progress`` (default: stderr). ``applications`` and ``hosts`` are the names the
        organisation wants recognised in messages."""
        directory = resolve_model_dir(model_dir)
        if not model_is_trained(directory):
            say = progress or _to_stderr
            say(f"no trained intent model in {directory}; training it now (one-off)")
            train(directory, progress=say)
        nlp = spacy.load(directory)
        missing = {INTENT_PIPE, QUEUE_PIPE} - set(nlp.pipe_names)
        if missing:
            raise RuntimeError(f"{directory}: model lacks component(s) {sorted(missing)}")
        return cls(nlp, CueExtractor(nlp, applications=applications, hosts=hosts), directory)

    def classify(self, text: str) -> Classification:
        """Classify one message (see the module docstring for the 2,000-character limit)."""
        return self.classify_many([text], batch_size=1)[0]

    def classify_many(self, texts: Iterable[str], batch_size: int = 256) -> list[Classification]:
        """Classify many messages in batches with ``nlp.pipe``; order is preserved. Safe to call
        from several threads (front ends handle requests in a pool): calls take turns."""
        clipped = [self._clip(text) for text in texts]
        with self._lock:
            docs = self.nlp.pipe(clipped, batch_size=batch_size)
            return [self._decide(doc, text) for doc, text in zip(docs, clipped)]

    def probabilities(self, text: str) -> dict[str, dict[str, float]]:
        """Both components' full probability tables for one message (for explanations)."""
        doc = self.nlp(self._clip(text))
        return {
            "intent": {label: float(doc.cats.get(label, 0.0)) for label in INTENTS},
            "queue": {label: float(doc.cats.get(label, 0.0)) for label in QUEUES},
        }

    @staticmethod
    def _clip(text: str) -> str:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return text[:MAX_MODEL_CHARS]

    def _decide(self, doc: Doc, text: str) -> Classification:
        cues: Cues = self.cues(doc, text)
        if not text.strip():
            intent, confidence = NO_TICKET_INTENT, 0.0
        else:
            intent = max(INTENTS, key=lambda label: doc.cats.get(label, 0.0))
            confidence = float(doc.cats.get(intent, 0.0))
        queue: str | None = None
        queue_confidence = 0.0
        if intent != NO_TICKET_INTENT:
            queue = max(QUEUES, key=lambda label: doc.cats.get(label, 0.0))
            queue_confidence = float(doc.cats.get(queue, 0.0))
        impact = cues.impact or "low"
        urgency = cues.urgency or default_urgency(intent)
        return Classification(
            intent=intent,
            queue=queue,
            confidence=confidence,
            queue_confidence=queue_confidence,
            impact=impact,
            urgency=urgency,
            priority=priority_for(impact, urgency),
            entities=cues.entities(),
        )
