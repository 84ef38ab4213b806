"""The business-hours calendar: working windows, weekends, holidays, time zones, DST."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from handlers.business_hours import AroundTheClock, BusinessCalendar
from handlers.organisation import BusinessHours
from handlers.sla import deadlines, targets_for

UTC = timezone.utc


def calendar(**settings) -> BusinessCalendar:
    return BusinessCalendar.from_config(BusinessHours(**settings))


def test_work_left_on_friday_evening_carries_over_the_weekend():
    london = calendar(timezone="Europe/London", hours="09:00-17:00")
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    assert london.add(friday_evening, 8 * 3600) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday, end of day
    assert london.add(friday_evening, 60) == datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
    # Within the day it is plain arithmetic; a window's end is a valid deadline.
    assert london.add(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), 7 * 3600) == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_holidays_and_time_zones_move_the_windows():
    calendar_ = calendar(timezone="America/New_York", hours="09:00-17:00", holidays=[date(2026, 11, 26)])
    wednesday_4pm_local = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 16:00 EST
    # One hour left on Wednesday, Thursday is Thanksgiving: the second hour is Friday 09:00-10:00 EST.
    assert calendar_.add(wednesday_4pm_local, 2 * 3600) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert calendar_.working_seconds(wednesday_4pm_local, datetime(2026, 11, 27, 15, 0, tzinfo=UTC)) == 2 * 3600


def test_daylight_saving_keeps_the_wall_clock_hours():
    london = calendar(timezone="Europe/London")
    # The clocks go forward on Sunday 29 March 2026: Monday's window is 08:00-16:00 UTC.
    assert london.window(date(2026, 3, 30)) == (datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
                                                datetime(2026, 3, 30, 16, 0, tzinfo=UTC))
    assert london.next_open(datetime(2026, 3, 28, 12, 0, tzinfo=UTC)) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_working_seconds_count_only_the_windows():
    london = calendar(timezone="UTC")
    friday_noon, monday_noon = datetime(2026, 11, 27, 12, tzinfo=UTC), datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert london.working_seconds(friday_noon, monday_noon) == 8 * 3600
    assert london.working_seconds(monday_noon, friday_noon) == 0
    assert AroundTheClock().working_seconds(friday_noon, monday_noon) == 72 * 3600


def test_a_p4_logged_on_friday_evening_is_not_due_on_saturday(organisation):
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    first, resolution = deadlines(organisation, priority="P4", start=friday_evening)
    assert first.weekday() == 0 and first == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 8 working hours: Monday
    assert resolution == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 3 business days: Wednesday evening
    # P1 and P2 run around the clock.
    p1_first, p1_resolution = deadlines(organisation, priority="P1", start=friday_evening)
    assert (p1_first, p1_resolution) == (datetime(2026, 11, 27, 18, 15, tzinfo=UTC), datetime(2026, 11, 27, 22, 0, tzinfo=UTC))


def test_requests_have_their_own_business_hours_targets(organisation):
    targets = targets_for(organisation, kind="access_request", priority="P2")
    assert set(targets) == {"first_response", "resolution", "approval"}
    assert all(target.business_hours for target in targets.values())
    assert targets_for(organisation, kind="incident", priority="P5").keys() == {"first_response"}  # planned


def test_a_priority_can_say_otherwise(organisation):
    sla = dict(organisation.sla)
    sla["P1"] = sla["P1"].model_copy(update={"business_hours": True})
    changed = organisation.model_copy(update={"sla": sla})
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    first, _ = deadlines(changed, priority="P1", start=saturday)
    assert first == datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize("bad, message", [
    ({"timezone": "Mars/Olympus"}, "IANA time zone"),
    ({"hours": "17:00-09:00"}, "end after it starts"),
    ({"hours": "nine to five"}, "09:00-17:00"),
    ({"days": []}, "at least 1"),
])
def test_a_bad_calendar_is_explained(bad, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        BusinessHours(**bad)
    assert message in str(error.value)
