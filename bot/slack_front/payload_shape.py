"""Is a signed Slack request shaped like something Slack sends? Bolt and the listeners read
payloads with `.get` chains, so a signed body that is a JSON list, or an event whose `user` is a
number, would otherwise end as a 500 (and Slack retrying it) or a failure after the ack. Slack
itself never sends such a thing: it is answered 400, naming the field."""
from __future__ import annotations

OBJECTS = ("event", "view", "container", "message", "team", "user", "channel", "enterprise", "state")
LISTS = ("actions", "authorizations")
TEXTS = ("type", "event_id", "team_id", "api_app_id", "user_id", "channel_id", "command", "text", "trigger_id",
         "response_url", "callback_id")
EVENT_TEXTS = ("type", "subtype", "user", "channel", "channel_type", "text", "ts", "thread_ts", "event_ts",
               "bot_id", "item_user", "reaction", "tab")


def shape_problem(body: object) -> str | None:
    """What is wrong with the shape of a parsed request body, or None when it looks like Slack's."""
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    for key in OBJECTS:
        if key in body and not isinstance(body[key], dict) and not (key in ("user", "channel", "team") and
                                                                    isinstance(body[key], str)):
            return f"{key!r} is not an object"
    for key in LISTS:
        if key in body and not (isinstance(body[key], list) and all(isinstance(i, dict) for i in body[key])):
            return f"{key!r} is not a list of objects"
    for key in TEXTS:
        if key in body and not isinstance(body[key], str):
            return f"{key!r} is not a string"
    event = body.get("event")
    if isinstance(event, dict):
        for key in EVENT_TEXTS:
            if key in event and event[key] is not None and not isinstance(event[key], str):
                return f"'event.{key}' is not a string"
        if "item" in event and not isinstance(event["item"], dict):
            return "'event.item' is not an object"
    return None
