"""Report charts on the console and the command line: PNG files under ./var/reports/ (or
$SERVICEDESK_REPORT_DIR), named after the period, never overwriting an earlier one."""
from __future__ import annotations

import os
from pathlib import Path

from handlers.desk import Desk
from handlers.relay import Notification
from handlers.report_posting import attachment_of

DEFAULT_DIR = "var/reports"


def report_dir() -> Path:
    return Path(os.environ.get("SERVICEDESK_REPORT_DIR") or DEFAULT_DIR)


def save(content: bytes, filename: str, folder: Path | None = None) -> Path:
    """Write the file; `report-…png` becomes `report-…-2.png` if the name is taken."""
    folder = folder or report_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(filename).name or "report.png"  # never a path from elsewhere
    path, number = folder / name, 1
    while path.exists():
        number += 1
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
    path.write_bytes(content)
    return path


def report_file_line(desk: Desk, notification: Notification, me: str) -> str:
    """What the console prints for a message carrying a chart: its text and where the file is."""
    attachment = attachment_of(desk, notification.payload)
    saved = f"chart saved to {save(attachment.content, attachment.filename)}" if attachment else "(chart no longer kept)"
    text = notification.text
    if notification.destination == "conversation" and notification.address == f"@{me}":
        return f"{text}\n{saved}" if text else saved
    where = f"@{notification.address}" if notification.destination == "user" else notification.address
    return f"[{where}] {text}\n[{where}] {saved}" if text else f"[{where}] {saved}"
