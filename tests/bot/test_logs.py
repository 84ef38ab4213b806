"""Log lines: one JSON object per line with SERVICEDESK_LOG_FORMAT=json, the ticket on every line
written while the desk works on one, and no line forged by CR/LF in user text."""
from __future__ import annotations

import io
import json
import logging
import subprocess
from pathlib import Path

import pytest

from bot.logs import prepare
from tests.conftest import ROOT, SERVICEDESK
from tests.sla_helpers import open_incident, sweep

FORGED = 'x\r\n{"time": "2026-11-23T09:00:00Z", "level": "CRITICAL", "logger": "forged", "message": "pwned"}\rEND'


@pytest.fixture
def captured(request):
    """The root logger at INFO into a buffer, formatted as the desk formats (param: json|text)."""
    buffer = io.StringIO()
    handler = prepare(logging.StreamHandler(buffer), {"SERVICEDESK_LOG_FORMAT": request.param})
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def desk_lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line]


@pytest.mark.parametrize("captured", ["json"], indirect=True)
def test_json_lines_carry_the_ticket_and_user_text_cannot_forge_a_line(desk, people, captured):
    assert people.say("alice", f"my laptop won't turn on {FORGED}") is None
    logging.getLogger("tests.user_text").warning("echoing user text: %s", FORGED)  # as a careless module might

    entries = [json.loads(line) for line in desk_lines(captured)]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    opened = [e for e in entries if e["logger"] == "handlers.intake"]
    assert [(e["level"], e["ticket"]) for e in opened] == [("INFO", "INC-1")]
    assert opened[0]["message"].startswith("opened INC-1: incident, ")
    assert "laptop" not in json.dumps(opened)  # the user's text is not logged
    echoed = [e for e in entries if e["logger"] == "tests.user_text"]
    assert len(echoed) == 1 and "\r" not in echoed[0]["message"] and "\n" not in echoed[0]["message"]
    assert not any(e["logger"] == "forged" for e in entries)
    assert "ticket" not in echoed[0]  # written outside any ticket's work


@pytest.mark.parametrize("captured", ["json"], indirect=True)
def test_a_failing_sweep_logs_the_ticket_it_failed_on(desk, clock, captured, monkeypatch):
    ref = open_incident(desk, "P1", queue="application")
    from handlers import escalation

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom\nTraceback (most recent call last): forged")

    monkeypatch.setattr(escalation, "warn", broken)  # a bug in one step, not in storage
    clock.advance(minutes=12)
    assert sweep(desk) == []
    failures = [json.loads(line) for line in desk_lines(captured)]
    failures = [e for e in failures if e["logger"] == "handlers.sweeping"]
    assert len(failures) == 1 and failures[0]["level"] == "ERROR" and failures[0]["ticket"] == ref
    assert "RuntimeError: boom" in failures[0]["exception"]


@pytest.mark.parametrize("captured", ["text"], indirect=True)
def test_text_lines_show_the_ticket_and_keep_one_record_per_line(desk, people, captured):
    people.say("alice", "my laptop won't turn on")
    assert people.sd("agent", "/sd take INC-1").ok
    logging.getLogger("tests.user_text").warning("echoing user text: %s", FORGED)
    lines = desk_lines(captured)
    opened = [line for line in lines if " handlers.intake " in line]
    assert len(opened) == 1 and "INFO handlers.intake [INC-1]: opened INC-1: incident" in opened[0]
    echoed = [line for line in lines if "tests.user_text" in line]
    assert len(echoed) == 1 and echoed[0].endswith("END")  # the forged record stayed inside this line
    assert not any(line.startswith("{") for line in lines)


def test_the_cli_writes_json_lines_with_the_ticket(cli_env, tmp_path):
    env = {**cli_env, "SERVICEDESK_LOG_FORMAT": "json", "SERVICEDESK_LOG_LEVEL": "INFO"}
    result = subprocess.run([SERVICEDESK, "chat", "--as", "alice"], input="my laptop won't turn on\r\n",
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "INC-1" in result.stdout
    entries = [json.loads(line) for line in Path(env["SERVICEDESK_LOG_FILE"]).read_text().splitlines()]
    assert any(e["logger"] == "handlers.intake" and e.get("ticket") == "INC-1" for e in entries)
