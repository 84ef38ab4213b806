"""Shared fixtures: a real database (SQLite, and PostgreSQL when SERVICEDESK_TEST_DATABASE_URL is
set), the demo organisation from app.yaml, the trained intent model, and a movable clock."""
from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import load_organisation
from handlers.clock import FrozenClock
from handlers.desk import Desk
from storage.database import Database

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SERVICEDESK_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def _postgres_schema():
    """Once per run: an empty public schema migrated to head."""
    database = Database(PG_URL)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.upgrade()
    database.dispose()
    return PG_URL


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.db'}"
    url = request.getfixturevalue("_postgres_schema")
    database = Database(url)
    with database.engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    database.dispose()
    return url


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def organisation():
    return load_organisation(ROOT / "app.yaml")


@pytest.fixture(scope="session")
def classifier(organisation):
    from nlp.pipeline import IntentModel

    return IntentModel.load(applications=organisation.nlp.applications, hosts=organisation.nlp.hosts)


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))  # a Monday morning


@pytest.fixture
def desk(organisation, database, classifier, clock) -> Desk:
    return Desk(organisation=organisation, database=database, classifier=classifier, clock=clock)


@pytest.fixture
def cli_env(database_url, tmp_path) -> dict:
    """Environment for running the `servicedesk` command against the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVICEDESK_") or k == "SERVICEDESK_MODEL_DIR"}
    env["SERVICEDESK_DATABASE_URL"] = database_url
    env["SERVICEDESK_CONFIG"] = str(ROOT / "app.yaml")
    env["SERVICEDESK_LOG_FILE"] = str(tmp_path / "servicedesk.log")
    return env


SERVICEDESK = str(Path(sys.executable).with_name("servicedesk"))


class People:
    """Speak to the desk as someone on the console front end."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def person(self, name: str):
        from handlers.messages import Person

        member = self.desk.organisation.staff_by_identity("console", name)
        return Person("console", name, member.label if member else name.capitalize())

    def say(self, name: str, text: str, **inbound):
        from handlers.intake import handle_message
        from handlers.messages import Conversation, Inbound

        conversation = inbound.pop("conversation", Conversation("console", f"@{name}"))
        return handle_message(self.desk, Inbound(self.person(name), conversation, text, **inbound))

    def sd(self, name: str, text: str):
        from handlers.commands import run_command

        return run_command(self.desk, self.person(name), text)

    def outbox(self) -> list[tuple[str, str, str]]:
        """Everything the desk has written for delivery: (destination, address, text)."""
        from sqlalchemy import select

        from storage.models import OutboxMessage

        with self.desk.database.session() as session:
            rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
            return [(m.destination, m.address, m.payload["text"]) for m in rows]

    def ticket(self, ref: str):
        from storage.tickets import get_ticket

        with self.desk.database.session() as session:
            ticket = get_ticket(session, ref=ref)
            if ticket is not None:
                list(ticket.comments)  # loaded while the session is open
            return ticket


@pytest.fixture
def people(desk) -> People:
    return People(desk)
