"""Issue 8's done-when, as a person runs it: piped chat, approval by the wrong and the right
person, the ticket's JSON with approver and expiry, and the auditor's export."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from tests.bot.test_cli import run


def test_piped_access_request_is_approved_by_carol_not_alice_and_shows_the_expiry(cli_env):
    opened = run(["chat", "--as", "alice"], cli_env, "I need access to Salesforce to work on the Q4 pipeline\n7 days\n")
    assert opened.returncode == 0, opened.stderr
    assert "ACC-1" in opened.stdout and "How long do you need it" in opened.stdout
    assert "Waiting for approval from Carol (Application)" in opened.stdout
    assert "[@carol] alice asks for your approval on ACC-1" in opened.stdout

    refused = run(["chat", "--as", "alice"], cli_env, "/sd approve ACC-1\n")
    assert "can't approve" in refused.stdout and "separation of duties" in refused.stdout
    approved = run(["chat", "--as", "carol"], cli_env, "/sd approve ACC-1 ok for Q4\n")
    assert "Approved ACC-1." in approved.stdout
    assert "[#application] Task ACC-1: give Alice access to Salesforce" in approved.stdout

    ticket = json.loads(run(["tickets", "show", "ACC-1", "--json"], cli_env).stdout)
    access = ticket["access"]
    assert (access["resource"], access["beneficiary"], access["justification"]) == \
        ("salesforce", "alice", "work on the Q4 pipeline")
    assert [(a["approver"], a["decision"], a["note"]) for a in access["approvals"]] == [("carol", "approved", "ok for Q4")]
    planned = datetime.fromisoformat(access["expires_at"])
    assert planned - datetime.fromisoformat(access["grant"]["approved_at"]) == timedelta(days=7)

    granted = run(["chat", "--as", "carol"], cli_env, "/sd granted ACC-1\n")
    assert "access recorded" in granted.stdout
    grant = json.loads(run(["tickets", "show", "ACC-1", "--json"], cli_env).stdout)["access"]["grant"]
    assert datetime.fromisoformat(grant["expires_at"]) - datetime.fromisoformat(grant["granted_at"]) == timedelta(days=7)
    assert grant["approvers"] == ["carol"]
    assert "Traceback" not in opened.stdout + refused.stdout + approved.stdout + granted.stdout


def test_audit_export_writes_the_trail_as_jsonl_and_csv_and_rejects_a_bad_date(cli_env, tmp_path):
    run(["chat", "--as", "alice"], cli_env, "I need access to Salesforce to work on the Q4 pipeline\n7 days\n"
                                            "/sd approve ACC-1\n")
    run(["chat", "--as", "carol"], cli_env, "/sd deny ACC-1 use the shared dashboard instead\n")
    lines = run(["audit", "export", "--since", "2020-01-01"], cli_env).stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["event"], e["actor"]) for e in events] == [
        ("requested", "alice"), ("approval_requested", "alice"), ("refused", "console:alice"), ("denied", "carol")]
    assert all(e["ticket"] == "ACC-1" and e["resource"] == "salesforce" for e in events)
    assert events[-1]["reason"] == "use the shared dashboard instead"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)

    out = tmp_path / "trail.csv"
    assert run(["audit", "export", "--since", "2020-01-01", "--format", "csv", "--out", str(out)], cli_env).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["event"] for r in rows] == [e["event"] for e in events] and rows[-1]["actor"] == "carol"
    assert run(["audit", "export", "--since", "2999-01-01"], cli_env).stdout == ""

    bad = run(["audit", "export", "--since", "last tuesday"], cli_env)
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr
