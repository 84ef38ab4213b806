"""The webhook provisioner's delivery: the outbox relay hands it `webhook` notifications and it
POSTs their JSON body, signed, to the resource's URL (handlers/provisioners.py writes them).

The body is signed with HMAC-SHA256 under SERVICEDESK_PROVISIONER_SECRET and the signature sent as
`X-Servicedesk-Signature: sha256=<hex>`, so the receiver can check the call came from the desk;
`X-Servicedesk-Delivery` carries the outbox id, the same on every retry, so it can drop repeats.
A 2xx answer is a delivery; anything else (or no answer) raises DeliveryFailed and the relay
retries with backoff (a 429/503 Retry-After is honoured).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request

from handlers.provisioners import PLATFORM
from handlers.relay import DeliveryFailed, Notification

SECRET_VARIABLE = "SERVICEDESK_PROVISIONER_SECRET"
SIGNATURE_HEADER = "X-Servicedesk-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    platform = PLATFORM

    def __init__(self, secret: str | None = None, *, timeout: float = 10.0) -> None:
        self.secret = secret if secret is not None else os.environ.get(SECRET_VARIABLE, "")
        self.timeout = timeout

    def send(self, notification: Notification) -> str | None:
        if not self.secret:
            raise DeliveryFailed(f"{SECRET_VARIABLE} is not set, so provisioning calls cannot be signed")
        body = json.dumps(notification.payload.get("body", {}), sort_keys=True, separators=(",", ":")).encode()
        request = urllib.request.Request(notification.address, data=body, method="POST", headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body),
            "X-Servicedesk-Delivery": str(notification.id), "User-Agent": "servicedesk-provisioner"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return str(response.status)
        except urllib.error.HTTPError as error:
            retry = error.headers.get("Retry-After") if error.headers else None
            raise DeliveryFailed(f"the provisioner answered {error.code} {error.reason}",
                                 retry_after=float(retry) if retry and retry.isdigit() else None) from None
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(f"the provisioner at {notification.address} cannot be reached ({error})") from None
