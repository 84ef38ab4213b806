"""What the log lines of the current piece of work are about (the ticket, mostly).

The code that works on a ticket says so once; every log line written meanwhile, in any module,
carries it (bot/logs.py reads it in a logging filter). Layer-neutral: plain contextvars, no
logging configuration here.

    with log_context(ticket="INC-12"):      # a scope with its fields
        ...
    @scoped                                 # a fresh scope for each call of a unit of work
    def handle_message(...):
        ...
        note(ticket=ticket.ref)             # fill in the current scope once the ticket is known

A scope ends with its block or call, so nothing leaks into the next job run by the same thread.
`note` outside any scope does nothing.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

_fields: ContextVar[dict | None] = ContextVar("servicedesk_log_context", default=None)
F = TypeVar("F", bound=Callable)


@contextmanager
def log_context(**fields) -> Iterator[None]:
    """A scope inheriting the enclosing one's fields, plus `fields`."""
    token = _fields.set({**(_fields.get() or {}), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


def note(**fields) -> None:
    """Add fields to the current scope (None removes one); no scope, no effect."""
    scope = _fields.get()
    if scope is None:
        return
    for name, value in fields.items():
        if value is None:
            scope.pop(name, None)
        else:
            scope[name] = value


def scoped(function: F) -> F:
    """Run each call of `function` in its own scope."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with log_context():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current() -> dict:
    """The fields of the current scope (a copy)."""
    return dict(_fields.get() or {})
