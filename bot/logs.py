"""The desk's log lines: text for people, or one JSON object per line for a log pipeline.

    SERVICEDESK_LOG_FORMAT=json   {"time": ..., "level": ..., "logger": ..., "message": ...,
                                   "ticket": "INC-12", ...extra fields}
    (anything else)               2026-11-23 09:00:00,000 WARNING handlers.x [INC-12]: message

- The ticket (and any other field of handlers.log_context) comes from the piece of work that
  wrote the line, through `ContextFilter`, so a line carries it wherever it was logged from.
- No line can be forged: control characters (CR, LF, ...) in a message or a field become a
  space, so text that reached a message (user text in an exception, a header) stays on its line.
  In text format a traceback's lines are indented under the line that logged it.
"""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timezone

from handlers.log_context import current

FORMAT_ENV = "SERVICEDESK_LOG_FORMAT"
LEVEL_ENV = "SERVICEDESK_LOG_LEVEL"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Attributes every LogRecord has; anything else on a record is an `extra` field worth showing.
_OURS = "_servicedesk_handler"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def one_line(value: object) -> str:
    """`value` as text with every control character (CR and LF first) turned into a space."""
    return _CONTROL.sub(" ", str(value))


class ContextFilter(logging.Filter):
    """Copies the current log context (ticket, ...) onto each record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _extras(record: logging.LogRecord) -> dict:
    return {name: value for name, value in vars(record).items()
            if name not in _STANDARD and not name.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": one_line(record.getMessage()),
        }
        for name, value in _extras(record).items():
            entry.setdefault(name, value if isinstance(value, (int, float, bool)) or value is None else one_line(value))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)  # JSON keeps its newlines escaped
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's naming
        record.message = one_line(record.message)
        extras = _extras(record)
        ticket = extras.pop("ticket", None)
        record.where = f" [{one_line(ticket)}]" if ticket else ""
        line = super().formatMessage(record)
        extras.pop("where", None)
        if extras:
            line += " " + " ".join(f"{name}={one_line(value)}" for name, value in extras.items())
        return line

    def formatException(self, exc_info) -> str:  # noqa: N802
        return "\n".join("    " + line for line in super().formatException(exc_info).splitlines())

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return "\n".join("    " + line for line in stack_info.splitlines())


def formatter(environ: dict | None = None) -> logging.Formatter:
    value = (os.environ if environ is None else environ).get(FORMAT_ENV, "text").strip().lower()
    return JsonFormatter() if value == "json" else TextFormatter()


def prepare(handler: logging.Handler, environ: dict | None = None) -> logging.Handler:
    """Give `handler` the desk's format and context filter."""
    handler.setFormatter(formatter(environ))
    if not any(isinstance(f, ContextFilter) for f in handler.filters):
        handler.addFilter(ContextFilter())
    return handler


def configure(handler: logging.Handler | None = None, environ: dict | None = None) -> None:
    """Root logging for the `servicedesk` command: one handler of ours (stderr unless given; it
    replaces the one set before), the level from SERVICEDESK_LOG_LEVEL (WARNING by default).
    Handlers someone else installed (a test runner's) are left alone."""
    environ = os.environ if environ is None else environ
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _OURS, False):
            root.removeHandler(old)
            old.close()
    handler = prepare(handler or logging.StreamHandler(), environ)
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    level = environ.get(LEVEL_ENV, "WARNING").strip().upper() or "WARNING"
    root.setLevel(level if level in logging.getLevelNamesMapping() else "WARNING")
