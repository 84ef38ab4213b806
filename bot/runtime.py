"""Building the desk from settings: database (migrated when embedded) and classifier."""
from __future__ import annotations

import sys

from bot.config import Settings
from handlers.clock import Clock, SystemClock
from handlers.desk import Desk
from storage.database import Database, DatabaseUnavailable


def open_database(settings: Settings) -> Database:
    """Connect; the embedded SQLite default migrates itself, other databases must be current."""
    database = Database(settings.database_url)
    if database.is_sqlite:
        database.upgrade()
    elif not database.is_current():
        raise DatabaseUnavailable(
            "the database schema is not up to date; run `servicedesk db upgrade` first"
        )
    return database


def load_classifier(settings: Settings, *, progress=None):
    from nlp.pipeline import IntentModel

    nlp_config = settings.organisation.nlp
    return IntentModel.load(
        applications=nlp_config.applications,
        hosts=nlp_config.hosts,
        progress=progress or (lambda line: print(line, file=sys.stderr, flush=True)),
    )


def build_desk(settings: Settings, *, classifier=None, clock: Clock | None = None) -> Desk:
    database = open_database(settings)
    return Desk(
        organisation=settings.organisation,
        database=database,
        classifier=classifier if classifier is not None else load_classifier(settings),
        clock=clock or SystemClock(),
    )
