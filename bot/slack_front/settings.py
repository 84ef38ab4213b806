"""What the Slack front end needs from the environment, checked once at start.

Secrets (tokens, the signing secret) only ever come from the environment, and no error message
repeats their values.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from slack_sdk import WebClient

from bot.config import ConfigError
from bot.front_end import require

DEFAULT_API_URL = "https://slack.com/api/"
API_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str | None = None  # HTTP mode: POST /slack/events
    app_token: str | None = None  # Socket Mode
    api_url: str = DEFAULT_API_URL

    def __repr__(self) -> str:  # never print a secret
        return (f"SlackSettings(http={'yes' if self.signing_secret else 'no'}, "
                f"socket_mode={'yes' if self.app_token else 'no'}, api_url={self.api_url!r})")


def slack_settings(environ: dict) -> SlackSettings:
    bot_token = require(environ, "SLACK_BOT_TOKEN", "the Slack app's bot token, xoxb-...")
    if not bot_token.startswith("xoxb-"):
        raise ConfigError("environment: SLACK_BOT_TOKEN is not a bot token (it should start with xoxb-; "
                          "find it under OAuth & Permissions)")
    signing_secret = environ.get("SLACK_SIGNING_SECRET", "").strip() or None
    app_token = environ.get("SLACK_APP_TOKEN", "").strip() or None
    if app_token is None:
        signing_secret = require(
            environ, "SLACK_SIGNING_SECRET",
            "Slack's requests to /slack/events are verified with it; set SLACK_APP_TOKEN instead to use Socket Mode",
        )
    elif not app_token.startswith("xapp-"):
        raise ConfigError("environment: SLACK_APP_TOKEN is not an app-level token (it should start with xapp-; "
                          "create one with the connections:write scope under Basic Information)")
    api_url = environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"environment: SLACK_API_URL {api_url!r} is not an http(s) URL "
                          f"(expected something like {DEFAULT_API_URL})")
    if not api_url.endswith("/"):
        api_url += "/"
    return SlackSettings(bot_token=bot_token, signing_secret=signing_secret, app_token=app_token, api_url=api_url)


def create_web_client(settings: SlackSettings, *, token: str | None = None) -> WebClient:
    """A Web API client for the configured base URL. It does not retry by itself: the outbox
    relay owns retries (with Retry-After and backoff), and reads must not hold anyone up."""
    return WebClient(token=token if token is not None else settings.bot_token, base_url=settings.api_url,
                     timeout=API_TIMEOUT_SECONDS, retry_handlers=[])
