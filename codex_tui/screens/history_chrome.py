"""The history search screen's words around its list: the placeholder, the status and filter
lines of the header, and what the list says while it is empty. Read from the screen's state,
for every mode (prompts or transcripts) and stage (reading, indexing, searching)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from ..textutil import one_line
from ..widgets.list_header import Filter

if TYPE_CHECKING:
    from ..store.history import History, HistoryResult
    from ..store.text_index import TextSearchResult, UpdateStats
    from ..widgets.history_list import HistoryList

PROMPTS = "prompts"
TRANSCRIPTS = "transcripts"


class HistoryChrome:
    """Mixed into HistorySearchScreen, whose state it reads."""

    mode: str
    cwd: str | None
    this_dir: bool
    history: History | None
    list: HistoryList
    _query: str
    _result: HistoryResult | None
    _rest: tuple | None  # a search whose page is still to fill
    _text: TextSearchResult | None
    _text_pending: bool
    _index_state: str | None
    _index_progress: tuple[int, int]
    _index_stats: UpdateStats | None
    _sessions_done: bool

    def placeholder(self) -> str:
        if self.mode == PROMPTS:
            return "Search every prompt you typed into Codex (fuzzy; Tab: transcripts)"
        return "Search the text of every transcript: messages and commands (Tab: prompts)"

    def status(self) -> Text:
        status = Text()
        if self.mode == PROMPTS:
            status.append("Prompt history", style="bold")
            h = self.history
            if h is None:
                status.append("  ·  reading history.jsonl…", style="italic")
                return status
            status.append(f"  ·  {len(h):,} prompts")
            if self._query.strip() or self.this_dir:
                r = self._result
                shown = len(self.list.rows)
                more = "+" if r is not None and r.capped else ""
                status.append(f"  ·  {shown:,}{more} match{'es' if shown != 1 else ''}")
                if self._rest is not None:
                    status.append("  ·  searching…", style="italic")
            if h.skipped:
                status.append(f"  ·  {h.skipped:,} unreadable line"
                              f"{'s' if h.skipped != 1 else ''} skipped", style="yellow")
        else:
            status.append("Transcript text", style="bold")
            if self._index_state == "indexing":
                done, todo = self._index_progress
                status.append(f"  ·  indexing {done:,}/{todo:,} sessions…", style="italic")
            elif self._index_state == "ready":
                stats = self._index_stats
                if stats is not None:
                    total = stats.added + stats.updated + stats.unchanged
                    status.append(f"  ·  {total:,} sessions indexed")
            elif self._index_state == "failed":
                status.append("  ·  the index could not be updated", style="red")
            if self._text_pending:
                status.append("  ·  searching…", style="italic")
            elif self._text is not None:
                n = len(self._text.hits)
                more = "+" if self._text.more else ""
                status.append(f"  ·  {n:,}{more} result{'s' if n != 1 else ''}")
                if self._text.mode != "trigram":
                    status.append(f"  ·  {self._text.mode} mode (no FTS5 trigram in this "
                                  "SQLite)", style="yellow")
        if not self._sessions_done:
            status.append("  ·  reading sessions…", style="italic")
        return status

    def filter_bar(self) -> Sequence[Filter]:
        where = one_line(self.cwd) if self.cwd else "?"
        return [Filter("tab", "Search", [("Prompts", self.mode == PROMPTS),
                                         ("Transcripts", self.mode == TRANSCRIPTS)]),
                Filter("^t", "Dir", [(f"This ({where})", self.this_dir),
                                     ("All", not self.this_dir)])]

    def empty_message(self) -> Text:
        query = self._query.strip()
        if self.mode == TRANSCRIPTS:
            if self._index_state == "indexing" and not query:
                return Text("Indexing transcripts… (only changed sessions are read next "
                            "time)", style="italic")
            if not query:
                return Text("Type to search the text of every transcript:\nyour messages, "
                            "Codex's replies and the commands it ran.")
            if self._text is not None and self._text.error:
                return Text(self._text.error, style="red")
            if self._text_pending:
                return Text("Searching…", style="italic")
            return Text.assemble("Nothing in the transcripts matches ", (repr(query), "bold"),
                                 ".")
        h = self.history
        if h is None:
            return Text("Reading history.jsonl…", style="italic")
        if h.error:
            return Text(f"Cannot read {h.path}: {h.error}", style="red")
        if not h.entries:
            what = "No history.jsonl in this Codex home yet." if h.missing else \
                "No prompts in history.jsonl yet."
            return Text(f"{what}\nCodex saves each prompt you type in its TUI there "
                        "(unless [history] persistence = \"none\").")
        if self.this_dir and not query:
            reading = "  (still reading sessions…)" if not self._sessions_done else ""
            return Text.assemble("No prompts from sessions in ",
                                 (one_line(self.cwd or "?"), "bold"),
                                 f".{reading}\nPress ", ("ctrl+t", "bold reverse"),
                                 " for every directory.")
        return Text.assemble("No prompts match ", (repr(query), "bold"),
                             ".  Esc clears the search.")
