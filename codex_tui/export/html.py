"""A thread as one self-contained HTML page (`codex-tui export ID --format html`).

Nothing is fetched: the stylesheet (with the Pygments colours for commands, patches and
code blocks) is in the page, there are no scripts, and tool calls and reasoning fold with
<details>, so the page works offline and from a mail attachment. Session text is escaped;
assistant Markdown is rendered with raw HTML disabled (markdown-it's own link check keeps
`javascript:` links out).
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..store.kinds import command_language
from ..store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Item,
    Note,
    Patch,
    Plan,
    Reasoning,
    Thread,
    ToolCall,
    Turn,
    Unknown,
    UserMessage,
    WebSearch,
)
from ..store.plans import progress, step_mark
from ..store.serialize import iso
from ..store.web_search import describe
from ..timefmt import duration

PYGMENTS_STYLE = "friendly"
OUTPUT_LIMIT = 200_000  # characters of one tool output shown; the rest is cut, and said so

_CSS = """
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --user: #ddf4ff; --user-edge: #54aeff; --agent: #ffffff; --tool: #f6f8fa;
  --warn: #9a6700; --bad: #cf222e; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--fg);
  font: 15px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main, header.session { max-width: 980px; margin: 0 auto; padding: 16px 24px; }
header.session { background: #fff; border-bottom: 1px solid var(--line); max-width: none; }
header.session > * { max-width: 932px; margin-left: auto; margin-right: auto; }
h1 { font-size: 1.5em; margin: 8px auto 4px; overflow-wrap: anywhere; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px;
  margin: 8px auto; color: var(--muted); font-size: 0.9em; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.problems { color: var(--warn); font-size: 0.9em; }
section.turn { margin: 20px 0; }
section.turn > h2 { font-size: 0.95em; font-weight: 600; color: var(--muted);
  border-bottom: 1px solid var(--line); padding-bottom: 4px; margin: 0 0 8px; }
.inherited > h2::after { content: " · inherited from the parent session"; }
.item { margin: 8px 0; padding: 10px 14px; border-radius: 8px; background: var(--agent);
  border: 1px solid var(--line); overflow-wrap: anywhere; }
.item > .role { font-size: 0.8em; font-weight: 700; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--muted); margin-bottom: 4px; }
.user { background: var(--user); border-left: 4px solid var(--user-edge); }
.plain { white-space: pre-wrap; }
.markdown > :first-child { margin-top: 0; } .markdown > :last-child { margin-bottom: 0; }
.markdown pre, pre.block { overflow-x: auto; padding: 8px 10px; border-radius: 6px;
  background: var(--tool); border: 1px solid var(--line); font-size: 0.86em; line-height: 1.4;
  white-space: pre-wrap; word-break: break-word; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.markdown :not(pre) > code { background: var(--tool); padding: 1px 4px; border-radius: 4px; }
details.fold { margin: 8px 0; border: 1px solid var(--line); border-radius: 8px;
  background: var(--tool); }
details.fold > summary { cursor: pointer; padding: 6px 12px; font-size: 0.92em;
  overflow-wrap: anywhere; }
details.fold > summary .what { font-weight: 600; }
details.fold > .body { padding: 0 12px 8px; }
details.fold pre.block { background: #fff; margin: 6px 0; }
.ok { color: var(--good); } .bad { color: var(--bad); } .muted { color: var(--muted); }
.note { color: var(--muted); font-size: 0.92em; margin: 6px 0; }
.search { font-size: 0.92em; margin: 6px 0; overflow-wrap: anywhere; }
.search .what { font-weight: 600; color: var(--muted); }
.plan { border-left: 4px solid var(--line); }
ul.checklist { list-style: none; padding-left: 4px; margin: 4px 0; }
ul.checklist .completed { color: var(--good); }
ul.checklist .in_progress { font-weight: 600; }
.error { color: var(--bad); font-weight: 600; }
footer { max-width: 980px; margin: 0 auto; padding: 8px 24px 32px; color: var(--muted);
  font-size: 0.85em; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(style=PYGMENTS_STYLE, cssclass="hl", nowrap=True)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The page's CSS: layout and the Pygments token colours (scoped to `.hl`)."""
    return _CSS + HtmlFormatter(style=PYGMENTS_STYLE, cssclass="hl").get_style_defs(".hl")


def _code(text: str, lang: str | None = None) -> str:
    """A <pre> block, highlighted when the language is known."""
    body = _highlight(text, lang) if lang else None
    if body is None:
        body = _e(text)
    cls = "block hl" if lang else "block"
    return f'<pre class="{cls}"><code>{body}</code></pre>'


def _highlight(text: str, lang: str) -> str | None:
    try:
        lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    return highlight(text, lexer, _formatter())


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    def fence(code: str, lang: str, _attrs: str) -> str:
        # A whole <pre> (markdown-it keeps it as is), or "" for its own escaped block.
        name = lang.split()[0] if lang.strip() else ""
        if name and _highlight("", name) is not None:
            return _code(code, name)
        return ""

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "highlight": fence})
    md.enable("table")
    return md


def _clip(text: str) -> tuple[str, str]:
    if len(text) <= OUTPUT_LIMIT:
        return text, ""
    cut = len(text) - OUTPUT_LIMIT
    return text[:OUTPUT_LIMIT], f'<p class="muted">… {cut:,} more characters not shown</p>'


def thread_html(thread: Thread) -> str:
    s = thread.summary
    title = s.title or "(no title)"
    meta = [
        ("Session", s.id),
        ("Name", s.name),
        ("Created", iso(s.created_at)),
        ("Updated", iso(s.updated_at)),
        ("Directory", s.cwd),
        ("Branch", s.git_branch),
        ("Model", s.model),
        ("Codex", s.cli_version),
        ("Source", s.source),
        ("Forked from", s.forked_from_id),
        ("Archived", "yes" if s.archived else None),
        ("Tokens", f"{thread.tokens.total:,}" if thread.tokens else None),
        ("Turns", str(len(thread.turns))),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="codex-tui">',
        f"<title>{_e(title[:200])}</title>",
        f"<style>{stylesheet()}</style>",
        "</head>",
        "<body>",
        '<header class="session">',
        f"<h1>{_e(title)}</h1>",
        '<dl class="meta">',
    ]
    out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta if v]
    out.append("</dl>")
    if thread.problems:
        out.append('<details class="problems"><summary>'
                   f"{len(thread.problems)} warning(s) reading this session</summary><ul>")
        out += [f"<li>{_e(p)}</li>" for p in thread.problems]
        out.append("</ul></details>")
    out += ["</header>", "<main>"]
    if not thread.turns:
        out.append('<p class="muted">This session has no turns.</p>')
    for turn in thread.turns:
        out += _turn(turn)
    out += ["</main>",
            "<footer>Exported by codex-tui from the Codex CLI session files.</footer>",
            "</body>", "</html>", ""]
    return "\n".join(out)


def _turn(turn: Turn) -> list[str]:
    bits = [f"Turn {turn.index}"]
    if turn.started_at:
        bits.append(iso(turn.started_at) or "")
    bits.append(turn.status)
    if turn.model:
        bits.append(turn.model)
    if turn.tokens:
        bits.append(f"{turn.tokens.total:,} tokens")
    cls = "turn inherited" if turn.inherited else "turn"
    out = [f'<section class="{cls}" id="turn-{turn.index}">',
           f"<h2>{_e(' · '.join(bits))}</h2>"]
    for item in turn.items:
        out.append(_item(item))
    out.append("</section>")
    return out


def _fold(summary: str, body: str, cls: str) -> str:
    return (f'<details class="fold {cls}"><summary>{summary}</summary>'
            f'<div class="body">{body}</div></details>')


def _item(item: Item) -> str:
    if isinstance(item, UserMessage):
        images = f" (+{item.images} image(s))" if item.images else ""
        return (f'<div class="item user"><div class="role">User{_e(images)}</div>'
                f'<div class="plain">{_e(item.text)}</div></div>')
    if isinstance(item, AgentMessage):
        return ('<div class="item agent"><div class="role">Assistant</div>'
                f'<div class="markdown">{_markdown().render(item.text)}</div></div>')
    if isinstance(item, Reasoning):
        first = item.text.strip().splitlines()[0] if item.text.strip() else ""
        return _fold(f'<span class="what">Reasoning</span> <span class="muted">'
                     f"{_e(first[:120])}</span>",
                     f'<div class="plain">{_e(item.text)}</div>', "reasoning")
    if isinstance(item, ToolCall):
        return _tool(item)
    if isinstance(item, Patch):
        return _patch(item)
    if isinstance(item, WebSearch):
        return _web_search(item)
    if isinstance(item, Plan):
        return _plan(item)
    if isinstance(item, ErrorItem):
        return f'<p class="error">Error: {_e(item.message)}</p>'
    if isinstance(item, Aborted):
        return f'<p class="note">Turn aborted ({_e(item.reason or "unknown reason")})</p>'
    if isinstance(item, Compaction):
        body = f'<div class="plain">{_e(item.message)}</div>' if item.message else ""
        window = f" (window {item.window_number})" if item.window_number is not None else ""
        return _fold(f'<span class="what">Context compacted{window}</span>', body, "compaction")
    if isinstance(item, Note):
        return f'<p class="note"><em>{_e(item.label)}:</em> {_e(item.text)}</p>'
    if isinstance(item, Unknown):
        raw = json.dumps(item.raw, ensure_ascii=False, indent=2, default=str)
        return _fold(f'<span class="what">Unknown record</span> <code>{_e(item.record_type)}'
                     "</code>", _code(raw, "json"), "unknown")
    return ""


def _tool(item: ToolCall) -> str:
    status = ""
    if item.exit_code is not None:
        cls = "ok" if item.exit_code == 0 else "bad"
        status = f' <span class="{cls}">exit {item.exit_code}</span>'
    elif item.status:
        status = f' <span class="muted">{_e(item.status)}</span>'
    if item.duration_ms is not None:
        status += f' <span class="muted">{duration(item.duration_ms)}</span>'
    command = item.command or ""
    first = command.strip().splitlines()[0] if command.strip() else ""
    summary = (f'<span class="what">{_e(item.name)}</span> <code>{_e(first[:160])}</code>'
               f"{status}")
    body = _code(command, command_language(item.name)) if command else ""
    if item.arguments and item.arguments != command:
        body += _code(_pretty_json(item.arguments), "json")
    if item.output:
        text, more = _clip(item.output)
        body += _code(text) + more
    return _fold(summary, body, "tool")


def _web_search(item: WebSearch) -> str:
    label, texts = describe(item)
    if item.action == "find_in_page" and item.pattern and item.url:
        detail = f"<code>{_e(item.pattern)}</code> in <code>{_e(item.url)}</code>"
    elif texts:
        detail = " · ".join(f"<code>{_e(t)}</code>" for t in texts)
    else:
        detail = '<span class="muted">(no query recorded)</span>'
    status = ""
    if item.status and item.status not in ("completed", "success"):
        status = f' <span class="bad">{_e(item.status)}</span>'
    return (f'<p class="search"><span class="what">{_e(label.capitalize())}</span> '
            f"{detail}{status}</p>")


_STEP_CLASSES = {"completed": "completed", "in_progress": "in_progress", "pending": "pending"}


def _plan(item: Plan) -> str:
    """A proposed plan rendered as Markdown; a checklist with a mark a step."""
    if item.text is not None:
        return ('<div class="item plan"><div class="role">Proposed plan</div>'
                f'<div class="markdown">{_markdown().render(item.text)}</div></div>')
    body = ""
    if item.explanation:
        body += f'<p class="plain muted">{_e(item.explanation)}</p>'
    steps = "".join(
        f'<li class="{_STEP_CLASSES.get(s.status or "", "other")}">{step_mark(s.status)} '
        f"{_e(s.step)}"
        + ("" if s.status in ("completed", "in_progress", "pending")
           else f' <span class="muted">({_e(s.status or "no status")})</span>') + "</li>"
        for s in item.steps)
    return (f'<div class="item plan"><div class="role">Plan · {_e(progress(item))}</div>'
            f'{body}<ul class="checklist">{steps}</ul></div>')


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except (ValueError, TypeError):
        return text


def _patch(item: Patch) -> str:
    state = {True: ' <span class="ok">applied</span>', False: ' <span class="bad">failed'
             "</span>", None: ""}[item.success]
    files = ", ".join(f"{f.change} {f.path}" for f in item.files)
    summary = f'<span class="what">Patch</span> <code>{_e(files[:200])}</code>{state}'
    body = ""
    if item.patch:
        body += _code(item.patch, "diff")
    else:
        for f in item.files:
            if f.diff:
                body += f"<div><code>{_e(f.path)}</code></div>" + _code(f.diff, "diff")
    if item.output:
        body += _code(item.output)
    return _fold(summary, body, "patch")
