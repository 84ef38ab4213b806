"""The wire formats monitoring speaks, turned into neutral events (or a 400 with the reason).

- Prometheus Alertmanager webhook, version 4: `{"version": "4", "status", "groupKey",
  "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "fingerprint"}]}`.
  An alert occurrence is its fingerprint + startsAt; the service is the `service` label (else
  `job`, `app`, `alertname`), the instance the `instance` label, the severity the `severity` label.
- PagerDuty Events API v2: `{"routing_key", "event_action": trigger|acknowledge|resolve,
  "dedup_key", "payload": {"summary", "source", "severity", "component", "group", "class",
  "custom_details"}}`. A trigger without a dedup_key gets one.
- The desk's own generic format, one event or `{"events": [...]}`:
  `{"action": "trigger" | "resolve" | "acknowledge" (default trigger), "dedup_key": "...",
  "summary": "...", "severity": "critical" | "error" | "warning" | "info" (default error),
  "service": "...", "instance": "...", "source": "name of the sender", "details": {...}}`.
  `summary` is needed to trigger; `dedup_key` to resolve or acknowledge (a trigger without one
  gets one and the answer says which). Each sender (`source`) has its own dedup keys: the key is
  recorded as "<source id>:<dedup_key>" (source id: `sender_id`, "Zabbix" -> "zabbix"; events
  without a source share "monitoring"), so two senders' "disk-full" are two alerts.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

ACTIONS = ("trigger", "acknowledge", "resolve")
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
KEY_LIMIT = 255
SUMMARY_LIMIT = 1024
NAME_LIMIT = 128
_NAME = re.compile(r"[^a-z0-9_.-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EventFormatError(ValueError):
    """The payload is not what the format says; the message names the field and the problem."""


@dataclass(frozen=True, slots=True)
class EventIn:
    source: str  # alertmanager | pagerduty | generic: the dedup namespace
    action: str  # trigger | acknowledge | resolve
    dedup_key: str  # one occurrence, as recorded (generic: "<sender id>:<key as sent>")
    alert_key: str  # the alert across occurrences (Alertmanager's fingerprint)
    service: str | None  # None: look it up from the occurrence (PagerDuty resolve/acknowledge)
    instance: str | None
    severity: str
    summary: str
    sender: str  # who sent it, as the incident's requester: "Alertmanager", "PagerDuty", ...
    details: dict | None = None
    key_sent: str | None = None  # the key as the sender knows it, where the recorded one differs

    @property
    def answer_key(self) -> str:
        """The dedup key the answer echoes: the one the sender sent (or was given)."""
        return self.key_sent or self.dedup_key


def _scalar(value: object, where: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise EventFormatError(f"{where}: missing or blank")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise EventFormatError(f"{where}: expected a string, got {type(value).__name__}")
    return _printable(value)


def _printable(text: str) -> str:
    """User text is data: control characters (NUL, which PostgreSQL refuses, and the like) go."""
    return text if text.isprintable() else _CONTROL.sub("", text)


def _text(value: object, where: str, *, required: bool = False, limit: int = SUMMARY_LIMIT) -> str | None:
    """Free text, whitespace collapsed and cut to `limit`."""
    text = _scalar(value, where, required=required)
    return None if text is None else " ".join(text.split())[:limit]


def _key(value: object, where: str, *, required: bool = False) -> str | None:
    """An identifier, kept exactly (trimmed); too long is an error, not a silent cut."""
    text = _scalar(value, where, required=required)
    if text is None:
        return None
    text = text.strip()
    if len(text) > KEY_LIMIT:
        raise EventFormatError(f"{where}: longer than {KEY_LIMIT} characters")
    return text


def _object(value: object, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventFormatError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _strings(value: object, where: str) -> dict[str, str]:
    labels = _object(value, where)
    out: dict[str, str] = {}
    for name, item in labels.items():
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise EventFormatError(f"{where}.{name}: expected a string")
        out[_printable(str(name))[:NAME_LIMIT]] = _printable(str(item))[:SUMMARY_LIMIT]
    return out


def _service_name(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip()[:NAME_LIMIT] or None


def _time(value: object, where: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise EventFormatError(f"{where}: missing; expected an RFC 3339 time such as 2026-11-23T09:00:00Z")
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise EventFormatError(f"{where}: {value[:40]!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _list(value: object, where: str, limit: int) -> list:
    if not isinstance(value, list):
        raise EventFormatError(f"{where}: expected a list")
    if not value:
        raise EventFormatError(f"{where}: empty; nothing to record")
    if len(value) > limit:
        raise EventFormatError(f"{where}: {len(value)} events in one request; at most {limit}")
    return value


def _top(data: object) -> dict:
    if not isinstance(data, dict):
        raise EventFormatError(f"expected a JSON object at the top level, got {type(data).__name__}")
    return data


# Prometheus Alertmanager.

def parse_alertmanager(data: object, *, limit: int) -> list[EventIn]:
    body = _top(data)
    version = body.get("version")
    if version is not None and str(version) != "4":
        raise EventFormatError(f"version: {str(version)[:20]!r} is not supported; Alertmanager sends version 4")
    alerts = _list(body.get("alerts"), "alerts", limit)
    times: dict[str, str] = {}  # startsAt as sent -> UTC ISO 8601: a group's alerts often share it
    return [_alert(alert, number, times) for number, alert in enumerate(alerts)]


def _alert(alert: object, number: int, times: dict[str, str]) -> EventIn:
    # Batches are large (bench/events.py): the common, clean case is checked inline and anything
    # else takes the general helpers, which name the field that is wrong.
    where = f"alerts[{number}]"
    alert = _object(alert, where)
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        raise EventFormatError(f"{where}.status: expected firing or resolved, got {str(status)[:20]!r}")
    labels = _plain_strings(alert.get("labels"))
    if labels is None:
        labels = _strings(alert.get("labels"), f"{where}.labels")
    annotations = _plain_strings(alert.get("annotations"))
    if annotations is None:
        annotations = _strings(alert.get("annotations"), f"{where}.annotations")
    sent = alert.get("startsAt")
    starts = times.get(sent) if isinstance(sent, str) else None
    if starts is None:
        starts = times[sent] = _time(sent, f"{where}.startsAt").isoformat()
    sent = alert.get("fingerprint")
    fingerprint = sent.strip() if isinstance(sent, str) and sent.isprintable() else ""
    if not 0 < len(fingerprint) <= 128:
        fingerprint = _key(sent, f"{where}.fingerprint") or _fingerprint(labels)
        if len(fingerprint) > 128:
            raise EventFormatError(f"{where}.fingerprint: longer than 128 characters")
    name = labels.get("alertname", "")
    text = annotations.get("summary") or annotations.get("title") or annotations.get("description") or ""
    text = " ".join(text.split())
    if not text:
        summary = name or "alert"
    elif name and name.lower() not in text.lower():
        summary = f"{name}: {text}"
    else:
        summary = text
    service = labels.get("service") or labels.get("job") or labels.get("app") or name or "unknown"
    details = {"labels": labels, "annotations": annotations, "startsAt": starts}
    if isinstance(alert.get("generatorURL"), str):
        details["generatorURL"] = alert["generatorURL"][:500]
    return EventIn(
        source="alertmanager", action="trigger" if status == "firing" else "resolve",
        dedup_key=f"{fingerprint}:{starts}", alert_key=fingerprint,
        service=_service_name(service), instance=labels.get("instance"),
        severity=(labels.get("severity") or "").lower()[:32], summary=summary[:SUMMARY_LIMIT],
        sender="Alertmanager", details=details,
    )


def _plain_strings(value: object) -> dict[str, str] | None:
    """A copy of `value` if it is an object of printable strings, short even all together (what
    Alertmanager sends as labels and annotations); otherwise None, for `_strings` to clean or
    refuse. Checked on the names and on the texts joined: two calls instead of four per item."""
    if type(value) is not dict:
        return None
    try:
        names, texts = "".join(value), "".join(value.values())
    except TypeError:  # a number or worse: `_strings` says which
        return None
    if len(names) > NAME_LIMIT or len(texts) > SUMMARY_LIMIT or not names.isprintable() or not texts.isprintable():
        return None
    return dict(value)


def _fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager always sends one; without it the label set identifies the alert."""
    canonical = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# PagerDuty Events API v2.

def parse_pagerduty(data: object) -> EventIn:
    body = _top(data)
    action = body.get("event_action")
    if action not in ACTIONS:
        raise EventFormatError(f"'event_action' must be one of trigger, acknowledge, resolve; got {str(action)[:20]!r}")
    dedup_key = _key(body.get("dedup_key"), "'dedup_key'", required=action != "trigger")
    if action != "trigger":
        return EventIn(source="pagerduty", action=action, dedup_key=dedup_key, alert_key=dedup_key, service=None,
                       instance=None, severity="", summary="", sender="PagerDuty")
    payload = _object(body.get("payload"), "'payload'")
    if not payload:
        raise EventFormatError("'payload' is missing; a trigger needs payload.summary, payload.source and "
                               "payload.severity")
    summary = _text(payload.get("summary"), "'payload.summary'", required=True)
    source = _text(payload.get("source"), "'payload.source'", required=True, limit=255)
    severity = str(payload.get("severity") or "").lower()
    if severity not in PAGERDUTY_SEVERITIES:
        raise EventFormatError(f"'payload.severity' must be one of critical, error, warning, info; "
                               f"got {str(payload.get('severity'))[:20]!r}")
    group = _text(payload.get("group"), "'payload.group'", limit=NAME_LIMIT)
    component = _text(payload.get("component"), "'payload.component'", limit=NAME_LIMIT)
    custom = _object(payload.get("custom_details"), "'payload.custom_details'") if not isinstance(
        payload.get("custom_details"), str) else {"text": payload["custom_details"][:SUMMARY_LIMIT]}
    dedup_key = dedup_key or uuid.uuid4().hex
    details = {"source": source, "component": component, "group": group,
               "class": _text(payload.get("class"), "'payload.class'"), "custom_details": custom}
    return EventIn(source="pagerduty", action="trigger", dedup_key=dedup_key, alert_key=dedup_key,
                   service=_service_name(group or component or source), instance=source, severity=severity,
                   summary=summary, sender="PagerDuty", details=details)


# The generic format.

def parse_generic(data: object, *, limit: int) -> list[EventIn]:
    body = _top(data)
    if "events" in body:
        return [_generic(item, f"events[{n}]") for n, item in enumerate(_list(body["events"], "events", limit))]
    return [_generic(body, "event")]


def _generic(item: object, where: str) -> EventIn:
    event = _object(item, where)
    action = event.get("action", event.get("event_action", "trigger"))
    if action not in ACTIONS:
        raise EventFormatError(f"{where}.action: must be trigger, acknowledge or resolve; got {str(action)[:20]!r}")
    dedup_key = _key(event.get("dedup_key"), f"{where}.dedup_key", required=action != "trigger")
    sender = _text(event.get("source"), f"{where}.source", limit=64) or "Monitoring"
    namespace = sender_id(sender)
    if dedup_key is not None and len(namespace) + 1 + len(dedup_key) > KEY_LIMIT:
        raise EventFormatError(f"{where}.dedup_key: longer than {KEY_LIMIT - len(namespace) - 1} characters "
                               f"(it is recorded with the source's name, at most {KEY_LIMIT} in all)")
    if action != "trigger":
        recorded = f"{namespace}:{dedup_key}"
        return EventIn(source="generic", action=action, dedup_key=recorded, alert_key=recorded, service=None,
                       instance=None, severity="", summary="", sender=sender, key_sent=dedup_key)
    summary = _text(event.get("summary"), f"{where}.summary", required=True)
    severity = (_text(event.get("severity"), f"{where}.severity", limit=32) or "error").lower()
    instance = _text(event.get("instance"), f"{where}.instance", limit=255)
    service = _text(event.get("service"), f"{where}.service", limit=NAME_LIMIT) or instance or "unknown"
    details = _object(event.get("details"), f"{where}.details") or None
    dedup_key = dedup_key or uuid.uuid4().hex
    recorded = f"{namespace}:{dedup_key}"
    return EventIn(source="generic", action="trigger", dedup_key=recorded, alert_key=recorded,
                   service=_service_name(service), instance=instance, severity=severity, summary=summary,
                   sender=sender, details=details, key_sent=dedup_key)


def sender_id(sender: str) -> str:
    """'Alertmanager' -> 'alertmanager': the requester's user id for event-born tickets."""
    return _NAME.sub("-", sender.lower()).strip("-")[:64] or "monitoring"
