"""When an attempt must end: the quiz's time limit and close date, with the server as the clock.

Pure functions over datetimes: no ORM, no HTTP.
"""

from datetime import datetime, timedelta

# Answers that arrive this long after the deadline are still accepted: the page's own
# countdown submits at zero, and the request needs a moment to cross the network.
GRACE = timedelta(seconds=30)


def deadline_for(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    """When the time limit of an attempt started at `started_at` runs out (None: no limit)."""
    if not time_limit_minutes:
        return None
    return started_at + timedelta(minutes=time_limit_minutes)


def ends_at(deadline: datetime | None, closes_at: datetime | None) -> datetime | None:
    """The earlier of the attempt's time limit and the quiz's close date (None: neither)."""
    candidates = [when for when in (deadline, closes_at) if when is not None]
    return min(candidates) if candidates else None


def time_is_up(end: datetime | None, now: datetime) -> bool:
    """Whether the attempt's time has run out: no more answers except within the grace."""
    return end is not None and now >= end


def too_late(end: datetime | None, now: datetime) -> bool:
    """Whether answers sent now come after the grace period and must be refused."""
    return end is not None and now > end + GRACE


def seconds_left(end: datetime | None, now: datetime) -> int | None:
    """Whole seconds until the end, never negative (None: no end)."""
    if end is None:
        return None
    return max(0, int((end - now).total_seconds()))
