"""GET /metrics: Prometheus metrics of one serving process, all named `servicedesk_*`.

Two kinds of figures:
- the desk's own (tickets, breaches, escalations, outbox, monitoring events) are read from the
  database at scrape time by bot/metrics_database.py, so every replica reports the same truth;
- this process's latencies are histograms kept in memory: HTTP requests (labelled by the route's
  template, e.g. /events/{source}, never the raw path, so the label set stays small) and
  classification (timed around the model by `TimedClassifier`, wrapped onto the desk here, so
  handlers and nlp know nothing of metrics).

Each app gets its own CollectorRegistry (tests build many apps in one process); nothing is
registered in prometheus-client's global registry.
"""
from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.metrics_database import DatabaseCollector
from handlers.desk import Desk

HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CLASSIFY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
UNMATCHED = "unmatched"


class DeskMetrics:
    """The registry of one HTTP app: the database collector and this process's histograms."""

    def __init__(self, desk: Desk, *, database_timeout: float | None = None) -> None:
        self.registry = CollectorRegistry()
        options = {} if database_timeout is None else {"timeout": database_timeout}
        self.registry.register(DatabaseCollector(desk, **options))
        self.http_seconds = Histogram(
            "servicedesk_http_request_duration_seconds", "HTTP requests served, by method, route template and status",
            ["method", "route", "status"], buckets=HTTP_BUCKETS, registry=self.registry)
        self.classify_seconds = Histogram(
            "servicedesk_classification_duration_seconds", "Time to classify one message (intent, queue, cues)",
            buckets=CLASSIFY_BUCKETS, registry=self.registry)
        desk.classifier = TimedClassifier.wrap(desk.classifier, self.classify_seconds)

    def route(self) -> Route:
        async def metrics(_request: Request) -> Response:
            body = await run_in_threadpool(generate_latest, self.registry)  # database reads: off the event loop
            return Response(body, media_type=CONTENT_TYPE_LATEST)

        return Route("/metrics", metrics, methods=["GET"])

    def middleware(self) -> Middleware:
        return Middleware(RequestTiming, histogram=self.http_seconds)


class RequestTiming:
    """ASGI middleware: every HTTP request's duration, labelled by the matched route's template."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            self.histogram.labels(scope.get("method", ""), template, str(status)).observe(time.perf_counter() - started)


class TimedClassifier:
    """The desk's classifier with each `classify` call timed; everything else passes through."""

    def __init__(self, inner, histogram: Histogram) -> None:
        self.inner = inner
        self.histogram = histogram

    @classmethod
    def wrap(cls, classifier, histogram: Histogram):
        if classifier is None:
            return None
        if isinstance(classifier, cls):  # a second app on the same desk: time once, into the newest
            classifier = classifier.inner
        return cls(classifier, histogram)

    def classify(self, text: str):
        started = time.perf_counter()
        try:
            return self.inner.classify(text)
        finally:
            self.histogram.observe(time.perf_counter() - started)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)
