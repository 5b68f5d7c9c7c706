"""The picker's two header lines, status and filters, as one widget (one widget fewer to
style and lay out at start-up than a Static per line)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget


def filter_option(bar: Text, key: str, label: str, choices: Iterable[tuple[str, bool]],
                  compact: bool = False) -> None:
    """One filter of a header's second line: its key, its label (left out when `compact`),
    and its choices, the active one underlined."""
    bar.append(f"{key} ", style="bold reverse")
    bar.append(" " if compact else f" {label}: ")
    for i, (name, active) in enumerate(choices):
        if i:
            bar.append(" | ", style="dim")
        bar.append(name, style="bold underline" if active else "dim")
    bar.append("   ")


class PickerHeader(Widget):
    COMPONENT_CLASSES = {"picker-header--status"}
    DEFAULT_CSS = """
    PickerHeader {
        height: 2;
        & > .picker-header--status { background: $panel; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._status = Text()
        self._filters = Text()

    def show(self, status: Text, filters: Text) -> None:
        if (status.plain, status.spans, filters.plain, filters.spans) != (
                self._status.plain, self._status.spans, self._filters.plain, self._filters.spans):
            self._status, self._filters = status, filters
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        status = Text(" ").append_text(self._status)
        status.truncate(width, overflow="ellipsis", pad=True)
        status.stylize(self.get_component_rich_style("picker-header--status"))
        line = Text(" ").append_text(self._filters)
        line.truncate(width, overflow="ellipsis")
        return Text("\n").join([status, line])
