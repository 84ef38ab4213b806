"""Memory: the resident size of `servicedesk serve` (SQLite, the intent model loaded, the Slack
front end on the fake Slack Web API) once /readyz answers and after some work, against a bare
Python process and a bare Bolt app (bench/support/bare_bolt.py) in the same run.

VmRSS (now) and VmHWM (peak) are read from /proc/PID/status.

Prints one JSON object. Target (issue #9): RSS <= 300 MB.

    .venv/bin/python bench/memory.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support.serving import (  # noqa: E402
    desk_env, free_port, memory_mb, start_bare_bolt, start_serve, stop, wait_ready,
)

TARGET_RSS_MB = 300
SECRET = "bench-signing-secret"


def bare_python() -> dict:
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        time.sleep(0.5)
        return memory_mb(process.pid)
    finally:
        process.stdin.close()
        process.wait()


def bare_bolt() -> dict:
    port = free_port()
    process = start_bare_bolt(port, SECRET)
    try:
        wait_ready(port, process, path="/healthz")
        return memory_mb(process.pid)
    finally:
        stop(process)


def servicedesk() -> dict:
    from tests.fakes.slack_api import FakeSlackApi

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-memory-')) / 'desk.db'}"
    port = free_port()
    with FakeSlackApi() as slack:
        process = start_serve(port, desk_env(url, SLACK_BOT_TOKEN=slack.token, SLACK_SIGNING_SECRET=SECRET,
                                             SLACK_API_URL=slack.url))
        try:
            ready_s = wait_ready(port, process)
            at_ready = memory_mb(process.pid)
            for _ in range(20):  # a little work: metrics scrapes read the database, health checks
                for path in ("/metrics", "/readyz", "/healthz"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                        response.read()
            after_work = memory_mb(process.pid)
        finally:
            stop(process)
    return {"seconds_to_ready": round(ready_s, 1), "at_ready": at_ready, "after_60_requests": after_work}


def main() -> None:
    desk = servicedesk()
    result = {
        "baseline_bare_python": bare_python(),
        "baseline_bare_bolt": bare_bolt(),
        "servicedesk_serve": desk,
        "targets": {"rss_mb": TARGET_RSS_MB},
        "cpus": os.cpu_count(),
    }
    rss = max(desk["at_ready"]["rss_mb"], desk["after_60_requests"]["rss_mb"])
    result["servicedesk_rss_mb"] = rss
    result["ok"] = rss <= TARGET_RSS_MB
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
