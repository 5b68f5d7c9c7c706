"""Usage reports: threads' usage (accounting.py) summed into rows by day, week, month,
project, model or session, with their estimated cost (prices.py). Pure: the CLI prints a
Report, the Usage screen draws one.

Days are the user's: each quarter hour of usage falls on the local calendar day of its own
instant (DST included), or the UTC day with `utc=True`. `since`/`until` (inclusive dates)
select usage by that day whatever the grouping, so `--by project --since ...` is the
projects' usage in that period."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from ..model import ThreadSummary, TokenUsage
from ..paths import ThreadFiles
from .accounting import INHERITED, REPEATED, SLOT_SECONDS, ThreadUsage, read_thread_usage
from .cache import UsageCache
from .prices import PriceTable

GROUPINGS = ("day", "week", "month", "project", "model", "session")
TIME_GROUPINGS = ("day", "week", "month")
FIELDS = ("input", "cached_input", "output", "reasoning_output", "total")


PARALLEL_FROM = 500  # threads to read before a second process is worth its start (~0.1 s)


def collect(codex_home: str, threads: Iterable[tuple[ThreadSummary, ThreadFiles]],
            cache: UsageCache | None = None,
            ) -> list[tuple[ThreadSummary, ThreadUsage]]:
    """Each thread's usage: from the cache while its files are unchanged, else read (and
    cached). `cache=None` opens the home's cache file; the cache is saved at the end."""
    if cache is None:
        cache = UsageCache(codex_home)
    pairs = list(threads)
    found = [cache.get(tf) for _, tf in pairs]
    missing = [tf for (_, tf), usage in zip(pairs, found, strict=True) if usage is None]
    read = dict(zip((tf.thread_id for tf in missing), read_many(missing), strict=True))
    out: list[tuple[ThreadSummary, ThreadUsage]] = []
    for (summary, tf), usage in zip(pairs, found, strict=True):
        if usage is None:
            usage = read[tf.thread_id]
            cache.put(tf, usage)
        out.append((summary, usage))
    cache.save()
    return out


def read_many(files: list[ThreadFiles]) -> list[ThreadUsage]:
    """read_thread_usage of each, in order; a cold home's thousands of files over the
    machine's cores (separate processes: the reading is Python, one core per process)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(files) < PARALLEL_FROM or workers < 2:
        return [read_thread_usage(tf) for tf in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        # spawn, not fork: the caller may be a Textual app's worker thread.
        with ProcessPoolExecutor(workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            chunks = pool.map(_read_chunk,
                              [files[i: i + 200] for i in range(0, len(files), 200)])
            return [ThreadUsage.from_json(u) for chunk in chunks for u in chunk]
    except (OSError, ValueError, BrokenProcessPool):
        # No processes here: inside a Textual app sys.stderr is its capture, whose fileno()
        # is -1, and multiprocessing's resource tracker cannot start ("bad value(s) in
        # fds_to_keep"); a sandbox may forbid them too. Read in this process instead.
        return [read_thread_usage(tf) for tf in files]


def _read_chunk(files: list[ThreadFiles]) -> list[list[Any]]:
    return [read_thread_usage(tf).to_json() for tf in files]


class Row(NamedTuple):
    key: str | None  # the day/week/month, directory, model or thread id; None: not recorded
    sessions: int
    usage: TokenUsage
    cost_usd: float | None  # None when none of the row's tokens has a price
    unpriced_total: int  # tokens of models without a price (not in cost_usd)
    not_counted: dict[str, int]  # total tokens read but not counted, by cause
    summary: ThreadSummary | None = None  # --by session: the thread


class Report(NamedTuple):
    by: str
    rows: list[Row]
    totals: Row
    unpriced_models: list[str | None]
    sessions_without_usage: int
    undated_events: int
    prices_as_of: str | None

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "rows": [_row_json(r, self.by) for r in self.rows],
                "totals": _row_json(self.totals, None),
                "unpriced_models": self.unpriced_models,
                "sessions_without_usage": self.sessions_without_usage,
                "undated_events": self.undated_events,
                "prices_as_of": self.prices_as_of}


def _row_json(row: Row, by: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {} if by is None else {"key": row.key}
    out["sessions"] = row.sessions
    out.update(zip(FIELDS, row.usage, strict=True))
    out["cost_usd"] = None if row.cost_usd is None else round(row.cost_usd, 6)
    out["unpriced_total"] = row.unpriced_total
    out["not_counted"] = row.not_counted
    if by == "session" and row.summary is not None:
        s = row.summary
        out.update(title=s.title, name=s.name, cwd=s.cwd, archived=s.archived,
                   updated_at=s.updated_at.isoformat() if s.updated_at else None)
    return out


class _Acc:
    __slots__ = ("by_model", "not_counted", "sessions")

    def __init__(self) -> None:
        self.by_model: dict[str | None, list[int]] = {}  # priced once per model, at the end
        self.sessions: set[str] = set()
        self.not_counted = {REPEATED: 0, INHERITED: 0}

    def add(self, model: str | None, values: list[int]) -> None:
        into = self.by_model.get(model)
        if into is None:
            self.by_model[model] = list(values)
        else:
            for i, v in enumerate(values):
                into[i] += v

    def row(self, key: str | None, prices: PriceTable, unpriced: set[str | None],
            summary: ThreadSummary | None = None) -> Row:
        fields = [0] * 5
        cost: float | None = None
        unpriced_total = 0
        for model, values in self.by_model.items():
            for i, v in enumerate(values):
                fields[i] += v
            price = prices.price(model)
            if price is None:
                unpriced.add(model)
                unpriced_total += values[4]
            else:
                cost = (cost or 0.0) + price.cost(TokenUsage(*values))
        return Row(key, len(self.sessions), TokenUsage(*fields), cost, unpriced_total,
                   dict(self.not_counted), summary)


def day_of(slot: int, utc: bool) -> date:
    """The calendar day a quarter hour of usage falls on (local time unless `utc`)."""
    moment = slot * SLOT_SECONDS
    return (datetime.fromtimestamp(moment, UTC) if utc
            else datetime.fromtimestamp(moment)).date()


def time_key(day: date, by: str) -> str:
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def build_report(threads: list[tuple[ThreadSummary, ThreadUsage]], by: str,
                 prices: PriceTable, since: date | None = None, until: date | None = None,
                 utc: bool = False, models: Collection[str | None] | None = None) -> Report:
    """`models`: only these models' usage (None: every model's)."""
    if by not in GROUPINGS:
        raise ValueError(f"--by must be one of {', '.join(GROUPINGS)}")
    accs: dict[str | None, _Acc] = {}
    totals = _Acc()
    without = undated = 0
    summaries: dict[str, ThreadSummary] = {}

    days: dict[int, date] = {}  # per report: the same few thousand slots come again and again

    def in_range(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    def day_at(slot: int) -> date:
        got = days.get(slot)
        if got is None:
            got = days[slot] = day_of(slot, utc)
        return got

    for summary, usage in threads:
        undated += usage.undated
        if not usage.has_usage:
            created = summary.created_at
            day = None if created is None else (created.date() if utc
                                                else created.astimezone().date())
            if usage.undated == 0 and (day is None or in_range(day)):
                without += 1
            continue
        summaries[summary.id] = summary
        for (slot, model), values in usage.buckets.items():
            day = day_at(slot)
            if not in_range(day) or (models is not None and model not in models):
                continue
            acc = accs.get(key := _key(by, day, summary, model))
            if acc is None:
                acc = accs[key] = _Acc()
            acc.add(model, values)
            acc.sessions.add(summary.id)
            totals.add(model, values)
            totals.sessions.add(summary.id)
        if by == "model" or models is not None:
            continue  # what was not counted has no model
        for (slot, cause), values in usage.skipped.items():
            day = day_at(slot)
            if in_range(day):
                for acc in (accs.setdefault(_key(by, day, summary, None), _Acc()), totals):
                    acc.not_counted[cause] = acc.not_counted.get(cause, 0) + values[4]

    unpriced: set[str | None] = set()
    rows = [acc.row(key, prices, unpriced,
                    summaries.get(key) if by == "session" and key else None)
            for key, acc in accs.items() if acc.sessions or any(acc.not_counted.values())]
    if by in TIME_GROUPINGS:
        rows.sort(key=lambda r: r.key or "")
    else:
        rows.sort(key=lambda r: (-r.usage.total, r.key or ""))
    return Report(by, rows, totals.row(None, prices, set()),
                  sorted(unpriced, key=lambda m: m or ""), without, undated, prices.as_of)


def _key(by: str, day: date, summary: ThreadSummary, model: str | None) -> str | None:
    if by in TIME_GROUPINGS:
        return time_key(day, by)
    if by == "project":
        return summary.cwd
    if by == "model":
        return model
    return summary.id
