"""One block rendered into lines of Rich segments at a given width.

Every piece of session text goes through `Text` (never markup) after `clean()`, so a
prompt holding `[bold]` or an escape sequence shows those characters. Assistant messages
(and expanded reasoning) are Markdown. Long tool output, commands and patches are folded
to a few rows unless expanded.

`render()` is exact; `measure()` gives the same height without building rows where it can
(huge expanded outputs); `estimate()` is a cheap guess used until a block is measured.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from rich.theme import Theme

from .. import timefmt
from ..store.kinds import SHELL_TOOLS
from ..store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Note,
    Patch,
    Plan,
    Reasoning,
    ToolCall,
    Turn,
    Unknown,
    UserMessage,
    WebSearch,
)
from ..store.plans import progress, step_mark
from ..store.web_search import describe
from ..textutil import one_line
from ..timefmt import duration
from . import blocks as b
from .wrap import clean, count_rows, fold, fold_text, line_count

Line = list[Segment]

OUTPUT_ROWS = 5  # tool output rows shown while folded
COMMAND_ROWS = 4  # command rows shown while folded (heredocs can be long)
PATCH_ROWS = 40
PROBLEM_ROWS = 5
RICH_WRAP_LIMIT = 20_000  # longer texts are cut at the width instead of word-wrapped
MARKDOWN_LIMIT = 200_000  # longer assistant texts are shown as plain text
MIN_WIDTH = 12
CODE_THEME = "monokai"


_DIM = Style(dim=True)
# Headings by weight rather than colour (Rich's magenta ones shout in a transcript).
_THEME = Theme({
    "markdown.h1": Style(bold=True, underline=True),
    "markdown.h2": Style(bold=True),
    "markdown.h3": Style(bold=True, italic=True),
    "markdown.h4": Style(italic=True),
    "markdown.block_quote": Style(color="#a0a0a0", italic=True),
})


def _s(**kw: Any) -> Style:
    return Style(**kw)


@dataclass(frozen=True)
class Palette:
    """Styles of the transcript; the view may replace some with its theme's colours."""

    header: Style = field(default_factory=lambda: _s(color="#e0e0e0", bgcolor="#30344a"))
    header_turn: Style = field(default_factory=lambda: _s(bold=True))
    header_meta: Style = field(default_factory=lambda: _s(color="#a8acc0"))
    user_marker: Style = field(default_factory=lambda: _s(color="cyan", bold=True))
    user_text: Style = field(default_factory=lambda: _s(bold=True))
    agent_marker: Style = field(default_factory=lambda: _s(color="green", bold=True))
    reasoning: Style = field(default_factory=lambda: _s(color="#9a9a9a", italic=True))
    prompt: Style = field(default_factory=lambda: _s(color="magenta", bold=True))
    command: Style = field(default_factory=lambda: _s(bold=True))
    tool_name: Style = field(default_factory=lambda: _s(color="magenta", bold=True))
    output: Style = field(default_factory=lambda: _s(color="#c8c8c8"))
    gutter: Style = field(default_factory=lambda: _s(color="#5c5c5c"))
    muted: Style = field(default_factory=lambda: _s(color="#8a8a8a", italic=True))
    ok: Style = field(default_factory=lambda: _s(color="green"))
    running: Style = field(default_factory=lambda: _s(color="green", bold=True))
    bad: Style = field(default_factory=lambda: _s(color="red", bold=True))
    warning: Style = field(default_factory=lambda: _s(color="yellow"))
    error: Style = field(default_factory=lambda: _s(color="#ff6b6b", bold=True))
    diff_add: Style = field(default_factory=lambda: _s(color="green"))
    diff_del: Style = field(default_factory=lambda: _s(color="red"))
    diff_hunk: Style = field(default_factory=lambda: _s(color="cyan"))
    diff_file: Style = field(default_factory=lambda: _s(bold=True))
    divider: Style = field(default_factory=lambda: _s(color="magenta", bold=True))
    compaction: Style = field(default_factory=lambda: _s(color="yellow"))
    note: Style = field(default_factory=lambda: _s(color="#9a9a9a"))


def turn_time(when: datetime | None, with_date: bool) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


class BlockRenderer:
    """Renders blocks with its own Console, so one renderer per thread is safe."""

    def __init__(self, palette: Palette | None = None) -> None:
        self.p = palette or Palette()
        self.console = Console(file=io.StringIO(), force_terminal=True,
                               color_system="truecolor", width=200, legacy_windows=False,
                               emoji=False, markup=False, highlight=False, theme=_THEME)

    # -- the three entry points ----------------------------------------------------------

    def render(self, block: b.Block, width: int, expanded: bool) -> list[Line]:
        width = max(MIN_WIDTH, width)
        lines = [_crop(line, width) for line in self._render(block, width, expanded)]
        if block.inherited and block.kind != b.HEADER:
            lines = [list(Segment.apply_style(line, post_style=_DIM)) for line in lines]
        return lines

    def measure(self, block: b.Block, width: int, expanded: bool) -> int:
        """len(render(...)), computed without rendering huge expanded outputs."""
        width = max(MIN_WIDTH, width)
        item = block.item
        if expanded and isinstance(item, ToolCall) and item.output and \
                not item.output.isspace():
            return len(self._tool_head(item, width, True)) + \
                count_rows(clean(item.output), width - 4) + 1
        if expanded and isinstance(item, Unknown):
            return 2 + count_rows(clean(b.raw_json(item.raw)), width - 4)
        return len(self._render(block, width, expanded))

    def estimate(self, block: b.Block, width: int, expanded: bool) -> int:
        """A cheap guess of the height (no rendering, no scan of long text)."""
        width = max(MIN_WIDTH, width)
        item = block.item
        kind = block.kind
        if kind == b.HEADER:
            return 2
        if isinstance(item, AgentMessage):
            return _guess_rows(item.text, width - 2) + item.text.count("```") + 1
        if isinstance(item, UserMessage):
            return _guess_rows(item.text, width - 2) + 1
        if isinstance(item, Reasoning):
            return (_guess_rows(item.text, width - 2) + 2) if expanded else 2
        if isinstance(item, ToolCall):
            command = line_count(item.command or "")
            out = line_count(item.output) if item.output is not None else 0
            if not expanded:
                command = min(command, COMMAND_ROWS + 1)
                out = min(out, OUTPUT_ROWS + 1)
            return command + out + 1
        if isinstance(item, Plan):
            if item.text is not None:
                return _guess_rows(item.text, width - 4) + item.text.count("```") + 2
            return len(item.steps) + (2 if item.explanation else 1) + 1
        if isinstance(item, WebSearch):
            return 2
        if isinstance(item, Patch):
            rows = 1 + len(item.files) + sum(line_count(f.diff) for f in item.files if f.diff)
            if not any(f.diff for f in item.files) and item.patch:
                rows += line_count(item.patch)
            return min(rows, PATCH_ROWS + 3) + 1 if not expanded else rows + 1
        if isinstance(item, Unknown):
            return 2 if not expanded else 2 + line_count(b.raw_json(item.raw))
        if kind == b.PROBLEMS:
            return 2 + (len(item) if expanded else min(len(item), PROBLEM_ROWS + 1))
        return 2

    def foldable(self, block: b.Block, width: int) -> bool:
        """Whether expanding the block would show more."""
        width = max(MIN_WIDTH, width)
        item = block.item
        if isinstance(item, Reasoning | Unknown):
            return True
        if isinstance(item, Compaction):
            return bool(item.message)
        if isinstance(item, ToolCall):
            shown = (item.command or "") if item.name in SHELL_TOOLS else \
                f"{item.name} {item.command or ''}"
            return _more_than(shown, width - 2, COMMAND_ROWS) or (
                item.output is not None and _more_than(item.output, width - 4, OUTPUT_ROWS))
        if isinstance(item, Patch):
            return len(self._patch_rows(item, width)) > PATCH_ROWS + 1
        if block.kind == b.PROBLEMS:
            return len(item) > PROBLEM_ROWS + 1
        return False

    # -- per kind ------------------------------------------------------------------------

    def _render(self, block: b.Block, width: int, expanded: bool) -> list[Line]:
        item = block.item
        kind = block.kind
        if kind == b.HEADER:
            return [self._header(item, width, block.extra), []]
        if kind == b.PROBLEMS:
            return self._problems(item, width, expanded)
        if kind == b.BANNER:
            return [*self._wrapped(Text(item, self.p.note), width), []]
        if kind == b.DIVIDER:
            return [self._rule(item or "forked here: this session's own turns start below",
                               width, self.p.divider), []]
        if isinstance(item, UserMessage):
            return self._user(item, width)
        if isinstance(item, AgentMessage):
            return self._agent(item, width)
        if isinstance(item, Reasoning):
            return self._reasoning(item, width, expanded)
        if isinstance(item, ToolCall):
            return self._tool(item, width, expanded)
        if isinstance(item, Patch):
            return self._patch(item, width, expanded)
        if isinstance(item, WebSearch):
            return self._web_search(item, width)
        if isinstance(item, Plan):
            return self._plan(item, width)
        if isinstance(item, ErrorItem):
            text = Text("error: " + clean(item.message), self.p.error)
            return [*self._hanging("✗ ", self.p.error, text, width), []]
        if isinstance(item, Aborted):
            text = Text("turn aborted", self.p.error)
            if item.reason:
                text.append(f": {clean(item.reason)}", self.p.error)
            return [*self._hanging("⊘ ", self.p.error, text, width), []]
        if isinstance(item, Compaction):
            return self._compaction(item, width, expanded)
        if isinstance(item, Note):
            text = Text(f"{clean(item.label)}: {clean(item.text)}", self.p.note)
            return [*self._hanging("· ", self.p.note, text, width), []]
        if isinstance(item, Unknown):
            return self._unknown(item, width, expanded)
        return [[Segment(f"({kind})", self.p.muted)], []]

    def _header(self, turn: Turn, width: int, with_date: bool) -> Line:
        p = self.p
        badges: list[tuple[str, Style]] = []
        if turn.inherited:
            badges.append(("inherited", p.header_meta))
        if turn.compaction:
            badges.append(("compaction", p.header_meta))
        if turn.status == "failed":
            badges.append(("✗ failed", p.bad))
        elif turn.status == "aborted":
            badges.append(("⊘ aborted", p.bad))
        elif turn.status == "incomplete":
            badges.append(("◌ unfinished", p.warning))
        elif turn.status == "running":  # the last turn of a session being written now
            badges.append(("● running", p.running))
        tokens = turn.tokens
        full_tokens = short_tokens = ""
        if tokens is not None:
            cached = f" / cached {timefmt.tokens(tokens.cached_input)}" \
                if tokens.cached_input else ""
            full_tokens = (f"in {timefmt.tokens(tokens.input)} / "
                           f"out {timefmt.tokens(tokens.output)}{cached}")
            short_tokens = f"{timefmt.tokens(tokens.input)}/{timefmt.tokens(tokens.output)}"
        when = turn_time(turn.started_at, with_date)
        # Pieces by importance: the last ones give way first on a narrow terminal.
        options = [
            [when, duration(turn.duration_ms), full_tokens, turn.model or ""],
            [when, duration(turn.duration_ms), full_tokens],
            [when, duration(turn.duration_ms), short_tokens],
            [turn_time(turn.started_at, False), duration(turn.duration_ms)],
            [],
        ]
        status = badges[-1:] if turn.status in ("failed", "aborted", "incomplete") else []
        badge_text = _badges(badges)
        bare = cell_len(f" Turn {turn.index}")
        if bare + badge_text.cell_len > width and badges != status:
            badge_text = _badges(status)  # a turn's outcome matters more than its origin
        for pieces in options:
            line = Text(" ", p.header)
            line.append(f"Turn {turn.index}", p.header_turn)
            meta = " · ".join(x for x in pieces if x)
            if meta:
                line.append(" · ", p.header_meta)
                line.append(meta, p.header_meta)
            if line.cell_len + badge_text.cell_len <= width:
                break
        line.append(" " * max(0, width - line.cell_len - badge_text.cell_len))
        line.append_text(badge_text)
        line.truncate(width)
        line.stylize_before(p.header)
        return self._one(line)

    def _user(self, item: UserMessage, width: int) -> list[Line]:
        body = clean(item.text) if item.text else ""
        text = Text(body, self.p.user_text) if body else Text("(empty message)", self.p.muted)
        if item.images:
            s = "s" if item.images != 1 else ""
            text.append(f"{'  ' if body else ' '}[{item.images} image{s}]", self.p.muted)
        rows = self._wrapped(text, width - 2)
        return [*_prefix(rows, Segment("› ", self.p.user_marker), Segment("  ")), []]

    def _agent(self, item: AgentMessage, width: int) -> list[Line]:
        rows = self._markdown(item.text, width - 2)
        return [*_prefix(rows, Segment("• ", self.p.agent_marker), Segment("  ")), []]

    def _reasoning(self, item: Reasoning, width: int, expanded: bool) -> list[Line]:
        p = self.p
        n = line_count(item.text.strip())
        if not expanded:
            text = Text("▸ reasoning ", p.reasoning)
            text.append(f"({n} line{'s' if n != 1 else ''}) ", p.muted)
            text.append(one_line(item.text), p.reasoning)
            text.truncate(width, overflow="ellipsis")
            return [self._one(text), []]
        head = Text("▾ reasoning", p.reasoning)
        rows = self._markdown(item.text, width - 2, style=p.reasoning)
        return [self._one(head), *_prefix(rows, Segment("  "), Segment("  ")), []]

    def _tool_head(self, item: ToolCall, width: int, expanded: bool) -> list[Line]:
        p = self.p
        shell = item.name in SHELL_TOOLS
        command = (item.command or "").rstrip("\n")
        # Other tools: their name, then what they were asked (a query, arguments).
        name = "" if shell else clean(item.name) + " "
        rows, hidden = _folded(name + command, width - 2, None if expanded else COMMAND_ROWS)
        lines: list[Line] = []
        for n, row in enumerate(rows):
            line = [Segment("  ")] if n else [
                Segment("$ " if shell else "⚙ ", p.prompt if shell else p.tool_name)]
            if n == 0 and name:
                cut = min(len(name), len(row))
                line += [Segment(row[:cut], p.tool_name), Segment(row[cut:], p.command)]
            else:
                line.append(Segment(row, p.command))
            lines.append(line)
        if hidden:
            s = "s" if hidden != 1 else ""
            lines.append([Segment(f"  … {hidden:,} more command line{s}", p.muted)])
        status = self._tool_status(item)
        if status.cell_len:
            last = lines[-1]
            used = sum(seg.cell_length for seg in last)
            if not hidden and used + 2 + status.cell_len <= width:
                pad = width - used - status.cell_len
                lines[-1] = [*last, Segment(" " * pad), *self._one(status)]
            else:
                status.pad_left(width - status.cell_len)
                lines.append(self._one(status))
        return lines

    def _tool_status(self, item: ToolCall) -> Text:
        p = self.p
        text = Text()
        if item.exit_code is not None:
            if item.exit_code == 0:
                text.append("✓ exit 0", p.ok)
            else:
                text.append(f"✗ exit {item.exit_code}", p.bad)
        elif item.status and item.status not in ("completed", "success"):
            bad = item.status in ("failed", "error", "declined")
            text.append(("✗ " if bad else "◌ ") + clean(item.status),
                        p.bad if bad else p.warning)
        if item.duration_ms is not None:
            if text.cell_len:
                text.append(" · ", p.muted)
            text.append(duration(item.duration_ms), p.muted)
        return text

    def _tool(self, item: ToolCall, width: int, expanded: bool) -> list[Line]:
        lines = self._tool_head(item, width, expanded)
        if item.output is not None:
            if not item.output or item.output.isspace():
                lines.append([Segment("  │ ", self.p.gutter), Segment("(no output)", self.p.muted)])
            else:
                lines += self._body(item.output, width, expanded, OUTPUT_ROWS, self.p.output)
        return [*lines, []]

    def _body(self, text: str, width: int, expanded: bool, limit: int,
              style: Style | None = None) -> list[Line]:
        """Rows of session text (not yet cleaned) behind a gutter, folded to `limit` rows
        unless expanded."""
        p = self.p
        rows, hidden = _folded(text, width - 4, None if expanded else limit)
        gutter = Segment("  │ ", p.gutter)
        lines = [[gutter, Segment(row, style)] for row in rows]
        if hidden:
            s = "s" if hidden != 1 else ""
            lines.append([Segment("  └ ", p.gutter),
                          Segment(f"… {hidden:,} more line{s} (enter or o to expand)", p.muted)])
        return lines

    def _patch_rows(self, item: Patch, width: int) -> list[tuple[str, Style | None]]:
        """The patch as (row, style) pairs: file headers and coloured diff lines."""
        p = self.p
        rows: list[tuple[str, Style | None]] = []
        inner = width - 4
        diffs = [f for f in item.files if f.diff]
        if diffs or not item.patch:
            for f in item.files:
                label = {"add": "A", "delete": "D", "update": "M", "move": "R"}.get(
                    f.change, f.change[:1].upper() or "?")
                name = clean(f.path)
                if f.change.startswith("move to "):  # renamed (and maybe edited)
                    label, name = "R", f"{name} → {clean(f.change[len('move to '):])}"
                for piece in fold(f"{label} {name}", inner):
                    rows.append((piece, p.diff_file))
                if f.diff:
                    rows += self._diff_rows(clean(f.diff), inner)
        else:
            rows += self._diff_rows(clean(item.patch), inner)
        return rows

    def _diff_rows(self, diff: str, inner: int) -> list[tuple[str, Style | None]]:
        rows: list[tuple[str, Style | None]] = []
        for line in diff.split("\n"):
            if line in ("*** Begin Patch", "*** End Patch", ""):
                continue
            style = self._diff_style(line)
            rows += [(piece, style) for piece in fold(line, inner)]
        return rows

    def _diff_style(self, line: str) -> Style | None:
        p = self.p
        if line.startswith(("+++", "---", "***", "diff ", "index ")):
            return p.diff_file
        if line.startswith("@@"):
            return p.diff_hunk
        if line.startswith("+"):
            return p.diff_add
        if line.startswith("-"):
            return p.diff_del
        return p.output

    def _patch(self, item: Patch, width: int, expanded: bool) -> list[Line]:
        p = self.p
        head = Text("✎ patch", p.tool_name)
        n = len(item.files)
        if n:
            head.append(f" · {n} file{'s' if n != 1 else ''}", p.muted)
        if item.success is True:
            head.append(" · applied", p.ok)
        elif item.success is False:
            head.append(" · failed", p.bad)
        lines = [self._one(head, width)]
        rows = self._patch_rows(item, width)
        gutter = Segment("  │ ", p.gutter)
        if not expanded and len(rows) > PATCH_ROWS + 1:
            hidden = len(rows) - PATCH_ROWS
            lines += [[gutter, Segment(r, s)] for r, s in rows[:PATCH_ROWS]]
            lines.append([Segment("  └ ", p.gutter), Segment(
                f"… {hidden:,} more lines (enter or o to expand)", p.muted)])
        else:
            lines += [[gutter, Segment(r, s)] for r, s in rows]
        if item.output and item.success is False:
            lines += self._body(item.output, width, expanded, OUTPUT_ROWS, p.error)
        return [*lines, []]

    def _web_search(self, item: WebSearch, width: int) -> list[Line]:
        """`⌕ web search  QUERY · QUERY`, `⌕ open page  URL`, `⌕ find in page  'P' in URL`."""
        p = self.p
        label, texts = describe(item)
        text = Text(label, p.tool_name)
        if item.action == "find_in_page" and item.pattern and item.url:
            text.append("  ")
            text.append(f"'{clean(item.pattern)}'", p.command)
            text.append(" in ", p.muted)
            text.append(clean(item.url), p.command)
        elif texts:
            text.append("  ")
            for n, piece in enumerate(texts):
                if n:
                    text.append(" · ", p.muted)
                text.append(clean(piece), p.command)
        else:
            text.append("  (no query recorded)", p.muted)
        if item.status and item.status not in ("completed", "success"):
            bad = item.status in ("failed", "error", "incomplete")
            text.append(f"  {'✗' if bad else '◌'} {clean(item.status)}",
                        p.bad if bad else p.warning)
        return [*self._hanging("⌕ ", p.tool_name, text, width), []]

    def _plan(self, item: Plan, width: int) -> list[Line]:
        """A proposed plan as Markdown behind a gutter; a checklist as one row a step."""
        p = self.p
        if item.text is not None:
            head = Text("☰ proposed plan", p.tool_name)
            rows = self._markdown(item.text, width - 4)
            return [self._one(head, width),
                    *_prefix(rows, Segment("  │ ", p.gutter), Segment("  │ ", p.gutter)), []]
        head = Text("☰ plan", p.tool_name)
        head.append(f" · {progress(item)}", p.muted)
        lines = [self._one(head, width)]
        if item.explanation:
            lines += _prefix(self._wrapped(Text(clean(item.explanation), p.muted), width - 2),
                             Segment("  "), Segment("  "))
        styles = {"completed": p.ok, "in_progress": p.warning + Style(bold=True)}
        for step in item.steps:
            style = styles.get(step.status or "", p.output)
            mark = step_mark(step.status)
            text = Text(clean(step.step), style)
            if step.status not in ("completed", "in_progress", "pending"):
                text.append(f" ({clean(step.status or 'no status')})", p.muted)
            lines += _prefix(self._wrapped(text, width - 4), Segment(f"  {mark} ", style),
                             Segment("    "))
        return [*lines, []]

    def _compaction(self, item: Compaction, width: int, expanded: bool) -> list[Line]:
        p = self.p
        label = "⇲ context compacted"
        if item.window_number is not None:
            label += f" · window {item.window_number}"
        if item.message and not expanded:
            label += " (enter shows the summary)"
        lines = [self._rule(label, width, p.compaction)]
        if item.message and expanded:
            lines += self._body(item.message, width, True, 0, p.note)
        return [*lines, []]

    def _unknown(self, item: Unknown, width: int, expanded: bool) -> list[Line]:
        p = self.p
        text = Text("▾ " if expanded else "▸ ", p.warning)
        text.append("unknown record ", p.warning)
        text.append(clean(item.record_type), p.warning + Style(bold=True))
        if item.line is not None:
            text.append(f" (line {item.line})", p.muted)
        if not expanded:
            text.append("  enter shows it", p.muted)
        text.truncate(width, overflow="ellipsis")
        lines = [self._one(text)]
        if expanded:
            lines += self._body(b.raw_json(item.raw), width, True, 0, p.note)
        return [*lines, []]

    def _problems(self, problems: list, width: int, expanded: bool) -> list[Line]:
        p = self.p
        n = len(problems)
        head = Text(f"⚠ {n} problem{'s' if n != 1 else ''} reading this session:",
                    p.warning + Style(bold=True))
        lines = self._wrapped(head, width)
        shown = problems if expanded or n <= PROBLEM_ROWS + 1 else problems[:PROBLEM_ROWS]
        for problem in shown:
            rows = self._wrapped(Text(clean(str(problem)), p.warning), width - 4)
            lines += _prefix(rows, Segment("  • ", p.warning), Segment("    "))
        if len(shown) < n:
            lines.append([Segment(f"  … {n - len(shown)} more (enter shows them)", p.muted)])
        return [*lines, []]

    # -- helpers -------------------------------------------------------------------------

    def _one(self, text: Text, width: int | None = None) -> Line:
        """A single row (cut at `width` when given)."""
        if width is not None and text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        segments = [s for s in text.render(self.console) if s.text != "\n"]
        if text.style and not text.spans:
            # Text.render() applies the base style only along with spans.
            segments = list(Segment.apply_style(segments, self.console.get_style(text.style)))
        return segments

    def _rule(self, label: str, width: int, style: Style) -> Line:
        label = f" {label} "
        side = max(2, (width - len(label)) // 2)
        text = Text("─" * side + label + "─" * max(0, width - side - len(label)), style)
        text.truncate(width)
        return self._one(text)

    def _wrapped(self, text: Text, width: int) -> list[Line]:
        """Word-wrapped rows; very long text is cut at the width instead (fast)."""
        width = max(1, width)
        if len(text.plain) > RICH_WRAP_LIMIT:
            style = text.style if isinstance(text.style, Style) else None
            rows, _ = fold_text(text.plain, width)
            return [[Segment(r, style)] for r in rows]
        text.overflow = "fold"
        options = self.console.options.update_width(width)
        return self.console.render_lines(text, options, pad=False)

    def _hanging(self, marker: str, style: Style, text: Text, width: int) -> list[Line]:
        """`text` wrapped after a marker, continuation rows indented under the text."""
        indent = len(marker)
        rows = self._wrapped(text, width - indent)
        return _prefix(rows, Segment(marker, style), Segment(" " * indent))

    def _markdown(self, source: str, width: int, style: Style | None = None) -> list[Line]:
        source = clean(source).strip("\n")
        if not source:
            return [[Segment("(empty)", self.p.muted)]]
        if len(source) > MARKDOWN_LIMIT:
            rows, _ = fold_text(source, width)
            return [[Segment(r, style)] for r in rows]
        from .markdown import TranscriptMarkdown  # Markdown and Pygments: first use only

        md = TranscriptMarkdown(source, code_theme=CODE_THEME, style=style or "none")
        options = self.console.options.update_width(max(1, width))
        lines = self.console.render_lines(md, options, pad=False)
        while lines and _blank(lines[-1]):
            lines.pop()
        return lines


def _prefix(lines: list[Line], first: Segment, rest: Segment) -> list[Line]:
    return [[first if n == 0 else rest, *line] for n, line in enumerate(lines)]


def _crop(line: Line, width: int) -> Line:
    """The row cut at `width` cells (rows are built to fit; a very narrow view may not)."""
    if sum(len(s.text) for s in line) <= width and all(s.text.isascii() for s in line):
        return line
    if sum(s.cell_length for s in line) <= width:
        return line
    return Segment.adjust_line_length(line, width, pad=False)


def _blank(line: Line) -> bool:
    """An empty row (a code block's padding row has a background: not blank)."""
    return all(not s.text.strip() and not (s.style and s.style.bgcolor) for s in line)


def _folded(raw: str, width: int, limit: int | None) -> tuple[list[str], int]:
    """Rows of session text (cleaned here) cut at `width`; with a limit, folded to `limit`
    rows when there are more than `limit + 1` (a "1 more line" row would hide nothing),
    and how many source lines are then not shown whole."""
    if limit is None:
        return fold_text(clean(raw), width)[0], 0
    text, probe = _head(raw, width, limit + 2)
    if len(probe) <= limit + 1:
        return probe, 0
    rows, whole = fold_text(text, width, limit)
    return rows, max(1, line_count(raw) - whole)


def _head(raw: str, width: int, rows: int) -> tuple[str, list[str]]:
    """The start of `raw`, cleaned, holding its first `rows` rows, and those rows: a folded
    block of a 10 MB output cleans a few kilobytes, not the 10 MB."""
    bound = 4 * rows * (width + 1) + 256  # a row holds at most `width` characters...
    if len(raw) > bound:
        text = clean(raw[:bound])
        probe, _ = fold_text(text, width, rows)
        if len(probe) >= rows:
            return text, probe
    # ... unless zero-width characters pack it: then the whole text.
    text = clean(raw)
    return text, fold_text(text, width, rows)[0]


def _guess_rows(text: str, width: int) -> int:
    return max(1, len(text) // max(1, width) + text.count("\n") + 1)


def _more_than(raw: str, width: int, limit: int) -> bool:
    """Whether `raw` (not yet cleaned) makes more than `limit + 1` rows."""
    return len(_head(raw, width, limit + 2)[1]) > limit + 1


def _badges(badges: list[tuple[str, Style]]) -> Text:
    text = Text()
    for label, style in badges:
        text.append(" ")
        text.append(label, style)
    text.append(" ")
    return text
