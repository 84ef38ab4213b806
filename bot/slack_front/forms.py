"""The desk's modals: resolving a ticket, and logging one on someone's behalf (`/sd new`).

Reading a submitted form is defensive: the values are whatever the client sent, so anything
missing or unexpected becomes a clear error on the form rather than an exception.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from bot.slack_front.blocks import plain, truncate

RESOLVE_FORM, NEW_TICKET_FORM = "sd_resolve_form", "sd_new_ticket_form"
KIND_OPTIONS = (("incident", "Something is broken (incident)"), ("service_request", "A request (service request)"),
                ("access_request", "Access to something (access request)"))
LEVELS = (("high", "High"), ("medium", "Medium"), ("low", "Low"))
TEXT_MAX = 3000


def _metadata(data: dict) -> str:
    return truncate(json.dumps(data, separators=(",", ":")), 3000)


def metadata_of(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _value(view: dict, block_id: str) -> dict:
    values = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    return next(iter(values.values()), {}) if isinstance(values, dict) else {}


def _text(view: dict, block_id: str) -> str:
    return str(_value(view, block_id).get("value") or "").strip()


def _selected(view: dict, block_id: str) -> str | None:
    option = _value(view, block_id).get("selected_option") or {}
    return option.get("value") if isinstance(option, dict) else None


def _options(pairs) -> list[dict]:
    return [{"text": plain(label, 75), "value": value} for value, label in pairs]


def resolve_form(ref: str, *, channel: str | None) -> dict:
    return {
        "type": "modal",
        "callback_id": RESOLVE_FORM,
        "private_metadata": _metadata({"ref": ref, "channel": channel}),
        "title": plain(truncate(f"Resolve {ref}", 24)),
        "submit": plain("Resolve"),
        "close": plain("Cancel"),
        "blocks": [{
            "type": "input", "block_id": "resolution", "label": plain("What fixed it?"),
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": TEXT_MAX,
                        "placeholder": plain("e.g. replaced the power supply")},
        }],
    }


def read_resolution(view: dict) -> tuple[dict, str, dict]:
    """(metadata, resolution, errors by block id)."""
    text = _text(view, "resolution")
    data = metadata_of(view)
    errors = {}
    if not text:
        errors["resolution"] = "Say what fixed it, so the requester knows."
    if not data.get("ref"):
        errors["resolution"] = "This form lost track of its ticket; press Resolve on the ticket again."
    return data, text, errors


def new_ticket_form(*, channel: str | None) -> dict:
    return {
        "type": "modal",
        "callback_id": NEW_TICKET_FORM,
        "private_metadata": _metadata({"channel": channel}),
        "title": plain("Log a ticket"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "requester", "label": plain("For whom?"),
             "element": {"type": "users_select", "action_id": "user", "placeholder": plain("The person affected")}},
            {"type": "input", "block_id": "kind", "label": plain("What is it?"),
             "element": {"type": "static_select", "action_id": "kind", "options": _options(KIND_OPTIONS),
                         "initial_option": _options(KIND_OPTIONS)[0]}},
            {"type": "input", "block_id": "description", "label": plain("Description"),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                         "max_length": TEXT_MAX, "placeholder": plain("What is broken, or what is needed?")}},
            {"type": "input", "block_id": "impact", "optional": True,
             "label": plain("Impact (how many are affected)"),
             "element": {"type": "static_select", "action_id": "level", "options": _options(LEVELS),
                         "placeholder": plain("Work it out from the description")}},
            {"type": "input", "block_id": "urgency", "optional": True,
             "label": plain("Urgency (how soon it is needed)"),
             "element": {"type": "static_select", "action_id": "level", "options": _options(LEVELS),
                         "placeholder": plain("Work it out from the description")}},
        ],
    }


@dataclass(frozen=True)
class NewTicket:
    requester: str
    kind: str
    description: str
    impact: str | None
    urgency: str | None
    channel: str | None


def read_new_ticket(view: dict) -> tuple[NewTicket | None, dict]:
    """The submitted form, or the errors to show on it (by block id)."""
    requester = _value(view, "requester").get("selected_user")
    kind = _selected(view, "kind")
    description = _text(view, "description")
    impact, urgency = _selected(view, "impact"), _selected(view, "urgency")
    errors = {}
    if not requester:
        errors["requester"] = "Choose the person the ticket is for."
    if kind not in dict(KIND_OPTIONS):
        errors["kind"] = "Choose what kind of ticket it is."
    if not description:
        errors["description"] = "Describe the problem or the request, so the team knows what to do."
    for block_id, level in (("impact", impact), ("urgency", urgency)):
        if level is not None and level not in dict(LEVELS):
            errors[block_id] = "Choose high, medium or low."
    if errors:
        return None, errors
    return NewTicket(requester=str(requester), kind=str(kind), description=description, impact=impact,
                     urgency=urgency, channel=metadata_of(view).get("channel")), {}
