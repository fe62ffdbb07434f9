"""The weekly digest's schedule: ``DIGEST_SCHEDULE`` (``mon 09:00``) in the ``TZ`` time zone.

Plain Python (no telegram imports): parsing and the report text. The job that sends it is
in ``bot.handlers.digest`` (python-telegram-bot's JobQueue).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SCHEDULE = "mon 09:00"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(r"^(?P<day>[a-z]+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})$")
# How far back a digest looks.
DIGEST_DAYS = 7


class ScheduleError(ValueError):
    """A DIGEST_SCHEDULE or TZ value that cannot be used; the message says why."""

    def __init__(self, message: str, variable: str = "DIGEST_SCHEDULE") -> None:
        super().__init__(message)
        self.variable = variable


@dataclass(frozen=True)
class DigestSchedule:
    """When the digest goes out: ``weekday`` (0 = Monday, as ``date.weekday()``) or None for
    every day, at ``time`` (aware, in the configured zone)."""

    weekday: int | None
    time: dt.time

    def ptb_days(self) -> tuple[int, ...]:
        """The ``days`` of JobQueue.run_daily, where 0 is Sunday."""
        if self.weekday is None:
            return tuple(range(7))
        return ((self.weekday + 1) % 7,)

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """The first run strictly after ``now`` (what the job queue computes, for checks)."""
        zone = self.time.tzinfo
        local = now.astimezone(zone)
        for days in range(8):
            day = local.date() + dt.timedelta(days=days)
            at = dt.datetime.combine(day, self.time.replace(tzinfo=None), tzinfo=zone)
            if at > local and (self.weekday is None or day.weekday() == self.weekday):
                return at
        raise AssertionError("a weekly schedule always has a run within 8 days")


def parse_schedule(value: str | None, zone_name: str | None) -> DigestSchedule | None:
    """``DIGEST_SCHEDULE`` and ``TZ``: unset means Monday 09:00, empty or ``off`` none."""
    if value is None:
        value = DEFAULT_SCHEDULE
    value = value.strip().lower()
    if value in ("", "off", "none"):
        return None
    match = _SCHEDULE.match(value)
    if match is None:
        raise ScheduleError(
            f"give a day and a time such as 'mon 09:00' or 'daily 18:30', not {value!r}"
        )
    day, hour, minute = match["day"][:3], int(match["hour"]), int(match["minute"])
    if day not in (*DAYS, "dai") or hour > 23 or minute > 59:
        raise ScheduleError(f"give a day (mon … sun, or daily) and a time HH:MM, not {value!r}")
    weekday = None if day == "dai" else DAYS.index(day)
    return DigestSchedule(weekday, dt.time(hour, minute, tzinfo=zone(zone_name)))


def zone(name: str | None) -> dt.tzinfo:
    """The ``TZ`` zone (an IANA name such as Europe/Berlin); UTC when unset."""
    if not name or not name.strip():
        return dt.UTC
    cleaned = name.strip().removeprefix(":")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"give a time zone name such as Europe/Berlin, not {name!r}", "TZ"
        ) from None
