"""The schema's history is one line, and a database made by it matches the models."""
from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from alembic.script import ScriptDirectory

from storage.database import alembic_config
from storage.models import Base


def test_migrations_form_a_single_line():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert all(not isinstance(r.down_revision, tuple) for r in script.walk_revisions())


def test_a_migrated_database_has_every_table_and_column_of_the_models(database):
    import importlib
    import pkgutil

    import storage

    for module in pkgutil.iter_modules(storage.__path__):  # every storage module's models
        if module.name != "migrations":
            importlib.import_module(f"storage.{module.name}")
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    missing = [d for d in differences if d[0] in ("add_table", "add_column")]
    assert missing == []
