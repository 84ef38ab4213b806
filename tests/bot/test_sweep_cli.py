"""`servicedesk sweep` as cron runs it: the done-when of issue 6, bad input, and two sweeps at once."""
from __future__ import annotations

import json
import subprocess

from tests.bot.test_cli import run
from tests.conftest import ROOT, SERVICEDESK
from tests.sla_helpers import open_incident

OUTAGE = "production is down for all customers, the whole site is offline\n"


def _ticket(cli_env, ref="INC-1") -> dict:
    shown = run(["tickets", "show", ref, "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_an_unanswered_p1_is_not_escalated_at_5_minutes_is_at_20_and_only_once(cli_env):
    chat = run(["chat", "--as", "alice"], cli_env, OUTAGE)
    assert chat.returncode == 0, chat.stderr
    assert "INC-1" in chat.stdout and "priority P1" in chat.stdout
    assert "[#major-inc-1] (new channel; invited" in chat.stdout  # its own channel, at once
    assert "[#managers] P1 INC-1" in chat.stdout  # management hears about every P1 at once

    early = run(["sweep", "--now", "+5m"], cli_env)
    assert early.returncode == 0, early.stderr
    assert early.stdout.strip().endswith("nothing due")
    assert _ticket(cli_env)["escalation_level"] == 0

    late = run(["sweep", "--now", "+20m"], cli_env)
    assert late.returncode == 0, late.stderr
    assert "sla: INC-1: first response breached → INC-1 escalated to level 1" in late.stdout
    assert "[@alice] INC-1 is now being looked at by a more senior team." in late.stdout
    assert "[#managers] INC-1 (P1" in late.stdout and "breached: first response target missed" in late.stdout
    escalated = _ticket(cli_env)
    assert escalated["escalation_level"] == 1
    assert [h["action"] for h in escalated["history"]].count("sla_breach") == 1

    again = run(["sweep", "--now", "+20m"], cli_env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith("nothing due") and "[" not in again.stdout
    assert _ticket(cli_env) == escalated  # nothing changed, not even the history
    assert "Traceback" not in chat.stderr + early.stderr + late.stderr + again.stderr


def test_a_bad_now_is_explained(cli_env):
    for bad in ("tomorrow", "+20x", "2026-13-01"):
        result = run(["sweep", "--now", bad], cli_env)
        assert result.returncode == 2
        assert "--now: expected an ISO time" in result.stderr and "Traceback" not in result.stderr


def test_an_iso_now_and_the_show_command_agree(cli_env):
    run(["chat", "--as", "alice"], cli_env, OUTAGE)
    created = _ticket(cli_env)["created_at"]
    result = run(["sweep", "--now", created], cli_env)
    assert result.returncode == 0 and "nothing due" in result.stdout


def test_two_sweep_processes_at_once_escalate_each_ticket_once(cli_env, desk, clock):
    refs = [open_incident(desk, "P1", queue=("technical", "application", "operations")[i % 3]) for i in range(24)]
    at = clock.now().isoformat().replace("+00:00", "Z")
    later = (clock.now().replace(minute=20)).isoformat().replace("+00:00", "Z")
    assert at.endswith("09:00:00Z") and later.endswith("09:20:00Z")
    sweeps = [subprocess.Popen([SERVICEDESK, "sweep", "--now", later], cwd=ROOT, env=cli_env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in sweeps]
    assert all(process.returncode == 0 for process in sweeps), outputs
    breaches = [line for out, _ in outputs for line in out.splitlines() if "first response breached" in line]
    assert sorted(line.split(":")[1].strip() for line in breaches) == sorted(refs)  # each once, by one of them
    for ref in refs:
        ticket = _ticket(cli_env, ref)
        assert ticket["escalation_level"] == 1
        assert [h["action"] for h in ticket["history"]].count("set_escalation_level") == 1


def test_serve_runs_every_sweep_as_an_interval_job_starting_at_once(desk):
    from bot.server import Runtime

    runtime = Runtime(desk)
    runtime.start()
    try:
        jobs = {job.id: job for job in runtime.scheduler.get_jobs()}
        for name in ("sla", "status-updates", "auto-close", "major-incidents"):
            job = jobs[f"sweep-{name}"]
            assert job.trigger.interval.total_seconds() == desk.organisation.sweeps.interval_seconds
        assert "outbox-relay" in jobs
    finally:
        runtime.stop()
