"""When a person's next growth prompt is due: pure date arithmetic in their time zone.

Every comparison happens in the person's IANA zone, so 10:00 stays 10:00 across DST.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.records import WEEKDAYS, Person

_FORTNIGHT_EPOCH = date(2024, 1, 1)  # a Monday: fortnights run Monday to Sunday


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def period_key(cadence: str, day: date) -> str:
    """The period a local date falls in: one prompt per period at most."""
    if cadence == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == "fortnightly":
        return f"F{(day - _FORTNIGHT_EPOCH).days // 14}"
    return f"{day.year}-{day.month:02d}"


def period_start(period: str) -> date:
    """The first local day of a period key made by `period_key`."""
    if period.startswith("F"):
        return _FORTNIGHT_EPOCH + timedelta(days=14 * int(period[1:]))
    if "-W" in period:
        year, week = period.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def local_now(person: Person, now: datetime) -> datetime:
    return now.astimezone(zone(person.tz))


def current_period(person: Person, now: datetime) -> str:
    return period_key(person.cadence, local_now(person, now).date())


def wants_prompts(person: Person, now: datetime) -> bool:
    if person.cadence == "off" or not person.target_level_id:
        return False
    return not (person.paused_until and now < person.paused_until)


def is_due_now(person: Person, now: datetime) -> bool:
    """Due when prompts are wanted and the local time has passed the preferred time on a
    preferred weekday. (Whether this period already had one is the database's call.)"""
    if not wants_prompts(person, now):
        return False
    local = local_now(person, now)
    return WEEKDAYS[local.weekday()] in _weekdays(person) and local.time() >= _time(person)


def next_prompt_at(person: Person, now: datetime, *, this_period_done: bool) -> datetime | None:
    """When the next prompt will go out (aware, in the person's zone), or None if never."""
    if person.cadence == "off" or not person.target_level_id:
        return None
    tz = zone(person.tz)
    start = max(now, person.paused_until or now).astimezone(tz)
    done_period = current_period(person, now) if this_period_done else None
    for offset in range(70):
        day = start.date() + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in _weekdays(person) or period_key(person.cadence, day) == done_period:
            continue
        at = datetime.combine(day, _time(person), tz)
        if offset == 0 and at < start:
            at = start  # today's time has passed but nothing was sent yet: due now
        return at
    return None


def _weekdays(person: Person) -> set[str]:
    return {d.strip() for d in (person.weekdays or "").split(",") if d.strip()}


def _time(person: Person) -> time:
    hour, _, minute = (person.local_time or "10:00").partition(":")
    return time(int(hour), int(minute or 0))
