"""Event intake throughput: `servicedesk serve` (a real uvicorn on a free 127.0.0.1 port, SQLite)
driven over HTTP, against a raw SQLAlchemy insert rate into the same table in the same run.

Phases: single-alert Alertmanager requests over 64 keep-alive connections (distinct alerts over 50
services, so most are grouped into the services' incidents), the same alerts sent again
(repeats), then batched Alertmanager payloads of 100 alerts over 8 connections. At the end the database is counted: every alert recorded once, every
delivery counted, one incident per service; any difference is reported as lost or doubled.

Prints one JSON object. Targets (issue #7): >= 1,000 single-alert requests/s and >= 5,000
alerts/s in batched payloads on a 2-core machine with SQLite; nothing lost or doubled.

On a busy machine the rates move with the load; each phase also reports the server's CPU seconds
(all its threads, from /proc on Linux) and the rate per CPU second, which move much less. The
server's log goes to a file in the run's folder (`server_log` in the output).

    SERVICEDESK_MODEL_DIR=/tmp/devmodel .venv/bin/python bench/events.py [--single 5000] [--batches 200]

`--in-process` skips HTTP: it times (CPU) JSON decoding, parsing and `handlers.events.ingest` on the
same batched payloads, eight requests per ingest as the group commit gathers them, and prints the
microseconds per alert of each and the ingest's alerts per CPU second.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
SERVICES = 50
CONNECTIONS = 64  # concurrent senders (Alertmanager replicas and groups, PagerDuty integrations, ...)
BATCH_CONNECTIONS = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert(number: int, service: str, starts: datetime) -> dict:
    return {
        "status": "firing",
        "labels": {"alertname": "HighLatency", "service": service, "severity": "critical",
                   "instance": f"node-{number}:9100"},
        "annotations": {"summary": f"p99 latency above 2s on node-{number}"},
        "startsAt": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": f"{number:016x}",
    }


def webhook(alerts: list[dict]) -> bytes:
    return json.dumps({"version": "4", "groupKey": "{}:{alertname=\"HighLatency\"}", "status": "firing",
                       "receiver": "servicedesk", "groupLabels": {"alertname": "HighLatency"},
                       "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
                       "truncatedAlerts": 0, "alerts": alerts}).encode()


def request_bytes(port: int, body: bytes) -> bytes:
    head = (f"POST /events/alertmanager HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def drive(port: int, bodies: list[bytes], connections: int = CONNECTIONS) -> tuple[float, dict[int, int]]:
    """Send every body once over `connections` keep-alive connections; (seconds, status counts)."""
    queue = list(reversed([request_bytes(port, body) for body in bodies]))
    statuses: dict[int, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                writer.write(queue.pop())
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                length = next(int(line.split(":", 1)[1]) for line in lines
                              if line.lower().startswith("content-length:"))
                await reader.readexactly(length)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started, statuses


def raw_insert_rates(url: str, rows: int) -> dict:
    """The same rows straight into monitoring_events with SQLAlchemy Core: one commit per row, and
    one transaction for all."""
    from sqlalchemy import insert

    from storage.database import Database
    from storage.events import MonitoringEvent

    database = Database(url)
    database.upgrade()
    now = datetime.now(timezone.utc)

    def row(n: int, tag: str) -> dict:
        return {"source": "bench", "dedup_key": f"{tag}-{n}", "alert_key": f"{tag}-{n}", "service": "svc",
                "instance": None, "severity": "critical", "level": "exception", "summary": "raw", "status": "firing", "count": 1,
                "first_seen": now, "last_seen": now, "resolved_at": None, "ticket_id": None, "details": None}

    started = time.perf_counter()
    for n in range(rows):
        with database.engine.begin() as connection:
            connection.execute(insert(MonitoringEvent), [row(n, "single")])
    per_commit = rows / (time.perf_counter() - started)
    started = time.perf_counter()
    with database.engine.begin() as connection:
        connection.execute(insert(MonitoringEvent), [row(n, "many") for n in range(rows * 10)])
    batched = rows * 10 / (time.perf_counter() - started)
    database.dispose()
    return {"rows_per_s_one_commit_each": round(per_commit), "rows_per_s_one_transaction": round(batched)}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and all its threads so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(pid: int, run) -> tuple[float, dict[int, int], float | None]:
    """(seconds, status counts, server CPU seconds) of one phase."""
    before = cpu_seconds(pid)
    seconds, statuses = run()
    after = cpu_seconds(pid)
    return seconds, statuses, None if before is None or after is None else after - before


def per_cpu(count: int, cpu: float | None, what: str) -> dict:
    if cpu is None:
        return {}
    return {"server_cpu_s": round(cpu, 3), f"{what}_per_server_cpu_s": round(count / cpu) if cpu > 0 else None}


def wait_ready(port: int, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"servicedesk serve exited: {log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("servicedesk serve did not become ready")


def count(url: str) -> dict:
    from sqlalchemy import func, select

    from storage.database import Database
    from storage.events import MonitoringEvent
    from storage.models import Ticket

    database = Database(url)
    with database.session() as session:
        occurrences, deliveries = session.execute(
            select(func.count(), func.coalesce(func.sum(MonitoringEvent.count), 0))
            .where(MonitoringEvent.source == "alertmanager")).one()
        incidents = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
        per_service = session.execute(
            select(MonitoringEvent.service, func.count(func.distinct(MonitoringEvent.ticket_id)))
            .group_by(MonitoringEvent.service)).all()
    database.dispose()
    return {"occurrences": occurrences, "deliveries": deliveries, "incidents": incidents,
            "services_with_more_than_one_incident": sum(1 for _, n in per_service if n != 1)}


def in_process(batches: int, batch_size: int, per_commit: int = BATCH_CONNECTIONS) -> dict:
    """CPU microseconds per alert of decoding, parsing and ingesting batched payloads, in process."""
    from bot.config import load_organisation
    from handlers.clock import SystemClock
    from handlers.desk import Desk
    from handlers.event_formats import parse_alertmanager
    from handlers.events import ingest
    from storage.database import Database

    database = Database(f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-events-')) / 'desk.db'}")
    database.upgrade()
    desk = Desk(organisation=load_organisation(ROOT / "app.yaml"), database=database, classifier=None,
                clock=SystemClock())
    limit = desk.organisation.events.max_events_per_request
    starts = datetime.now(timezone.utc) - timedelta(minutes=1)
    bodies = [webhook([alert(n, f"batch-{n % SERVICES}", starts) for n in range(b * batch_size, (b + 1) * batch_size)])
              for b in range(batches + 1)]
    ingest(desk, [parse_alertmanager(json.loads(bodies[0]), limit=limit)])  # opens the services' incidents
    spent = {"json": 0.0, "parse": 0.0, "ingest": 0.0}
    for first in range(1, batches + 1, per_commit):
        started = time.process_time()
        decoded = [json.loads(body) for body in bodies[first:first + per_commit]]
        parsed = time.process_time()
        requests = [parse_alertmanager(data, limit=limit) for data in decoded]
        ingesting = time.process_time()
        ingest(desk, requests)
        done = time.process_time()
        spent["json"] += parsed - started
        spent["parse"] += ingesting - parsed
        spent["ingest"] += done - ingesting
    database.dispose()
    alerts = batches * batch_size
    return {"alerts": alerts, "requests_per_ingest": per_commit,
            **{f"{stage}_us_per_alert": round(seconds / alerts * 1e6, 1) for stage, seconds in spent.items()},
            "ingest_alerts_per_cpu_s": round(alerts / spent["ingest"]),
            "all_alerts_per_cpu_s": round(alerts / sum(spent.values()))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=5_000, help="single-alert requests")
    parser.add_argument("--repeats", type=int, default=1_000, help="single-alert requests sent again")
    parser.add_argument("--batches", type=int, default=200, help="batched requests of --batch-size alerts")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="concurrent keep-alive connections")
    parser.add_argument("--batch-connections", type=int, default=BATCH_CONNECTIONS)
    parser.add_argument("--in-process", action="store_true", help="no HTTP: time parsing and ingest in process")
    args = parser.parse_args()
    if args.in_process:
        print(json.dumps({"in_process": in_process(args.batches, args.batch_size)}, indent=2))
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-events-"))
    url = f"sqlite:///{workdir / 'desk.db'}"
    raw = raw_insert_rates(f"sqlite:///{workdir / 'raw.db'}", 1_000)

    port = free_port()
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": url, "SERVICEDESK_EVENTS_TOKEN": TOKEN,
           "SERVICEDESK_CONFIG": str(ROOT / "app.yaml")}
    for name in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN"):
        env.pop(name, None)
    command = [str(Path(sys.executable).with_name("servicedesk")), "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = workdir / "serve.log"  # a file, not a pipe: a pipe nobody reads stalls a server that logs a lot
    with log.open("w") as log_file:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        wait_ready(port, server, log)
        starts = datetime.now(timezone.utc) - timedelta(minutes=1)
        single = [webhook([alert(n, f"svc-{n % SERVICES}", starts)]) for n in range(args.single)]
        asyncio.run(drive(port, single[:200], args.connections))  # warm up (these alerts are part of the count)
        single_s, single_status, single_cpu = timed(
            server.pid, lambda: asyncio.run(drive(port, single[200:], args.connections)))
        repeat_s, repeat_status, _ = timed(server.pid, lambda: asyncio.run(drive(port, single[:args.repeats],
                                                                                  args.connections)))
        offset = args.single
        numbers = [[offset + b * args.batch_size + i for i in range(args.batch_size)] for b in range(args.batches)]
        batched = [webhook([alert(n, f"batch-{n % SERVICES}", starts) for n in batch]) for batch in numbers]
        batch_s, batch_status, batch_cpu = timed(server.pid,
                                                 lambda: asyncio.run(drive(port, batched, args.batch_connections)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    found = count(url)
    alerts_sent = args.single + args.batches * args.batch_size
    deliveries_sent = alerts_sent + args.repeats
    result = {
        "raw_sqlalchemy_insert": raw,
        "single_alert_requests": {"requests": args.single - 200, "seconds": round(single_s, 3),
                                  "requests_per_s": round((args.single - 200) / single_s), "statuses": single_status,
                                  **per_cpu(args.single - 200, single_cpu, "requests")},
        "repeat_requests": {"requests": args.repeats, "requests_per_s": round(args.repeats / repeat_s),
                            "statuses": repeat_status},
        "batched_requests": {"requests": args.batches, "alerts_per_request": args.batch_size,
                             "seconds": round(batch_s, 3),
                             "alerts_per_s": round(args.batches * args.batch_size / batch_s),
                             "statuses": batch_status, **per_cpu(args.batches * args.batch_size, batch_cpu, "alerts")},
        "check": {**found, "alerts_sent": alerts_sent, "deliveries_sent": deliveries_sent,
                  "lost": max(0, alerts_sent - found["occurrences"]),
                  "doubled": max(0, found["occurrences"] - alerts_sent),
                  "deliveries_uncounted": deliveries_sent - found["deliveries"],
                  "expected_incidents": 2 * SERVICES},
        "targets": {"single_requests_per_s": 1_000, "batched_alerts_per_s": 5_000},
        "connections": {"single": args.connections, "batched": args.batch_connections},
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "server_log": str(log),
    }
    result["ok"] = (result["single_alert_requests"]["requests_per_s"] >= 1_000
                    and result["batched_requests"]["alerts_per_s"] >= 5_000
                    and result["check"]["lost"] == 0 and result["check"]["doubled"] == 0
                    and result["check"]["deliveries_uncounted"] == 0
                    and found["incidents"] == 2 * SERVICES and found["services_with_more_than_one_incident"] == 0)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
