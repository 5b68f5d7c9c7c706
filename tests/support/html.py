"""The HTML export of a session, and its tags."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from codex_tui.export.html import thread_html
from codex_tui.store import LocalThreadStore


def page_of(home: Path, thread_id: str) -> str:
    store = LocalThreadStore(str(home), cache=False)
    return thread_html(store.read_thread(thread_id))


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags
