"""Short human times and sizes for lists."""

from __future__ import annotations

from datetime import datetime


def relative(when: datetime | None, now: datetime, short: bool = False) -> str:
    """`12s ago`, `5m ago`, `3h ago`, `2d ago`, `3w ago`, then `Mar 4` or `2024-03-04`
    (`Mar 2024` when `short`: at most 8 characters, for a list's column)."""
    if when is None:
        return "-"
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -60 else _date(when, short)
    for limit, unit, size in ((60, "s", 1), (3600, "m", 60), (86400, "h", 3600),
                              (7 * 86400, "d", 86400), (30 * 86400, "w", 7 * 86400)):
        if seconds < limit:
            return f"{int(seconds // size)}{unit} ago"
    local = when.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%b %d").replace(" 0", " ")
    return _date(when, short)


def _date(when: datetime, short: bool) -> str:
    return when.astimezone().strftime("%b %Y" if short else "%Y-%m-%d")


def absolute(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if when else "-"


def size(n: int | None) -> str:
    if n is None:
        return ""  # not known (a server's listing says no size)
    value = float(n)
    for unit in ("B", "K", "M", "G"):
        if value < 1000 or unit == "G":
            return f"{int(value)}{unit}" if unit == "B" or value >= 100 else f"{value:.1f}{unit}"
        value /= 1024
    return f"{n}B"


def tokens(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k" if n < 10_000 else f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


def duration(ms: int | None) -> str:
    """`850ms`, `4.2s`, `3m 05s`, `2h 10m`; "" when unknown."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms}ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
