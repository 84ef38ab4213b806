"""Staff corrections from the database, as training examples for `servicedesk train --with-feedback`."""
from __future__ import annotations

from bot.config import Settings
from bot.runtime import open_database
from storage.feedback import examples


def feedback_examples(settings: Settings) -> list[dict]:
    database = open_database(settings)
    try:
        with database.session() as session:
            return examples(session)
    finally:
        database.dispose()
