"""GET /metrics, /healthz and /readyz over real HTTP (the desk's Starlette app under uvicorn):
the figures move when real tickets, escalations, breaches, outbox messages and monitoring events
happen, every replica reports the same figures, and a database outage is reported, not a 500."""
from __future__ import annotations

from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.event_routes import TOKEN_ENV, event_routes
from bot.server import Runtime, create_http_app
from handlers.desk import Desk
from storage.database import Database
from tests.bot.slack_front.conftest import LiveServer
from tests.sla_helpers import open_incident, sweep

TOKEN = "metrics-test-token"


@contextmanager
def serving(app):
    server = LiveServer(app).start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=20) as client:
            yield client
    finally:
        server.stop()


def scrape(client: httpx.Client) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))))


@pytest.fixture
def client(desk):
    app = create_http_app(Runtime(desk), extra_routes=event_routes(desk, {TOKEN_ENV: TOKEN}))
    with serving(app) as client:
        yield client


def _alert(fingerprint: str) -> dict:
    return {"version": "4", "status": "firing", "receiver": "servicedesk", "groupKey": "{}:{}", "alerts": [{
        "status": "firing", "fingerprint": fingerprint, "startsAt": "2026-11-23T08:58:30Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"},
        "annotations": {"summary": "Checkout 5xx error rate above 5%"}}]}


def test_figures_move_with_tickets_escalations_breaches_outbox_and_events(desk, clock, people, client):
    before = scrape(client)
    assert value(before, "servicedesk_database_up") == 1
    assert value(before, "servicedesk_model_loaded") == 1
    assert not any(name.startswith("servicedesk_tickets_opened") for name, _ in before)

    assert people.say("alice", "my laptop won't turn on since this morning") is None  # opened, confirmed via outbox
    ref = open_incident(desk, "P2", queue="technical")
    assert people.sd("agent", f"/sd escalate {ref} vendor needed").ok
    clock.advance(minutes=10)

    after = scrape(client)
    assert value(after, "servicedesk_tickets_opened_total", kind="incident", queue="technical") == 2
    assert value(after, "servicedesk_tickets_open", queue="technical") == 2
    assert value(after, "servicedesk_escalations_total", queue="technical") == 1
    pending = value(after, "servicedesk_outbox_pending", platform="console")
    assert pending is not None and pending >= 4  # confirmations, queue cards, the escalation's notices
    assert value(after, "servicedesk_outbox_oldest_pending_age_seconds", platform="console") == 600
    # The message was classified once, through the timed classifier.
    assert value(after, "servicedesk_classification_duration_seconds_count") == 1

    unanswered = open_incident(desk, "P2", queue="application")
    clock.advance(hours=1)  # its first response (30 min) is long overdue: the sweep breaches it
    assert any(line.startswith(f"{unanswered}: first response breached") for line in sweep(desk))
    breached = scrape(client)
    assert value(breached, "servicedesk_sla_breaches_total", priority="P2", target="first_response") == 1
    assert value(breached, "servicedesk_escalations_total", queue="application") == 1
    assert value(breached, "servicedesk_escalations_total", queue="technical") == 1

    for _ in range(2):  # the same alert occurrence delivered twice
        response = client.post("/events/alertmanager", json=_alert("f00d"), headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
    events = scrape(client)
    assert value(events, "servicedesk_events_received_total", source="alertmanager") == 2
    assert value(events, "servicedesk_events_duplicate_total", source="alertmanager") == 1
    assert value(events, "servicedesk_events_incidents_total", source="alertmanager") == 1
    opened = sum(v for (name, _), v in events.items() if name == "servicedesk_tickets_opened_total")
    assert opened == 4  # the laptop message, two opened directly, and the one the alert opened


def test_http_latency_is_labelled_by_route_template_not_raw_path(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/path/12345").status_code == 404
    samples = scrape(client)
    assert value(samples, "servicedesk_http_request_duration_seconds_count",
                 method="GET", route="/healthz", status=200) == 1
    assert value(samples, "servicedesk_http_request_duration_seconds_count",
                 method="GET", route="unmatched", status=404) == 1
    assert not any("12345" in str(labels) for _, labels in samples)


def test_every_replica_reports_the_same_figures(desk, people, database_url, organisation, classifier, clock, client):
    people.say("alice", "my laptop won't turn on since this morning")
    other = Desk(organisation=organisation, database=Database(database_url), classifier=classifier, clock=clock)
    with serving(create_http_app(Runtime(other))) as replica:
        ours, theirs = scrape(client), scrape(replica)
    other.database.dispose()
    name = "servicedesk_tickets_opened_total"
    assert {k: v for k, v in ours.items() if k[0] == name} == {k: v for k, v in theirs.items() if k[0] == name}
    assert value(theirs, name, kind="incident", queue="technical") == 1


def test_a_database_outage_is_reported_not_a_500(desk, client, tmp_path):
    down = tmp_path / "gone"
    down.mkdir()  # a directory where the database file should be: every connection fails
    desk.database = Database(f"sqlite:///{down}")
    samples = scrape(client)
    assert value(samples, "servicedesk_database_up") == 0
    assert value(samples, "servicedesk_model_loaded") == 1
    assert not any(name.startswith("servicedesk_tickets_") for name, _ in samples)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["database"] is False and body["model"] is True
    assert "cannot be reached" in body["reason"]
    assert client.get("/healthz").json() == {"status": "alive"}  # alive, just not ready


def test_readyz_is_503_without_the_model(organisation, database, clock):
    desk = Desk(organisation=organisation, database=database, classifier=None, clock=clock)
    with serving(create_http_app(Runtime(desk))) as client:
        response = client.get("/readyz")
        samples = scrape(client)
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "model": False, "database": True,
                               "reason": "the intent model is not loaded"}
    assert value(samples, "servicedesk_model_loaded") == 0 and value(samples, "servicedesk_database_up") == 1


def test_readyz_is_200_when_database_and_model_are_there(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "model": True, "database": True}
