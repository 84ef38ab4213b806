"""`servicedesk report` and the console's `/sd report`: the PNG on disk, the summary printed,
JSON figures, clear errors for bad dates."""
from __future__ import annotations

import json

from tests.bot.test_cli import run
from tests.sla_helpers import open_incident

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(path) -> tuple[int, int]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image

    return matplotlib.image.imread(str(path)).shape[:2]


def test_report_writes_the_chart_and_prints_the_summary(cli_env, desk, tmp_path):
    open_incident(desk, "P3")  # Mon 23 Nov 2026, 09:00
    open_incident(desk, "P2", queue="application", who="bea")
    out = tmp_path / "charts" / "week.png"
    result = run(["report", "--since", "2026-11-23", "--until", "2026-11-23", "--out", str(out)], cli_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Service desk report, Mon 23 Nov - Mon 23 Nov 2026\n")
    assert "Opened: 2 (2 incidents; technical 1, application 1)" in result.stdout
    assert f"chart written to {out}" in result.stdout
    assert out.read_bytes().startswith(PNG_MAGIC) and _png_size(out) == (900, 1500)

    scoped = run(["report", "--since", "2026-11-23", "--until", "2026-11-23", "--queue", "application", "--json"],
                 cli_env)
    figures = json.loads(scoped.stdout)
    assert (figures["opened"], figures["by_queue"], figures["period"]["queue"]) == (1, {"application": 1}, "application")
    assert figures["backlog"]["< 1 day"] == 1 and figures["chart"] is None


def test_an_empty_period_draws_a_chart_that_says_no_tickets(cli_env, database, tmp_path):
    out = tmp_path / "empty.png"
    result = run(["report", "--since", "2020-01-01", "--until", "2020-01-31", "--out", str(out)], cli_env)
    assert result.returncode == 0, result.stderr
    assert "Service desk report, Wed 01 Jan - Fri 31 Jan 2020\nNo tickets in this period." in result.stdout
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_bad_dates_are_explained_with_exit_status_2(cli_env, database, tmp_path):
    for args, complaint in (
        (["--since", "2026-13-01"], "--since: '2026-13-01' is not a date (expected YYYY-MM-DD"),
        (["--since", "last week"], "--since: 'last week' is not a date"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "--since (2026-11-20) must be before --until (2026-11-01)"),
    ):
        result = run(["report", *args, "--out", str(tmp_path / "x.png")], cli_env)
        assert result.returncode == 2 and complaint in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not (tmp_path / "x.png").exists()
    missing = run(["report", "--out", str(tmp_path / "x.png")], cli_env)
    assert missing.returncode == 2 and "--since" in missing.stderr


def test_the_console_saves_the_chart_and_prints_its_path(cli_env, database, tmp_path):
    cli_env["SERVICEDESK_REPORT_DIR"] = str(tmp_path / "reports")
    result = run(["chat", "--as", "maria"], cli_env, "/sd report\n/sd report 30d\n")
    assert result.returncode == 0, result.stderr
    saved = [line.removeprefix("chart saved to ") for line in result.stdout.splitlines()
             if line.startswith("chart saved to ")]
    assert len(saved) == 2 and saved[0] != saved[1]
    for path in saved:
        assert path.startswith(str(tmp_path / "reports")) and open(path, "rb").read(8) == PNG_MAGIC
    assert "Service desk report, " in result.stdout and "No tickets in this period." in result.stdout
