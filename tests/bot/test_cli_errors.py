"""The `servicedesk` command when something is wrong: a clear line on stderr and an exit status,
never a traceback (a file that cannot be written, odd bytes on stdin, an unsupported database),
and `sweep --now` saying plainly that it acts for real."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.bot.test_cli import run
from tests.conftest import ROOT, SERVICEDESK

OUTAGE = "production is down for all customers, the whole site is offline\n"


def _clean(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


@pytest.mark.parametrize("where", ["/proc/x.csv", "a-file/x.csv", "."])
def test_audit_export_to_a_place_that_cannot_be_written_says_so_like_report(cli_env, tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    if where.startswith("/") and not Path("/proc").is_dir():
        pytest.skip("no /proc here")
    out = where if where.startswith("/") else str(tmp_path / where)
    result = run(["audit", "export", "--since", "2026-11-01", "--format", "csv", "--out", out], cli_env)
    _clean(result)
    assert result.returncode == 1  # as `report --out` when the chart cannot be written
    assert result.stderr.startswith(f"servicedesk: cannot write the audit export to {Path(out)}:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_audit_export_makes_the_folder_and_a_bad_date_leaves_no_empty_file(cli_env, tmp_path):
    out = tmp_path / "exports" / "trail.jsonl"
    bad = run(["audit", "export", "--since", "last tuesday", "--out", str(out)], cli_env)
    assert bad.returncode == 2 and "--since" in bad.stderr and not out.exists()
    good = run(["audit", "export", "--since", "2026-11-01", "--out", str(out)], cli_env)
    assert good.returncode == 0, good.stderr
    assert out.exists() and out.read_text() == ""


def test_classify_copes_with_bytes_that_are_not_utf8_as_chat_does(cli_env):
    lines = b"x \xff\xfe\nmy laptop \xff won't turn on\n"
    result = subprocess.run([SERVICEDESK, "classify"], input=lines, capture_output=True, env=cli_env, cwd=ROOT,
                            timeout=120)
    stdout, stderr = result.stdout.decode(), result.stderr.decode(errors="replace")
    assert "Traceback" not in stderr and result.returncode == 0, stderr
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert len(answers) == 2  # one answer per line, the stray bytes dropped
    assert (answers[1]["intent"], answers[1]["queue"]) == ("incident", "technical")
    chat = subprocess.run([SERVICEDESK, "chat", "--as", "alice"], input=b"x \xff\xfe\n", capture_output=True,
                          env=cli_env, cwd=ROOT, timeout=120)
    assert chat.returncode == 0 and b"Traceback" not in chat.stdout + chat.stderr


@pytest.mark.parametrize("url, message", [
    ("mysql://x@y/z", "the desk supports only SQLite and PostgreSQL"),
    ("oracle://scott:tiger@db/orcl", "the desk supports only SQLite and PostgreSQL"),
    ("postgresql+pg8000://desk:hunter2@db/desk", "the database driver for postgresql+pg8000://desk:***@db/desk "
                                                 "cannot be loaded"),
    ("postgresql+nosuchdriver://desk@db/desk", "cannot be loaded"),
])
def test_a_database_url_the_desk_cannot_use_is_explained(cli_env, url, message):
    for args in (["tickets", "list"], ["db", "upgrade"]):
        result = run(args, {**cli_env, "SERVICEDESK_DATABASE_URL": url})
        _clean(result)
        assert result.returncode == 1
        assert result.stderr.startswith("servicedesk: SERVICEDESK_DATABASE_URL") and message in result.stderr
        assert "hunter2" not in result.stderr and "tiger" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_sweep_now_is_described_as_acting_for_real_and_warns_when_there_are_tickets(cli_env):
    helped = run(["sweep", "--help"], cli_env)
    assert "Not a dry run" in " ".join(helped.stdout.split())
    empty = run(["sweep", "--now", "+20m"], cli_env)
    assert empty.returncode == 0 and empty.stderr == ""  # nothing to act on: no warning
    run(["chat", "--as", "alice"], cli_env, OUTAGE)
    shifted = run(["sweep", "--now", "+20m"], cli_env)
    _clean(shifted)
    assert shifted.returncode == 0
    warning = shifted.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("servicedesk: warning: --now is not a dry run")
    assert "holds 1 ticket," in warning[0] and "scratch database" in warning[0]
    assert "INC-1 escalated to level 1" in shifted.stdout  # and it did act
    assert run(["sweep"], cli_env).stderr == ""  # a plain sweep (cron) never warns
