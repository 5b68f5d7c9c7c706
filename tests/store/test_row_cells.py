"""The session list's cells, built as segments, are what Rich Text would have drawn: the
reference below is the Text-based code they replaced (truncate with an ellipsis, or cut at
the start for paths, then pad), compared character by character with its style."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from codex_tui.textutil import one_line
from codex_tui.widgets.row_cells import field_segments

MATCH = Style(color="yellow", bold=True, underline=True)
DIM = Style(color="grey50")
CONSOLE = Console(width=400, color_system="truecolor", legacy_windows=False)


def reference(value: str, width: int, positions: set[int] | None, base: Style | None,
              left: bool) -> Text:
    flat = one_line(value)
    text = Text(flat, style=base or "")
    if positions and flat == value:
        for pos in positions:
            if pos < len(flat):
                text.stylize(MATCH, pos, pos + 1)
    elif positions:
        lowered = flat.lower()
        runs, current = [], ""
        for i, ch in enumerate(value):
            if i in positions:
                current += ch
            elif current:
                runs.append(current)
                current = ""
        if current:
            runs.append(current)
        for word in runs:
            start = lowered.find(word.lower())
            if start != -1:
                text.stylize(MATCH, start, start + len(word))
    if width <= 0:
        return Text()
    if text.cell_len > width:
        if left:
            cut = text.cell_len - width + 1
            total = index = 0
            for index, ch in enumerate(text.plain):  # noqa: B007
                if total >= cut:
                    break
                total += cell_len(ch)
            else:
                index = len(text.plain)
            text = Text("…") + text[index:]
            while text.cell_len > width:
                text = Text("…") + text[2:]
        else:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
    text = text.copy()
    text.pad_right(width - text.cell_len)
    return text


def cells(segments) -> list[tuple[str, Style]]:
    out = []
    for seg in segments:
        for ch in seg.text:
            out.append((ch, seg.style or Style()))
    return out


def drawn(text: Text) -> list[tuple[str, Style]]:
    # Assembled into the row, as the old code did: the field's own style becomes a span.
    row = Text.assemble(text, no_wrap=True, overflow="crop")
    segs = [s for s in row.render(CONSOLE) if s.text != "\n"]
    return cells(Segment(s.text, s.style) for s in segs)


values = st.lists(st.sampled_from(
    [*"abcXYZ /._-", "\n", "\t", "  ", "\x1b", "\x00", "é", "中", "文", "😀", "👩‍💻",
     "\u0301", "ｱ", "[b]", "[/]"]), max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(value=values, width=st.integers(0, 30), data=st.data(), left=st.booleans(),
       dim=st.booleans())
def test_cells_match_rich_text(value: str, width: int, data, left: bool, dim: bool) -> None:
    positions = data.draw(st.sets(st.integers(0, max(0, len(value) - 1)), max_size=8)) \
        if value else set()
    base = DIM if dim else None
    got = field_segments(value, width, positions or None, MATCH, base, left=left)
    want = reference(value, width, positions or None, base, left)
    assert cell_len("".join(s.text for s in got)) == want.cell_len
    assert "".join(s.text for s in got) == want.plain
    assert cells(got) == drawn(want)
