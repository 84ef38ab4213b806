"""`servicedesk serve` as a process: it starts without chat tokens and answers health checks."""
from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

from tests.conftest import ROOT, SERVICEDESK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_starts_without_chat_tokens_and_reports_health(cli_env):
    port = _free_port()
    env = {k: v for k, v in cli_env.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN")}
    process = subprocess.Popen([SERVICEDESK, "serve", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "serve did not start listening"
                time.sleep(0.2)
        assert (status, body) == (200, {"status": "alive"})
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and body == {"status": "ready", "model": True, "database": True}
    finally:
        process.terminate()
        process.wait(timeout=10)
