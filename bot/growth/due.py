"""When a person is offered a re-assessment instead of a growth prompt."""

from __future__ import annotations

import calendar
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from storage import Assessment

REASSESS_ENV = "LADDERBOT_REASSESS_MONTHS"
DEFAULT_MONTHS = 3  # a quarter


def add_months(when: datetime, months: int) -> datetime:
    """Same day of the month `months` later, or the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    total = when.month - 1 + months
    year, month = when.year + total // 12, total % 12 + 1
    return when.replace(year=year, month=month, day=min(when.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReassessPolicy:
    months: int = DEFAULT_MONTHS  # 0: never offer a re-assessment

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReassessPolicy:
        raw = (os.environ if env is None else env).get(REASSESS_ENV, "").strip().lower()
        if raw == "":
            return cls()
        if raw == "off":
            return cls(0)
        if not raw.isdigit() or int(raw) > 120:
            raise ValueError(f"{REASSESS_ENV} must be a number of months (0-120) or 'off', got {raw!r}")
        return cls(int(raw))

    def due_at(self, latest: Assessment | None) -> datetime | None:
        """When the next re-assessment is due; None when none ever is (no assessment yet:
        the first one is the person's to start, prompts go on meanwhile)."""
        if latest is None or self.months == 0:
            return None
        return add_months(latest.created_at, self.months)

    def is_due(self, latest: Assessment | None, now: datetime) -> bool:
        due = self.due_at(latest)
        return due is not None and now >= due
