"""The desk's dependencies in one object, handed to every handler (no module-level state)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from handlers.clock import Clock, SystemClock
from handlers.organisation import Organisation
from storage.database import Database


class Classifier(Protocol):
    def classify(self, text: str): ...


@dataclass
class Desk:
    organisation: Organisation
    database: Database
    classifier: Classifier
    clock: Clock = field(default_factory=SystemClock)
