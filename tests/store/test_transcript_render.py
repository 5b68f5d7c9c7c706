"""The Textual-free transcript renderer: blocks from a thread, rows within the width, the
cheap height equal to the rendered one, folding, and no Textual import."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from support.homes import ROOT

from codex_tui.render import Block, BlockRenderer, build_blocks, search_text
from codex_tui.render.blocks import DIVIDER, HEADER, OUTPUT, REASONING
from codex_tui.render.renderer import OUTPUT_ROWS, duration
from codex_tui.render.wrap import count_rows, fold_text, line_count
from codex_tui.store.model import (
    AgentMessage,
    Reasoning,
    Thread,
    ThreadSummary,
    TokenUsage,
    ToolCall,
    Turn,
    Unknown,
    UserMessage,
)

RENDERER = BlockRenderer()
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
lines_of_text = st.lists(st.text(st.sampled_from("ab c\t界é\u0301\x1b[]"), max_size=150),
                         max_size=30).map("\n".join)
widths = st.integers(min_value=1, max_value=160)


def plain(line) -> str:
    return "".join(s.text for s in line)


def item_block(item, inherited: bool = False) -> Block:
    return Block(item.kind, ("item", 1, 0), 0, item, inherited)


def test_render_package_does_not_import_textual() -> None:
    code = ("import sys, codex_tui.render as t; t.BlockRenderer(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "[]"


@settings(max_examples=150, deadline=None)
@given(output=lines_of_text, command=lines_of_text, width=widths, expanded=st.booleans(),
       exit_code=st.one_of(st.none(), st.integers(-1, 255)))
def test_tool_call_height_and_width(output, command, width, expanded, exit_code) -> None:
    block = item_block(ToolCall("c", "shell", command, output=output, exit_code=exit_code,
                                duration_ms=1234))
    rows = RENDERER.render(block, width, expanded)
    assert RENDERER.measure(block, width, expanded) == len(rows)
    content_width = max(12, width)
    assert all(cell_len(plain(r)) <= content_width for r in rows)
    if not expanded:
        assert len(rows) <= 1 + 6 + OUTPUT_ROWS + 2 + 2  # command, status, output, hints


@settings(max_examples=100, deadline=None)
@given(text=texts, width=widths)
def test_messages_fit_the_width(text, width) -> None:
    for item in (UserMessage(text), AgentMessage(text), Reasoning(text)):
        for expanded in (False, True):
            block = item_block(item)
            rows = RENDERER.render(block, width, expanded)
            assert RENDERER.measure(block, width, expanded) == len(rows)
            assert all(cell_len(plain(r)) <= max(12, width) for r in rows), item.kind


@given(text=lines_of_text, width=st.integers(2, 80))  # a wide character needs two cells
def test_count_rows_matches_fold_text(text, width) -> None:
    rows, whole = fold_text(text, width)
    assert count_rows(text, width) == len(rows)
    assert whole == line_count(text) or not text
    assert all(cell_len(r) <= width for r in rows)


@given(width=st.integers(30, 200), index=st.integers(1, 100_000),
       status=st.sampled_from(["completed", "failed", "aborted", "incomplete"]),
       inherited=st.booleans())
@example(width=30, index=100_000, status="failed", inherited=True)  # the outcome outranks origin
def test_turn_header_is_one_row_within_the_width(width, index, status, inherited) -> None:
    turn = Turn(index, started_at=T0, duration_ms=754_000, status=status,
                model="gpt-5.1-codex-max-long-model-name",
                tokens=TokenUsage(123_456, 100_000, 9_876, 0, 133_332), inherited=inherited)
    rows = RENDERER.render(Block(HEADER, ("turn", index), 0, turn, inherited, True), width, False)
    assert len(rows) == 2 and rows[1] == []
    header = plain(rows[0])
    assert cell_len(header) == width
    assert header.startswith(f" Turn {index}")
    if status == "failed":
        assert header.rstrip().endswith("✗ failed")


def test_header_gives_way_piece_by_piece() -> None:
    turn = Turn(12, started_at=T0, duration_ms=12_345, status="completed", model="gpt-5",
                tokens=TokenUsage(1200, 1000, 345, 0, 1545))
    block = Block(HEADER, ("turn", 12), 0, turn, False, False)

    def header(width: int) -> str:
        return plain(RENDERER.render(block, width, False)[0]).rstrip()

    assert header(100) == " Turn 12 · 09:00:00 · 12.3s · in 1.2k / out 345 / cached 1.0k · gpt-5"
    assert header(64) == " Turn 12 · 09:00:00 · 12.3s · in 1.2k / out 345 / cached 1.0k"
    assert header(40) == " Turn 12 · 09:00:00 · 12.3s · 1.2k/345"
    assert header(20) == " Turn 12"


def test_durations() -> None:
    assert [duration(ms) for ms in (0, 999, 1000, 12_345, 65_000, 3_725_000)] == \
        ["0ms", "999ms", "1.0s", "12.3s", "1m 05s", "1h 02m"]


def test_folded_output_says_how_much_is_hidden() -> None:
    output = "".join(f"line {n}\n" for n in range(1, 101))
    block = item_block(ToolCall("c", "shell", "seq 100", output=output, exit_code=0))
    rows = [plain(r) for r in RENDERER.render(block, 80, False)]
    assert rows[0].startswith("$ seq 100") and rows[0].endswith("✓ exit 0")
    assert rows[1:6] == [f"  │ line {n}" for n in range(1, 6)]
    assert rows[6] == "  └ … 95 more lines (enter or o to expand)"
    assert RENDERER.foldable(block, 80)
    expanded = [plain(r) for r in RENDERER.render(block, 80, True)]
    assert len(expanded) == 1 + 100 + 1
    # Seven lines show whole: "1 more line" would hide nothing.
    seven = item_block(ToolCall("c", "shell", "x", output="a\n" * 6, exit_code=0))
    assert not RENDERER.foldable(seven, 80)
    assert len(RENDERER.render(seven, 80, False)) == 1 + 6 + 1


def test_huge_output_folded_from_its_start() -> None:
    output = "x" * 50_000 + "\n" + "".join(f"{n}\n" for n in range(200_000))
    block = item_block(ToolCall("c", "shell", "gen", output=output, exit_code=0))
    rows = [plain(r) for r in RENDERER.render(block, 100, False)]
    assert rows[1:6] == ["  │ " + "x" * 96] * 5
    assert rows[6] == "  └ … 200,001 more lines (enter or o to expand)"
    # Combining marks pack many characters in a row: the fold still counts right.
    marks = ("e" + "\u0301" * 40) * 3000
    block = item_block(ToolCall("c", "shell", "gen", output=marks, exit_code=0))
    rows = RENDERER.render(block, 100, False)
    assert len(rows) == 1 + 5 + 1 + 1
    assert RENDERER.measure(block, 100, True) == len(RENDERER.render(block, 100, True))


def test_long_heredoc_command_is_folded() -> None:
    command = "cat > f <<'EOF'\n" + "".join(f"row {n}\n" for n in range(50)) + "EOF"
    block = item_block(ToolCall("c", "shell", command, output="", exit_code=0))
    rows = [plain(r) for r in RENDERER.render(block, 80, False)]
    assert rows[0] == "$ cat > f <<'EOF'"
    assert rows[4] == "  … 48 more command lines"
    assert rows[5].strip() == "✓ exit 0"
    assert rows[6] == "  │ (no output)"


def test_inherited_blocks_are_dimmed_headers_are_not() -> None:
    user = RENDERER.render(item_block(UserMessage("hello"), inherited=True), 40, False)
    assert all(s.style and s.style.dim for s in user[0])


def test_unknown_record_folded_then_pretty_json() -> None:
    block = item_block(Unknown("event_msg/new", {"a": [1, 2], "b": "[red]x"}, line=3))
    folded = [plain(r) for r in RENDERER.render(block, 80, False)]
    assert folded == ["▸ unknown record event_msg/new (line 3)  enter shows it", ""]
    rows = [plain(r) for r in RENDERER.render(block, 80, True)]
    assert rows[1:8] == ["  │ {", '  │   "a": [', "  │     1,", "  │     2", "  │   ],",
                         '  │   "b": "[red]x"', "  │ }"]
    assert RENDERER.measure(block, 80, True) == len(rows)
    assert "[red]x" in search_text(block)


def test_blocks_of_a_fork_and_their_groups() -> None:
    summary = ThreadSummary("t", "/x", T0, T0)
    turns = [
        Turn(1, items=[UserMessage("a"), Reasoning("r"), ToolCall("c", "shell", "ls")],
             inherited=True),
        Turn(2, items=[UserMessage("b")], status="failed", error="quota exceeded"),
    ]
    blocks = build_blocks(Thread(summary, turns, [], inherited_from="parent-id"))
    assert [b.kind for b in blocks] == ["banner", HEADER, "user_message", "reasoning",
                                        "tool_call", DIVIDER, HEADER, "user_message", "error"]
    assert [b.inherited for b in blocks][1:5] == [True] * 4
    assert blocks[3].group == REASONING and blocks[4].group == OUTPUT
    assert blocks[-1].item.message == "quota exceeded"  # the turn's error, stated
    assert len({b.key for b in blocks}) == len(blocks)
