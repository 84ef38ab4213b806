"""Starting and watching the processes a benchmark measures: `servicedesk serve`, the bare Bolt
baseline (bench/support/bare_bolt.py), a bare Python; free ports, readiness, resident memory."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SERVICEDESK = str(Path(sys.executable).with_name("servicedesk"))
BARE_BOLT = str(Path(__file__).with_name("bare_bolt.py"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def desk_env(database_url: str, **extra: str) -> dict:
    """The environment for `servicedesk serve`: this checkout's app.yaml, the given database, no
    chat tokens from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update({"SERVICEDESK_DATABASE_URL": database_url, "SERVICEDESK_CONFIG": str(ROOT / "app.yaml"), **extra})
    return env


def start_serve(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([SERVICEDESK, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def start_bare_bolt(port: int, signing_secret: str, database_url: str | None = None) -> subprocess.Popen:
    """The bare Bolt baseline; with `database_url`, the one-committed-row-per-event floor."""
    extra = [database_url] if database_url else []
    return subprocess.Popen([sys.executable, BARE_BOLT, str(port), signing_secret, *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_ready(port: int, process: subprocess.Popen, *, path: str = "/readyz", timeout: float = 120) -> float:
    """Seconds until `path` answers 200; exits with the process's stderr if it dies first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[:2]} exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{process.args[:2]} did not answer {path} within {timeout} s")


def memory_mb(pid: int) -> dict:
    """Resident size now (VmRSS) and at its peak (VmHWM), in MB, from /proc/PID/status."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(rest.split()[0]) / 1024, 1)  # kB
    return {"rss_mb": found.get("VmRSS"), "peak_mb": found.get("VmHWM")}


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
