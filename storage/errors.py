"""Storage errors, importable without loading SQLAlchemy (the CLI catches them everywhere)."""
from __future__ import annotations


class DatabaseUnavailable(Exception):
    """The database cannot be reached or used; the message is safe to show a person."""
