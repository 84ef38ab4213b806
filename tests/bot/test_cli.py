"""The `servicedesk` command as a person runs it: piped chat, restarts, admin views, bad set-ups."""
from __future__ import annotations

import json
import subprocess

from tests.conftest import ROOT, SERVICEDESK


def run(args, env, stdin: str = "", cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([SERVICEDESK, *args], input=stdin, capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=120)


def test_piped_chat_opens_a_technical_incident_and_prints_its_id(cli_env):
    result = run(["chat", "--as", "alice"], cli_env, "my laptop won't turn on\n")
    assert result.returncode == 0, result.stderr
    assert "INC-1" in result.stdout and "technical" in result.stdout
    assert "[#technical] New INC-1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_ticket_survives_a_restart_and_its_whole_history_shows(cli_env):
    run(["chat", "--as", "alice"], cli_env, "my laptop won't turn on\n/sd take INC-1\n")
    staff = run(["chat", "--as", "agent"], cli_env, "/sd take INC-1\n/sd resolve INC-1 replaced the charger\n")
    assert "INC-1 is now assigned to Sam" in staff.stdout
    assert "[@alice] INC-1 is resolved: replaced the charger" in staff.stdout
    shown = run(["tickets", "show", "INC-1", "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    ticket = json.loads(shown.stdout)
    for key in ("id", "kind", "queue", "priority", "impact", "urgency", "status", "assignee", "requester",
                "created_at", "escalation_level", "history"):
        assert key in ticket
    assert (ticket["status"], ticket["assignee"], ticket["escalation_level"]) == ("resolved", "agent", 0)
    steps = [(h["actor"], h["action"], h["after"]) for h in ticket["history"]]
    assert steps[0] == ("alice", "opened", "new")
    assert ("console:alice", "refused", None) in steps  # alice tried to take it
    assert ("agent", "set_assignee", "agent") in steps
    assert ("agent", "set_status", "resolved") in steps
    listed = json.loads(run(["tickets", "list", "--json"], cli_env).stdout)
    assert [t["id"] for t in listed] == ["INC-1"]
    table = run(["tickets", "list"], cli_env).stdout
    assert "INC-1" in table and "resolved" in table


def test_show_with_a_wrong_id_says_so(cli_env):
    run(["db", "upgrade"], cli_env)
    for ref, message in (("INC-404", "no ticket INC-404"), ("nonsense", "not a ticket id")):
        result = run(["tickets", "show", ref], cli_env)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_config_names_the_key_the_value_and_what_was_expected(cli_env, tmp_path):
    config = (ROOT / "app.yaml").read_text().replace("P1: {first_response: 15m", "P1: {first_response: soon")
    path = tmp_path / "bad.yaml"
    path.write_text(config)
    result = run(["chat", "--as", "alice"], {**cli_env, "SERVICEDESK_CONFIG": str(path)}, "hi\n")
    assert result.returncode == 2
    assert "sla.P1.first_response" in result.stderr and "'soon'" in result.stderr and "15m" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_yaml_and_missing_file_exit_2(cli_env, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("queues: [unclosed\n")
    result = run(["tickets", "list"], {**cli_env, "SERVICEDESK_CONFIG": str(path)})
    assert result.returncode == 2 and "not valid YAML at line" in result.stderr
    result = run(["tickets", "list"], {**cli_env, "SERVICEDESK_CONFIG": str(tmp_path / "nope.yaml")})
    assert result.returncode == 2 and "no such configuration file" in result.stderr


def test_an_unreachable_database_is_reported_clearly(cli_env):
    env = {**cli_env, "SERVICEDESK_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"}
    for args in (["tickets", "list"], ["chat", "--as", "alice"]):
        result = run(args, env, "my laptop won't turn on\n")
        assert result.returncode == 1
        assert "cannot be reached" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_a_database_from_an_unknown_release_is_left_alone_and_explained(cli_env, tmp_path):
    import sqlite3

    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as db:  # what a newer release of the desk would leave behind
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('9999')")
    env = {**cli_env, "SERVICEDESK_DATABASE_URL": f"sqlite:///{path}"}
    for args in (["tickets", "list"], ["chat", "--as", "alice"], ["report", "--since", "2026-11-01"]):
        result = run(args, env, "my laptop won't turn on\n")
        assert result.returncode == 1
        assert "schema this version of the desk does not know" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999",)]
