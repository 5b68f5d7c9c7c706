"""The Storage screen: where the home's space goes (store/storage.py), as bars read at a
glance. The home's files on top with a sparkline of the bytes each month, then the sessions
grouped by project, month, source or size (g), sorted by size, count, archived part or name
(s), and the largest sessions. Enter on a project opens the picker on that directory; on a
session, its transcript.

The report is built in a thread from what a listing reads anyway (heads and sizes, the
summary cache when it is warm); regrouping and sorting afterwards touch no file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from ..store import StoreError, ThreadStore, ThreadSummary
from ..store.storage import (
    GROUPINGS,
    StorageGroup,
    StorageReport,
    file_rows,
    human_bytes,
    sort_groups,
    storage_report,
)
from ..textutil import clip, one_line, text_bar
from ..widgets.key_bar import KeyBar

SORTS = ("bytes", "sessions", "archived", "key")
SORT_NAMES = {"bytes": "size", "sessions": "sessions", "archived": "archived size",
              "key": "name"}
BY_NAMES = {"project": "project", "month": "month", "source": "source", "size": "size"}
BAR = 24
LARGEST = 15
TITLE = 70


class StorageScreen(Screen):
    CSS_PATH = "storage.tcss"
    COMPONENT_CLASSES = {"storage--bar", "storage--archived"}
    BINDINGS = [
        Binding("g", "cycle_group", "Group by"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("enter", "open", "Open"),
        Binding("tab", "switch_list", "Largest / groups", show=False),
        Binding("R", "reload", "Reload"),
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
    ]

    class Loaded(Message):
        def __init__(self, summaries: list[ThreadSummary] | None, files: dict[str, int],
                     error: str | None = None) -> None:
            super().__init__()
            self.summaries = summaries
            self.files = files
            self.error = error

    def __init__(self, store: ThreadStore, *, by: str = "project",
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.store = store
        self.by = by
        self.sort = "bytes"
        self._now = now
        self._summaries: list[ThreadSummary] | None = None
        self._files: dict[str, int] = {}
        self.report: StorageReport | None = None
        self._groups: list[StorageGroup] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="storage-top"):
            yield Static(Text("Reading sessions…", style="italic"), id="storage-summary",
                         markup=False)
            yield Static("", id="storage-months-label", markup=False)
            yield Sparkline([], id="storage-months")
        yield Static("", id="storage-groups-title", markup=False)
        yield OptionList(id="storage-groups", markup=False)
        yield Static("", id="storage-largest-title", markup=False)
        yield OptionList(id="storage-largest", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#storage-groups", OptionList).focus()
        self.load()

    # -- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="storage", exit_on_error=False)
    def load(self, again: bool = False) -> None:
        from ..store.storage import every_thread

        refresh = getattr(self.store, "refresh", None)
        if again and callable(refresh):
            refresh()  # (R: the folders listed anew, not what the store knew)
        try:
            summaries = every_thread(self.store)
            files = self.store.storage_files()
        except StoreError as exc:
            self.post_message(self.Loaded(None, {}, str(exc)))
            return
        self.post_message(self.Loaded(summaries, files))

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        if message.error is not None:
            self.query_one("#storage-summary", Static).update(
                Text(f"Could not read the sessions: {one_line(message.error)}", style="red"))
            return
        self._summaries = message.summaries
        self._files = message.files
        self._show()

    # -- drawing ---------------------------------------------------------------------------

    def _show(self) -> None:
        if self._summaries is None:
            return
        self.report = storage_report(self._summaries, self._files, self.by, LARGEST)
        self._show_summary(self.report)
        self._show_months()
        self._show_groups()
        self._show_largest(self.report)
        self.refresh_bindings()

    def _show_summary(self, report: StorageReport) -> None:
        home = getattr(self.store, "codex_home", None)
        where = home if isinstance(home, str) else ", ".join(self.store.homes)
        text = Text.assemble((one_line(where), "bold"), "  ",
                             (human_bytes(report.total_bytes), "bold"),
                             f" in all · {report.sessions:,} sessions, "
                             f"{report.archived_sessions:,} archived")
        rows = file_rows(report.files)
        biggest = max((size for _name, size in rows), default=0) or 1
        width = max((len(name) for name, _size in rows), default=0)
        for name, size in rows:
            text.append(f"\n  {name:<{width}} {human_bytes(size):>10} ")
            self._bar(text, size, 0, biggest, BAR)
        if report.unknown_size:
            text.append(f"\n  {report.unknown_size:,} sessions of unknown size "
                        "(a home reached through an app-server)", style="italic")
        self.query_one("#storage-summary", Static).update(text)

    def _show_months(self) -> None:
        months = {g.key: g.bytes for g in storage_report(self._summaries or [], by="month").groups
                  if g.key}
        label = self.query_one("#storage-months-label", Static)
        spark = self.query_one("#storage-months", Sparkline)
        keys = month_range(min(months, default=""), max(months, default=""))
        if len(keys) < 2:
            label.display = spark.display = False
            return
        label.display = spark.display = True
        peak = max(months, key=lambda k: months[k])
        label.update(Text.assemble(
            "Bytes per month, ", (keys[0], "bold"), " to ", (keys[-1], "bold"),
            f" (peak {peak}: {human_bytes(months[peak])})"))
        spark.data = [float(months.get(key, 0)) for key in keys]

    def _show_groups(self) -> None:
        report = self.report
        if report is None:
            return
        self._groups = sort_groups(report.groups, self.sort)
        hint = "   g: group by · s: sort" + \
            (" · Enter: the project in the picker" if self.by == "project" else "")
        title = Text.assemble((f"By {BY_NAMES[self.by]}", "bold"),
                              f" · {len(self._groups):,} groups · sorted by "
                              f"{SORT_NAMES[self.sort]} · ")
        self._bar(title, 1, 0, 1, 1)
        title.append(" active ")
        self._bar(title, 0, 1, 1, 1)
        title.append(" archived")
        title.append(hint, "dim")
        self.query_one("#storage-groups-title", Static).update(title)
        biggest = max((g.bytes for g in self._groups), default=0) or 1
        options = [Option(self._group_row(g, biggest), id=f"g{i}")
                   for i, g in enumerate(self._groups)]
        groups = self.query_one("#storage-groups", OptionList)
        highlighted = groups.highlighted
        groups.clear_options()
        groups.add_options(options)
        if options:
            groups.highlighted = min(highlighted or 0, len(options) - 1)

    def _bar(self, row: Text, active: int, archived: int, biggest: int, width: int) -> None:
        """A bar of `active + archived` bytes against `biggest`: the active part in the
        accent colour, the archived part after it in the warning colour."""
        whole = text_bar((active + archived) / biggest, width)
        cut = len(text_bar(active / biggest, width).rstrip()) if active else 0
        row.append(whole[:cut], style=self.get_component_rich_style("storage--bar",
                                                                    partial=True))
        row.append(whole[cut:], style=self.get_component_rich_style("storage--archived",
                                                                    partial=True))

    def _group_row(self, g: StorageGroup, biggest: int) -> Text:
        if g.key is None:
            key = "(no directory recorded)" if self.by == "project" else "(unknown)"
        else:
            key = g.key
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append(f"{human_bytes(g.bytes):>10} ")
        self._bar(row, g.active_bytes, g.archived_bytes, biggest, BAR)
        row.append(f" {g.sessions:>7,} session{'s' if g.sessions != 1 else ' '}")
        archived = f"{human_bytes(g.archived_bytes)} archived" if g.archived_bytes else ""
        row.append(f" {archived:>18}  ", style="dim")
        row.append(one_line(key))
        return row

    def _show_largest(self, report: StorageReport) -> None:
        self.query_one("#storage-largest-title", Static).update(Text.assemble(
            ("Largest sessions", "bold"), "   (Tab: here and back, Enter: read it)"))
        biggest = max((s.size or 0 for s in report.largest), default=0) or 1
        cwd_width = min(max((len(one_line(s.cwd) or "?") for s in report.largest), default=1),
                        40)
        options = []
        for s in report.largest:
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append(f"{human_bytes(s.size):>10} ")
            self._bar(row, s.size or 0, 0, biggest, 12)
            row.append(" archived " if s.archived else "          ", style="dim")
            row.append(f"{clip(one_line(s.cwd) or '?', cwd_width):<{cwd_width}}  ", style="dim")
            row.append(clip(one_line(s.title[:TITLE * 2] if s.title else s.id), TITLE))
            options.append(Option(row, id=s.id))
        largest = self.query_one("#storage-largest", OptionList)
        largest.clear_options()
        largest.add_options(options)
        if options:
            largest.highlighted = 0

    # -- actions ---------------------------------------------------------------------------

    def action_cycle_group(self) -> None:
        self.by = GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)]
        self.query_one("#storage-groups", OptionList).highlighted = 0
        self._show()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_groups()

    def action_switch_list(self) -> None:
        groups = self.query_one("#storage-groups", OptionList)
        largest = self.query_one("#storage-largest", OptionList)
        (largest if groups.has_focus else groups).focus()

    def action_reload(self) -> None:
        self.load(again=True)

    def action_back(self) -> None:
        self.app.leave_screen(self)  # type: ignore[attr-defined]

    def selected_group(self) -> StorageGroup | None:
        index = self.query_one("#storage-groups", OptionList).highlighted
        return self._groups[index] if index is not None and index < len(self._groups) else None

    def action_open(self) -> None:
        if self.query_one("#storage-largest", OptionList).has_focus:
            self._open_session()
            return
        group = self.selected_group()
        if group is None:
            return
        if self.by != "project":
            self.notify("Enter opens a project in the picker: press g for By project",
                        timeout=4)
            return
        if group.key is None:
            self.notify("These sessions recorded no directory: the picker's every-directory "
                        "view (a) shows them", timeout=5)
            return
        self.app.show_project(group.key)  # type: ignore[attr-defined]

    def _open_session(self) -> None:
        from .transcript import TranscriptScreen

        largest = self.query_one("#storage-largest", OptionList)
        if largest.highlighted is None:
            return
        option = largest.get_option_at_index(largest.highlighted)
        if option.id:
            self.app.push_screen(TranscriptScreen(self.store, option.id, now=self._now))

    @on(OptionList.OptionSelected)
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def commands(self) -> list[tuple[str, str, object]]:
        return [
            ("Storage: group by project / month / source / size", "g", self.action_cycle_group),
            ("Storage: sort by size / sessions / archived / name", "s", self.action_cycle_sort),
            ("Storage: read the home again", "R", self.action_reload),
        ]


def month_range(first: str, last: str) -> list[str]:
    """"YYYY-MM" keys from `first` to `last`, the months with no session included (a
    sparkline's gaps are months too)."""
    try:
        year, month = int(first[:4]), int(first[5:7])
        end = (int(last[:4]), int(last[5:7]))
    except ValueError:
        return []
    keys: list[str] = []
    while (year, month) <= end and len(keys) < 1200:
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys
