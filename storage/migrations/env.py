"""Alembic environment: runs on the connection the desk hands it (storage.database)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import importlib
import pkgutil

import storage
from storage.models import Base

# Every storage module's tables belong to the schema (models may live beside their queries).
for _module in pkgutil.iter_modules(storage.__path__):
    if _module.name != "migrations":
        importlib.import_module(f"storage.{_module.name}")

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from storage.database import normalise_url
        import os

        engine = create_engine(normalise_url(os.environ.get("SERVICEDESK_DATABASE_URL", "sqlite:///var/servicedesk.db")))
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
