"""Socket Mode (SLACK_APP_TOKEN): Slack delivers over a WebSocket the process opens, so no public
URL is needed. The same Bolt app handles the requests (and Slack's envelope ids are acknowledged
by the adapter the same way as HTTP requests)."""
from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError

log = logging.getLogger(__name__)
REFUSED = {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive",
           "missing_scope"}
RETRY_SECONDS = (1, 2, 5, 10, 30, 60)


class SocketModeConnection:
    def __init__(self, app: App, app_token: str, client: WebClient) -> None:
        self._handler = SocketModeHandler(app, app_token=app_token, web_client=client)
        self._stopped = threading.Event()
        self._retrying: threading.Thread | None = None

    def start(self) -> None:
        """Connect. A refused token is a configuration error; an unreachable Slack is retried in
        the background (with backoff) until it answers or the front end stops."""
        if self._connect():
            return
        self._retrying = threading.Thread(target=self._keep_trying, name="slack-socket-mode", daemon=True)
        self._retrying.start()

    def stop(self) -> None:
        self._stopped.set()
        try:
            self._handler.close()
        except Exception as error:  # closing a half-open connection must not stop the shutdown
            log.warning("closing the Socket Mode connection: %s", error)

    def _connect(self) -> bool:
        try:
            self._handler.connect()
            log.warning("slack: connected in Socket Mode")
            return True
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code in REFUSED:
                raise ConfigError(f"environment: SLACK_APP_TOKEN was refused by Slack ({code}); it must be an "
                                  f"app-level token (xapp-...) with the connections:write scope, and Socket Mode "
                                  f"must be enabled for the app") from None
            log.warning("slack: Socket Mode connection failed (%s); retrying", code or error)
        except Exception as error:  # noqa: BLE001 - network errors of several libraries
            log.warning("slack: cannot reach Slack for Socket Mode (%s); retrying", error)
        return False

    def _keep_trying(self) -> None:
        attempt = 0
        while not self._stopped.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]):
            attempt += 1
            try:
                if self._connect():
                    return
            except ConfigError as error:
                log.error("slack: %s", error)
                return
