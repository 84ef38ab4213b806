"""The weekly report as app.yaml sets it up (`reports:`): where it goes on each front end, and
when (a weekday and a local time on the `business_hours.timezone` calendar).

    reports:
      weekly:
        day: mon
        time: "08:00"
        channels: {console: "#managers", slack: C0MANAGERS, discord: "1100000000000000004"}

No channels: no weekly report.
"""
from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Platform = Literal["console", "slack", "discord"]  # as handlers.organisation.PLATFORMS


class WeeklyReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: Weekday = "mon"
    time: str = "08:00"
    channels: dict[Platform, str] = Field(default_factory=dict)

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"expected a time of day like 08:00, got {value!r}")
        return f"{int(match[1]):02d}:{match[2]}"

    @property
    def at(self) -> time:
        hours, minutes = self.time.split(":")
        return time(int(hours), int(minutes))

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.day)


class ReportsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekly: WeeklyReport = Field(default_factory=WeeklyReport)
