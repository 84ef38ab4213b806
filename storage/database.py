"""Engine, sessions and migrations. SQLite (embedded default) or PostgreSQL (psycopg 3)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"
SUPPORTED = ("sqlite", "postgresql")
_EXAMPLES = "sqlite:///var/servicedesk.db or postgresql://USER:PASSWORD@HOST/NAME"


def normalise_url(url: str) -> str:
    """postgresql:// means psycopg 3 here (SQLAlchemy would pick psycopg2 otherwise)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str) -> Engine:
    """The engine for SERVICEDESK_DATABASE_URL; DatabaseUnavailable (with what to do) for a URL that
    is not one, a database other than SQLite or PostgreSQL, or a driver that cannot be loaded."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"SERVICEDESK_DATABASE_URL is not a database URL: {url!r}") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in SUPPORTED:
        raise DatabaseUnavailable(
            f"SERVICEDESK_DATABASE_URL is for {parsed.get_backend_name()} ({shown}), but the desk supports only "
            f"SQLite and PostgreSQL, e.g. {_EXAMPLES}")
    try:
        return _engine(url, parsed)
    except (ImportError, NoSuchModuleError) as exc:  # e.g. postgresql+psycopg2:// without psycopg2 installed
        raise DatabaseUnavailable(
            f"SERVICEDESK_DATABASE_URL: the database driver for {shown} cannot be loaded ({_first_line(exc)}); "
            f"use {_EXAMPLES} (psycopg 3 comes with the desk)") from None


def _engine(url: str, parsed: URL) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"cannot create the folder for the SQLite database {parsed.database!r} ({exc.strerror})"
                ) from None
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def describe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class Database:
    """One engine and its session factory; `session()` is a unit of work (commit or roll back)."""

    def __init__(self, url: str) -> None:
        self.engine = create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                with session.begin():
                    yield session
        except (OperationalError, DBAPIError) as exc:
            if getattr(exc, "connection_invalidated", False) or isinstance(exc, OperationalError):
                raise DatabaseUnavailable(
                    f"the database at {describe_url(self.engine)} cannot be reached or used "
                    f"({_first_line(exc.orig)})"
                ) from exc
            raise

    def check(self) -> None:
        """Raise DatabaseUnavailable unless a trivial query works."""
        with self.session() as session:
            session.execute(text("SELECT 1"))

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        from alembic import command
        from alembic.util.exc import CommandError

        try:
            with self.engine.begin() as connection:
                config = alembic_config(connection)
                command.upgrade(config, "heads")
        except CommandError as exc:  # e.g. a schema written by a newer release of the desk
            raise DatabaseUnavailable(
                f"the database at {describe_url(self.engine)} has a schema this version of the desk does not "
                f"know, so it was left untouched ({_first_line(exc)}); run the release that created it, "
                "or point SERVICEDESK_DATABASE_URL at another database"
            ) from exc
        except OperationalError as exc:
            raise DatabaseUnavailable(
                f"the database at {describe_url(self.engine)} cannot be reached or migrated "
                f"({_first_line(exc.orig)})"
            ) from exc

    def is_current(self) -> bool:
        """Whether the schema is at the newest migration."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except OperationalError as exc:
            raise DatabaseUnavailable(
                f"the database at {describe_url(self.engine)} cannot be reached ({_first_line(exc.orig)})"
            ) from exc
        return current == heads

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or ["unknown error"])[0][:200]
