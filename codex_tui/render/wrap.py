"""Plain text cut into rows of at most `width` cells, fast.

Tool output can be megabytes: it is cut at the width (as a terminal would show it), never
word-wrapped by Rich, and only as many lines are read as are asked for, so the first rows
of a huge output cost no more than those of a small one."""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import chop_cells

from ..textutil import printable

TAB_SIZE = 8


def clean(text: str) -> str:
    """Session text made safe to show: CRLF as LF, control characters visible, tabs as
    spaces (a tab would make the cell count wrong)."""
    text = printable(text.replace("\r\n", "\n"))
    return text.expandtabs(TAB_SIZE) if "\t" in text else text


def iter_lines(text: str) -> Iterator[str]:
    """The lines of `text` (without a last empty one after a final newline), lazily."""
    start = 0
    end = len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop == -1:
            yield text[start:]
            return
        yield text[start:stop]
        start = stop + 1
    if end == 0:
        yield ""


def line_count(text: str) -> int:
    if not text:
        return 1
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def fold(line: str, width: int) -> list[str]:
    """One line cut into pieces of at most `width` cells."""
    width = max(1, width)
    if line.isascii():
        if len(line) <= width:
            return [line]
        return [line[i:i + width] for i in range(0, len(line), width)]
    return chop_cells(line, width) or [""]


def fold_rows(line: str, width: int) -> int:
    """How many rows `fold(line, width)` gives, without building them when it can."""
    if line.isascii():
        return max(1, -(-len(line) // max(1, width)))
    return len(fold(line, width))


def fold_text(text: str, width: int, limit: int | None = None) -> tuple[list[str], int]:
    """Rows of `text` cut at `width`, at most `limit` of them; and how many source lines
    those rows show whole."""
    rows: list[str] = []
    whole = 0
    for line in iter_lines(text):
        pieces = fold(line, width)
        if limit is not None and len(rows) + len(pieces) > limit:
            rows.extend(pieces[: limit - len(rows)])
            break
        rows.extend(pieces)
        whole += 1
        if limit is not None and len(rows) >= limit:
            break
    return rows, whole


def count_rows(text: str, width: int) -> int:
    """len(fold_text(text, width)[0]), cheaply."""
    return sum(fold_rows(line, width) for line in text.split("\n")) - \
        (1 if text.endswith("\n") and text else 0)
