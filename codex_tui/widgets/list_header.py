"""A list screen's two header lines: a status line and a filter bar, as one widget (one
widget fewer to style and lay out at start-up than a widget per line).

The filter bar shows each filter as its key, its label and its choices, the active one
underlined; on a terminal too narrow for that, labels go and choices take their short
names.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget


class Filter:
    """One filter of the bar. (A plain class: a NamedTuple or a dataclass costs start-up
    time to create, and this module is imported before the first frame.)"""

    __slots__ = ("choices", "key", "label", "short")

    def __init__(self, key: str, label: str, choices: Sequence[tuple[str, bool]],
                 short: Sequence[str] | None = None) -> None:
        self.key = key  # the key that switches it, as shown
        self.label = label
        self.choices = choices  # (name, active)
        self.short = short  # the choices' names on a narrow terminal

    def _fields(self) -> tuple:
        return self.key, self.label, list(self.choices), self.short and list(self.short)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self._fields() == other._fields()

    # Mutable fields: never a dict key. (ignore: typeshed has object.__hash__ a method, though
    # None is how Python says "unhashable")
    __hash__ = None  # type: ignore[assignment]


def filter_bar(filters: Sequence[Filter], compact: bool = False) -> Text:
    bar = Text()
    for f in filters:
        bar.append(f"{f.key} ", style="bold reverse")
        bar.append(" " if compact else f" {f.label}: ")
        names = f.short if compact and f.short is not None else [n for n, _ in f.choices]
        for i, (name, (_, active)) in enumerate(zip(names, f.choices, strict=True)):
            if i:
                bar.append(" | ", style="dim")
            bar.append(name, style="bold underline" if active else "dim")
        bar.append("   ")
    return bar


class ListHeader(Widget):
    COMPONENT_CLASSES = {"list-header--status"}
    DEFAULT_CSS = """
    ListHeader {
        height: 2;
        & > .list-header--status { background: $panel; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._status = Text()
        self._filters: Sequence[Filter] = ()
        self._compactable = True

    def show(self, status: Text, filters: Sequence[Filter], compactable: bool = True) -> None:
        """`compactable`: the bar may drop its labels to fit (else it is cut at the end)."""
        if (status.plain, status.spans, filters, compactable) != (
                self._status.plain, self._status.spans, self._filters, self._compactable):
            self._status, self._filters = status, tuple(filters)
            self._compactable = compactable
            self.refresh()

    def filter_line(self, width: int) -> Text:
        full = filter_bar(self._filters)
        if not self._compactable or full.cell_len <= width - 2:
            return full
        return filter_bar(self._filters, compact=True)

    def render(self) -> Text:
        width = self.size.width
        status = Text(" ").append_text(self._status)
        status.truncate(width, overflow="ellipsis", pad=True)
        status.stylize(self.get_component_rich_style("list-header--status"))
        line = Text(" ").append_text(self.filter_line(width))
        line.truncate(width, overflow="ellipsis")
        return Text("\n").join([status, line])
