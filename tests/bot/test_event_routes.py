"""Monitoring events over real HTTP: uvicorn on a free port in this process (so the test moves the
desk's clock), real Alertmanager v4 and PagerDuty Events v2 payloads, httpx as the client."""
from __future__ import annotations

import copy
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from bot.event_routes import event_routes
from bot.server import Runtime, create_http_app
from storage.events import MonitoringEvent
from storage.models import Ticket

TOKEN = "s3cret-events-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(desk, environ: dict):
    app = create_http_app(Runtime(desk), extra_routes=event_routes(desk, environ))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def http(desk):
    server, thread, base = _serve(desk, {"SERVICEDESK_EVENTS_TOKEN": TOKEN})
    with httpx.Client(base_url=base, timeout=20) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


def alertmanager(*alerts: dict, status: str = "firing") -> dict:
    """An Alertmanager webhook (version 4) as Alertmanager sends it."""
    return {
        "version": "4",
        "groupKey": '{}/{severity="critical"}:{alertname="HighErrorRate"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "servicedesk",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": list(alerts),
    }


def alert(fingerprint: str = "c3b2a1d4e5f60718", *, service: str = "checkout", status: str = "firing",
          starts: str = "2026-11-23T08:58:30.123456789Z", severity: str = "critical", instance: str = "web-prod-01:9100",
          summary: str = "Checkout 5xx error rate above 5%", name: str = "HighErrorRate") -> dict:
    return {
        "status": status,
        "labels": {"alertname": name, "service": service, "severity": severity, "instance": instance, "job": "node"},
        "annotations": {"summary": summary, "runbook_url": "https://runbooks.example/5xx"},
        "startsAt": starts,
        "endsAt": "2026-11-23T09:10:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=rate%28http_5xx%5B5m%5D%29",
        "fingerprint": fingerprint,
    }


def pagerduty(action: str, dedup_key: str | None = None, **payload) -> dict:
    body: dict = {"routing_key": TOKEN, "event_action": action}
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    if action == "trigger":
        body["payload"] = {"summary": "PostgreSQL primary db01 not accepting connections", "source": "db01",
                           "severity": "critical", "component": "postgres", "group": "postgres", "class": "db",
                           "custom_details": {"connections": 0}, **payload}
        body["client"] = "Prometheus"
    return body


def _tickets(desk) -> list[Ticket]:
    with desk.database.session() as session:
        tickets = list(session.execute(select(Ticket).order_by(Ticket.id)).scalars())
        for ticket in tickets:
            list(ticket.comments)
        return tickets


def _events(desk) -> list[MonitoringEvent]:
    with desk.database.session() as session:
        return list(session.execute(select(MonitoringEvent).order_by(MonitoringEvent.id)).scalars())


def _channel(people, channel: str) -> list[str]:
    return [text for destination, address, text in people.outbox() if address == channel]


def test_a_firing_alert_sent_twice_makes_one_incident_and_its_resolve_resolves_it(http, desk, people, clock):
    first = http.post("/events/alertmanager", json=alertmanager(alert()), headers=AUTH)
    assert first.status_code == 200
    assert first.json()["results"][0]["outcome"] == "opened"
    ref = first.json()["results"][0]["ticket"]
    clock.advance(minutes=1)
    again = http.post("/events/alertmanager", json=alertmanager(alert()), headers=AUTH)
    assert again.json()["results"][0] == {**first.json()["results"][0], "outcome": "repeat"}
    [ticket] = _tickets(desk)
    assert (ticket.ref, ticket.kind, ticket.queue, ticket.status) == (ref, "incident", "application", "new")
    assert ticket.requester_name == "Alertmanager" and ticket.title.startswith("HighErrorRate: Checkout 5xx")
    assert ticket.priority == "P1"  # checkout is critical to the business, the alert is critical
    [event] = _events(desk)
    assert (event.count, event.last_seen, event.status) == (2, clock.now(), "firing")
    assert any(text.startswith(f"New {ref}") for text in _channel(people, "#application"))
    assert "repeat" in people.sd("agent", f"/sd show {ref}").text

    resolved = alertmanager(alert(status="resolved"), status="resolved")
    answer = http.post("/events/alertmanager", json=resolved, headers=AUTH)
    assert answer.status_code == 200 and answer.json()["results"][0]["outcome"] == "resolved"
    [ticket] = _tickets(desk)
    assert ticket.status == "resolved" and "recovered" in ticket.resolution
    assert any(f"{ref} resolved by Alertmanager" in text for text in _channel(people, "#application"))


def test_a_pagerduty_trigger_answers_202_and_echoes_its_dedup_key(http, desk, people):
    answer = http.post("/events/pagerduty", json=pagerduty("trigger", "db01-primary-down"))
    assert answer.status_code == 202
    assert answer.json() == {"status": "success", "message": "Event processed", "dedup_key": "db01-primary-down"}
    [ticket] = _tickets(desk)
    assert (ticket.queue, ticket.requester_name) == ("technical", "PagerDuty")
    generated = http.post("/events/pagerduty", json=pagerduty("trigger", summary="Disk 95% full on fs02",
                                                              source="fs02", group="storage", component="disk"))
    assert generated.status_code == 202 and len(generated.json()["dedup_key"]) == 32
    assert len(_tickets(desk)) == 2


def test_pagerduty_acknowledge_takes_the_incident_and_resolve_then_tells_whoever_has_it(http, desk, people):
    http.post("/events/pagerduty", json=pagerduty("trigger", "db01-primary-down"), headers=AUTH)
    ack = http.post("/events/pagerduty", json=pagerduty("acknowledge", "db01-primary-down"))
    assert ack.status_code == 202 and ack.json()["dedup_key"] == "db01-primary-down"
    [ticket] = _tickets(desk)
    assert ticket.status == "in_progress" and ticket.first_responded_at is not None
    assert any("acknowledged in PagerDuty" in text for text in _channel(people, "#technical"))
    http.post("/events/pagerduty", json=pagerduty("resolve", "db01-primary-down"))
    [ticket] = _tickets(desk)
    assert ticket.status == "in_progress"  # taken: not closed behind the on-call engineer's back
    assert any("recovered" in c.body for c in ticket.comments)
    assert any("monitoring reports it recovered" in text for text in _channel(people, "#technical"))


def test_a_resolve_for_an_incident_someone_has_taken_is_a_note_for_them(http, desk, people):
    ref = http.post("/events/alertmanager", json=alertmanager(alert()), headers=AUTH).json()["results"][0]["ticket"]
    assert people.sd("carol", f"/sd take {ref}").ok
    http.post("/events/alertmanager", json=alertmanager(alert(status="resolved"), status="resolved"), headers=AUTH)
    [ticket] = _tickets(desk)
    assert ticket.status == "assigned" and ticket.assignee == "carol"
    assert [t for d, a, t in people.outbox() if d == "user" and "recovered" in t]  # carol's direct message


def test_wrong_or_missing_token_broken_json_and_oversized_bodies_are_refused_with_reasons(http, desk):
    assert http.post("/events/alertmanager", json=alertmanager(alert())).status_code == 401
    wrong = http.post("/events/alertmanager", json=alertmanager(alert()), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert http.post("/events/pagerduty", json={**pagerduty("trigger", "x"), "routing_key": "nope"}).status_code == 401
    assert http.post("/events/generic", json={"summary": "x"}, headers={"Authorization": TOKEN}).status_code == 401

    broken = http.post("/events/alertmanager", content=b'{"version": "4", "alerts": [', headers=AUTH)
    assert broken.status_code == 400 and "malformed JSON" in broken.json()["error"]
    no_alerts = http.post("/events/alertmanager", json={"version": "4", "status": "firing"}, headers=AUTH)
    assert no_alerts.status_code == 400 and "alerts" in no_alerts.json()["error"]
    bad_time = copy.deepcopy(alertmanager(alert()))
    bad_time["alerts"][0]["startsAt"] = "yesterday"
    answer = http.post("/events/alertmanager", json=bad_time, headers=AUTH)
    assert answer.status_code == 400 and "alerts[0].startsAt" in answer.json()["error"]
    not_object = http.post("/events/alertmanager", json=[1, 2], headers=AUTH)
    assert not_object.status_code == 400
    nan = http.post("/events/generic", content=b'{"summary": "x", "details": {"load": NaN}}', headers=AUTH)
    assert nan.status_code == 400 and "NaN" in nan.json()["error"]
    no_summary = pagerduty("trigger", "k")
    del no_summary["payload"]["summary"]
    answer = http.post("/events/pagerduty", json=no_summary)
    assert answer.status_code == 400 and answer.json()["status"] == "invalid event"
    assert "payload.summary" in answer.json()["errors"][0]
    bad_action = http.post("/events/pagerduty", json={**pagerduty("trigger", "k"), "event_action": "explode"})
    assert bad_action.status_code == 400

    limit = desk.organisation.events.max_body_bytes
    huge = b'{"version": "4", "alerts": [' + b" " * limit + b"]}"
    assert http.post("/events/alertmanager", content=huge, headers=AUTH).status_code == 413

    def chunks():  # no Content-Length: the limit holds on the streamed body too
        yield b'{"version": "4", "alerts": ['
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536
        yield b"]}"

    assert http.post("/events/alertmanager", content=chunks(), headers=AUTH).status_code == 413
    assert _tickets(desk) == [] and _events(desk) == []


def test_without_a_token_configured_the_routes_say_event_intake_is_disabled(desk):
    server, thread, base = _serve(desk, {})
    try:
        answer = httpx.post(f"{base}/events/alertmanager", json=alertmanager(alert()), headers=AUTH)
        assert answer.status_code == 503 and "SERVICEDESK_EVENTS_TOKEN" in answer.json()["error"]
        assert httpx.post(f"{base}/events/pagerduty", json=pagerduty("trigger", "k")).status_code == 503
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert _tickets(desk) == []


def test_a_burst_for_one_service_groups_into_one_incident_listing_the_alerts(http, desk, people, clock):
    burst = alertmanager(*[alert(f"{n:016x}", instance=f"web-{n}:9100", summary=f"5xx on web-{n}") for n in range(5)])
    outcomes = [r["outcome"] for r in http.post("/events/alertmanager", json=burst, headers=AUTH).json()["results"]]
    assert outcomes == ["opened", "grouped", "grouped", "grouped", "grouped"]
    clock.advance(minutes=3)
    late = http.post("/events/alertmanager", json=alertmanager(alert("00000000000000aa", summary="5xx on web-9")),
                     headers=AUTH).json()["results"][0]
    assert late["outcome"] == "grouped"
    [ticket] = _tickets(desk)
    shown = people.sd("agent", f"/sd show {ticket.ref}").text
    assert "6 alert(s), 6 firing" in shown and "5xx on web-3" in shown
    other = http.post("/events/alertmanager", json=alertmanager(alert("00000000000000bb", service="payroll")),
                      headers=AUTH).json()["results"][0]
    assert other["outcome"] == "opened"  # another service, another incident
    clock.advance(minutes=10)  # past the group window: a new burst is a new incident
    later = http.post("/events/alertmanager", json=alertmanager(alert("00000000000000cc", starts="2026-11-23T09:13:00Z")),
                      headers=AUTH).json()["results"][0]
    assert later["outcome"] == "opened" and later["ticket"] != ticket.ref
    # Resolving only some of a group's alerts keeps the incident open.
    some = alertmanager(*[alert(f"{n:016x}", status="resolved", instance=f"web-{n}:9100") for n in range(5)],
                        status="resolved")
    http.post("/events/alertmanager", json=some, headers=AUTH)
    assert next(t for t in _tickets(desk) if t.ref == ticket.ref).status == "new"
    http.post("/events/alertmanager", json=alertmanager(alert("00000000000000aa", status="resolved"), status="resolved"),
              headers=AUTH)
    assert next(t for t in _tickets(desk) if t.ref == ticket.ref).status == "resolved"


def test_flapping_is_damped_and_settles_once_quiet(http, desk, people, clock):
    from handlers.event_incidents import sweep

    ref = None
    outcomes = []
    for cycle in range(5):
        starts = f"2026-11-23T09:{cycle:02d}:00Z"  # each fire is a new occurrence of the same alert
        fired = http.post("/events/alertmanager", json=alertmanager(alert(starts=starts)), headers=AUTH).json()
        ref = ref or fired["results"][0]["ticket"]
        assert fired["results"][0]["ticket"] == ref  # always the same incident
        outcomes.append(fired["results"][0]["outcome"])
        clock.advance(seconds=30)
        gone = alertmanager(alert(starts=starts, status="resolved"), status="resolved")
        outcomes.append(http.post("/events/alertmanager", json=gone, headers=AUTH).json()["results"][0]["outcome"])
        clock.advance(seconds=30)
    assert outcomes == ["opened", "resolved", "refired", "resolved", "refired", "resolved",
                        "damped", "damped", "damped", "damped"]
    [ticket] = _tickets(desk)
    assert ticket.status == "in_progress"  # held open while it flaps
    channel = _channel(people, "#application")
    assert sum("is flapping" in text for text in channel) == 1
    assert sum("fired again" in text for text in channel) == 3  # two re-fires, then the one flapping notice
    clock.advance(minutes=5)
    assert sweep(desk) == 0  # not quiet long enough yet
    clock.advance(minutes=6)
    assert sweep(desk) == 1
    [ticket] = _tickets(desk)
    assert ticket.status == "resolved" and "quiet for" in ticket.resolution


def test_warnings_are_recorded_without_an_incident_and_generic_events_work(http, desk):
    warning = http.post("/events/alertmanager", json=alertmanager(alert(severity="warning")), headers=AUTH).json()
    assert warning["results"][0] == {"dedup_key": warning["results"][0]["dedup_key"], "outcome": "recorded", "ticket": None}
    answer = http.post("/events/generic", headers=AUTH, json={
        "events": [{"summary": "Nightly backup job failed", "severity": "error", "service": "backup",
                    "dedup_key": "backup-2026-11-23", "source": "Zabbix"}]})
    assert answer.status_code == 202
    [result] = answer.json()["results"]
    assert result["outcome"] == "opened"
    [ticket] = _tickets(desk)
    assert (ticket.queue, ticket.requester_name) == ("operations", "Zabbix")
    resolve = http.post("/events/generic", headers=AUTH, json={"action": "resolve", "dedup_key": "backup-2026-11-23",
                                                                "source": "Zabbix"})  # keys are per source
    assert resolve.json()["results"][0]["outcome"] == "resolved"
    assert http.post("/events/generic", headers=AUTH, json={"action": "resolve"}).status_code == 400
    nul = http.post("/events/generic", headers=AUTH, json={"summary": "Disk\u0000 full", "service": "backup"})
    assert nul.status_code == 202 and _tickets(desk)[-1].title == "Disk full"  # control characters dropped


def test_concurrent_replicas_never_open_the_same_alert_twice(desk, database_url):
    """Several processes (each its own engine) get the same alert at once: one incident, every
    delivery counted."""
    from handlers.desk import Desk
    from handlers.event_formats import parse_alertmanager
    from handlers.events import ingest
    from storage.database import Database

    events = parse_alertmanager(alertmanager(alert()), limit=10)
    replicas = [Desk(organisation=desk.organisation, database=Database(database_url), classifier=desk.classifier,
                     clock=desk.clock) for _ in range(4)]
    errors: list[BaseException] = []

    def deliver(replica) -> None:
        try:
            for _ in range(5):
                ingest(replica, [events])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for replica in replicas:
        replica.database.dispose()
    assert errors == []
    assert len(_tickets(desk)) == 1
    with desk.database.session() as session:
        assert session.execute(select(func.sum(MonitoringEvent.count))).scalar_one() == 20


def test_a_more_severe_alert_joining_a_burst_raises_the_incidents_priority(http, desk, people):
    first = http.post("/events/alertmanager", json=alertmanager(alert("00000000000000d1", severity="error")),
                      headers=AUTH).json()["results"][0]
    [ticket] = _tickets(desk)
    assert ticket.priority == "P2"  # checkout is highly critical, an error is of medium urgency
    worse = http.post("/events/alertmanager", json=alertmanager(alert("00000000000000d2", severity="critical")),
                      headers=AUTH).json()["results"][0]
    assert worse["outcome"] == "grouped" and worse["ticket"] == first["ticket"]
    [ticket] = _tickets(desk)
    assert ticket.priority == "P1"
    assert any(f"{ticket.ref} raised to P1" in text for text in _channel(people, "#application"))
