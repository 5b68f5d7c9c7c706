"""Usage: tokens and estimated cost over time, by project, by model, and the sessions that
used the most (store/usage/ counts; this screen draws its reports).

Four tabs of one table each, so that 80x24 reads as well as a wide terminal: Over time (a
text bar per day, week or month), Projects, Models, Sessions. Enter on a period or a model
shows the sessions of it; on a project, the picker on that directory; on a session, its
transcript. The reports are built in a worker: a cold home of 10,000 sessions reads every
rollout once (then the usage cache answers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent, TabPane

from ..store import ThreadStore
from ..store.usage import Report, Row, build_report, load_prices
from ..store.usage.report import time_key
from ..textutil import clip, one_line, text_bar
from ..widgets.key_bar import KeyBar
from ..widgets.list_header import Filter, ListHeader

PERIODS = ("day", "week", "month")
TABS = ("time", "projects", "models", "sessions")
TOP_SESSIONS = 200


class Step(NamedTuple):
    """One narrowing (Enter on a period, `s` on a project, Enter on a model); Esc undoes the
    last. `kind` is "period", "project" or "model"."""

    kind: str
    label: str
    value: Any  # (since, until) dates, a directory, or a model (None: none recorded)


class Focus(NamedTuple):
    """The steps taken, as report filters."""

    steps: tuple[Step, ...] = ()

    def get(self, kind: str) -> Step | None:
        return next((s for s in reversed(self.steps) if s.kind == kind), None)

    def then(self, step: Step) -> Focus:
        return Focus((*(s for s in self.steps if s.kind != step.kind), step))

    def label(self) -> str:
        return " · ".join(s.label for s in self.steps)


class Reports(NamedTuple):
    time: Report
    projects: Report
    models: Report
    sessions: Report
    remote: list[str]  # homes usage can't be read from


def bar(value: int, top: int, width: int) -> str:
    """A horizontal bar of `width` cells at most, in eighths of a cell (unpadded)."""
    if top <= 0 or width <= 0:
        return ""
    return text_bar(value / top, width).rstrip(" ")


def short(n: int) -> str:
    """Tokens in 4 significant characters or so: 950, 12.3k, 4.56M, 1.20B."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
    return str(n)


def fit(label: str, cells: list[str]) -> int:
    """A column's width for its longest cell. (Set, not left to DataTable's auto width: a
    table filled again while its tab is hidden kept the width of its label.)"""
    return max([cell_len(label), *map(cell_len, cells)])


def money(row: Row) -> str:
    if row.usage.total == 0:
        return "-"
    if row.cost_usd is None:
        return "no price"
    return f"${row.cost_usd:,.2f}" + ("+" if row.unpriced_total else "")


def period_days(key: str, by: str) -> tuple[date, date]:
    """The first and last day of a time report's key (`2026-11-21`, `2026-W47`, `2026-11`)."""
    if by == "week":
        iso_year, week = key.split("-W")
        start = date.fromisocalendar(int(iso_year), int(week), 1)
        return start, start + timedelta(days=6)
    if by == "month":
        year, month = (int(part) for part in key.split("-"))
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return start, end
    day = date.fromisoformat(key)
    return day, day


def with_gaps(rows: list[Row], by: str) -> list[tuple[str, Row | None]]:
    """The rows of a time report with the periods between them that had no usage."""
    known = {row.key: row for row in rows if row.key}
    if not known:
        return []
    first, _ = period_days(min(known), by)
    _, last = period_days(max(known), by)
    out: list[tuple[str, Row | None]] = []
    day = first
    while day <= last:
        key = time_key(day, by)
        out.append((key, known.get(key)))
        day = period_days(key, by)[1] + timedelta(days=1)
    return out


class UsageScreen(Screen):
    CSS_PATH = "usage.tcss"
    COMPONENT_CLASSES = {"usage--bar"}

    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        Binding("s", "project_sessions", "Its sessions"),
        Binding("g", "cycle_period", "Per", show=False),
        Binding("a", "toggle_all", "Dirs", show=False),
        Binding("z", "toggle_utc", "Days", show=False),
        Binding("tab", "next_tab", "Next tab", priority=True),
        Binding("shift+tab", "previous_tab", "Previous tab", show=False, priority=True),
        Binding("escape", "back", "Clear / back"),
        Binding("q", "leave", "Back", show=False),
    ]

    class Loaded(Message):
        def __init__(self, key: tuple, reports: Reports | None, error: str | None) -> None:
            super().__init__()
            self.key = key
            self.reports = reports
            self.error = error

    def __init__(self, store: ThreadStore, *, cwd: str | None, all_dirs: bool = True,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.store = store
        self.cwd = cwd
        self.all_dirs = all_dirs or cwd is None
        self.period = "day"
        self.utc = False
        self.focus_on = Focus()
        self.reports: Reports | None = None
        self._threads: list[Any] | None = None
        self._threads_for: bool | None = None  # all_dirs they were read for
        self._loading_key: tuple | None = None
        self._time_drawn = False
        self._now = now

    def compose(self) -> ComposeResult:
        yield ListHeader(id="usage-header")
        with TabbedContent(id="usage-tabs"):
            for tab, title in zip(TABS, ("Over time", "Projects", "Models", "Sessions"),
                                  strict=True):
                with TabPane(title, id=f"tab-{tab}"):
                    table: DataTable = DataTable(id=f"usage-{tab}", cursor_type="row",
                                                 zebra_stripes=True)
                    yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self._update_header()
        self.load()

    # -- loading -----------------------------------------------------------------------------

    def _key(self) -> tuple:
        return (self.all_dirs, self.period, self.utc, self.focus_on)

    def load(self) -> None:
        self._loading_key = self._key()
        self._update_header()
        self._build(self._loading_key)

    @work(thread=True, exclusive=True, group="usage")
    def _build(self, key: tuple) -> None:
        all_dirs, period_by, utc, focus = key
        try:
            if self._threads is None or self._threads_for != all_dirs:
                threads, remote = self.store.usage_listing(None if all_dirs else self.cwd)
                self._threads, self._threads_for, self._remote = threads, all_dirs, remote
            threads = self._threads
            prices = load_prices()
            period, project, model = (focus.get(k) for k in ("period", "project", "model"))
            since, until = period.value if period else (None, None)
            picked = threads if project is None else [
                (s, u) for s, u in threads if s.cwd == project.value]  # (a report's own key)
            models = None if model is None else [model.value]
            reports = Reports(
                build_report(threads, period_by, prices, utc=utc),
                build_report(threads, "project", prices, since, until, utc),
                build_report(threads, "model", prices, since, until, utc),
                build_report(picked, "session", prices, since, until, utc, models),
                self._remote)
        except Exception as exc:  # shown, never a traceback over the screen
            self.post_message(self.Loaded(key, None, str(exc) or type(exc).__name__))
            return
        self.post_message(self.Loaded(key, reports, None))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.key != self._key():
            return  # an answer to a question no longer asked
        self._loading_key = None
        if message.reports is None:
            self.notify(f"Usage could not be read: {message.error}", severity="error")
            self._update_header()
            return
        self.reports = message.reports
        for label in message.reports.remote:
            self.notify(f"{label}: usage is read from homes on this machine only", timeout=5)
        self._fill()
        self._update_header()

    # -- drawing -----------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.reports is not None:
            self._fill_time()  # the bars take the width there is

    def _fill(self) -> None:
        self._fill_time()
        self._fill_projects()
        self._fill_models()
        self._fill_sessions()

    def _table(self, tab: str) -> DataTable:
        return self.query_one(f"#usage-{tab}", DataTable)

    @staticmethod
    def _reset(table: DataTable, *columns: tuple[str, str, int | None]) -> int:
        """Empty `table` and give it these columns; returns the row its cursor was on."""
        cursor = table.cursor_row
        table.clear(columns=True)
        for label, key, width in columns:
            table.add_column(label, key=key, width=width)
        return cursor

    def _fill_time(self) -> None:
        assert self.reports is not None
        report = self.reports.time
        table = self._table("time")
        width = max(self.size.width, 40)
        bar_width = max(8, width - 12 - 9 - 10 - 8)  # period, tokens, cost, gaps
        label = {"day": "Day", "week": "Week", "month": "Month"}[self.period]
        cursor = self._reset(table, (label, "key", 10), ("Tokens", "tokens", 7),
                             ("", "bar", bar_width), ("Cost", "cost", 9))
        top = max((r.usage.total for r in report.rows), default=0)
        style = self.get_component_rich_style("usage--bar")
        for key, row in with_gaps(report.rows, self.period):
            if row is None:  # a period without usage still takes its place on the axis
                table.add_row(Text(key, style="dim"), Text("0", justify="right", style="dim"),
                              "", "", key=key)
                continue
            table.add_row(key, Text(short(row.usage.total), justify="right"),
                          Text(bar(row.usage.total, top, bar_width), style=style),
                          Text(money(row), justify="right"), key=key)
        if not self._time_drawn and table.row_count:
            self._time_drawn = True
            table.move_cursor(row=table.row_count - 1)  # the latest period in view
        else:
            table.move_cursor(row=cursor)  # drawn again for a new width: stay there

    def _fill_projects(self) -> None:
        assert self.reports is not None
        rows = self.reports.projects.rows
        names = [one_line(row.key or "(no directory recorded)") for row in rows]
        self._reset(self._table("projects"), ("Tokens", "tokens", 7), ("Cost", "cost", 9),
                    ("Sess.", "sessions", 5), ("Project", "key", fit("Project", names)))
        for row, name in zip(rows, names, strict=True):
            self._table("projects").add_row(
                Text(short(row.usage.total), justify="right"), Text(money(row), justify="right"),
                Text(str(row.sessions), justify="right"), Text(name), key=row.key or "")

    def _fill_models(self) -> None:
        assert self.reports is not None
        rows = self.reports.models.rows
        names = [one_line(row.key or "(no model recorded)") for row in rows]
        table = self._table("models")
        self._reset(table, ("Tokens", "tokens", 7), ("Input", "input", 7),
                    ("Cached", "cached", 7), ("Output", "output", 7),
                    ("Reason.", "reasoning", 7), ("Cost", "cost", 9),
                    ("Model", "key", fit("Model", names)))
        for row, name in zip(rows, names, strict=True):
            u = row.usage
            table.add_row(*(Text(short(n), justify="right")
                            for n in (u.total, u.input, u.cached_input, u.output,
                                      u.reasoning_output)),
                          Text(money(row), justify="right"), Text(name), key=row.key or "")

    def _fill_sessions(self) -> None:
        assert self.reports is not None
        rows = self.reports.sessions.rows[:TOP_SESSIONS]
        titles = []
        for row in rows:
            s = row.summary
            titles.append(clip(one_line((s.name or s.title) if s else None) or "(no message)",
                               200))
        table = self._table("sessions")
        self._reset(table, ("Tokens", "tokens", 7), ("Cost", "cost", 9),
                    ("Project", "project", 18), ("Session", "title", fit("Session", titles)))
        for row, title in zip(rows, titles, strict=True):
            s = row.summary
            project = clip(one_line(s.cwd or "?").rsplit("/", 1)[-1], 18) if s else "?"
            table.add_row(Text(short(row.usage.total), justify="right"),
                          Text(money(row), justify="right"), Text(project), Text(title),
                          key=row.key or "")

    def _update_header(self) -> None:
        """The status line: what is counted and its totals (of what is narrowed to, else of
        everything); the filter bar: the keys that change what is counted."""
        status = Text.assemble(("Usage", "bold"))
        if self.focus_on.steps:
            status.append(f"  {self.focus_on.label()}", style="bold")
        if self._loading_key is not None:
            status.append("  reading usage…")
        elif self.reports is not None:
            t = self.reports.sessions if self.focus_on.steps else self.reports.time
            status.append(f"  {t.totals.usage.total:,} tokens", style="bold")
            status.append(f"  {money(t.totals)}  {t.totals.sessions:,} sessions")
            if t.sessions_without_usage:
                status.append(f"  ·  {t.sessions_without_usage:,} without usage records")
            if t.unpriced_models:
                names = ", ".join(m or "?" for m in t.unpriced_models)
                status.append(f"  ·  no price: {names}")
            if t.prices_as_of:
                status.append(f"  ·  prices of {t.prices_as_of}", style="dim")
        here = one_line(self.cwd or "?").rsplit("/", 1)[-1] or "?"
        filters = [
            Filter("g", "Per", [(p, p == self.period) for p in PERIODS], ["d", "w", "m"]),
            Filter("a", "Dirs", [(here, not self.all_dirs), ("all", self.all_dirs)]),
            Filter("z", "Days", [("local", not self.utc), ("UTC", self.utc)]),
        ]
        self.query_one(ListHeader).show(status, filters)

    # -- actions ---------------------------------------------------------------------------

    def _active_tab(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-time"
        return active.removeprefix("tab-")

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self._table(self._active_tab()).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "project_sessions":
            return self.is_mounted and self._active_tab() == "projects"
        return True

    def _switch(self, step: int) -> None:
        tab = TABS[(TABS.index(self._active_tab()) + step) % len(TABS)]
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_previous_tab(self) -> None:
        self._switch(-1)

    def action_cycle_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self._time_drawn = False  # other rows: the latest in view again
        self.load()

    def action_toggle_all(self) -> None:
        if self.cwd is None:
            self.notify("No current directory to narrow to", timeout=3)
            return
        self.all_dirs = not self.all_dirs
        self._time_drawn = False
        self.load()

    def action_toggle_utc(self) -> None:
        self.utc = not self.utc
        self.load()

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_back(self) -> None:
        if self.focus_on.steps:
            self.focus_on = Focus(self.focus_on.steps[:-1])
            self.load()
        else:
            self.app.pop_screen()

    def action_open(self) -> None:
        tab = self._active_tab()
        table = self._table(tab)
        if self.reports is None or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if tab == "time" and key:
            self._narrow(Step("period", key, period_days(key, self.period)), "projects")
        elif tab == "models":
            self._narrow(Step("model", key or "(no model recorded)", key or None), "sessions")
        elif tab == "projects" and key:
            self._open_project(key)
        elif tab == "sessions" and key:
            from .transcript import TranscriptScreen

            self.app.push_screen(TranscriptScreen(self.store, key, now=self._now))

    def action_project_sessions(self) -> None:
        """`s` on a project: its sessions (in the period chosen, if any)."""
        table = self._table("projects")
        if self._active_tab() != "projects" or self.reports is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            self._narrow(Step("project", one_line(key).rsplit("/", 1)[-1] or key, key),
                         "sessions")

    def _narrow(self, step: Step, tab: str) -> None:
        self.focus_on = self.focus_on.then(step)
        self.query_one(TabbedContent).active = f"tab-{tab}"
        self.load()

    def _open_project(self, cwd: str) -> None:
        """Back to the picker, on this directory's sessions."""
        from .picker import PickerScreen

        pickers = [s for s in self.app.screen_stack if isinstance(s, PickerScreen)]
        if not pickers:
            self.notify("Open the picker on it with: codex-tui --cwd …", timeout=3)
            return
        while self.app.screen is not pickers[-1]:
            self.app.pop_screen()
        pickers[-1].show_directory(cwd)

    def commands(self) -> list[tuple[str, str, object]]:
        return [
            ("Usage: day / week / month", "Tokens per day, week or month",
             self.action_cycle_period),
            ("Usage: this directory / all directories", "Whose usage", self.action_toggle_all),
            ("Usage: UTC / local days", "Which calendar the days follow", self.action_toggle_utc),
        ]
