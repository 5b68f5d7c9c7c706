"""The history search screen under test: its rows, and typing a query."""

from __future__ import annotations

from codex_tui.widgets.history_list import HistoryList
from support.apps import settle


def rows(app) -> list:
    return list(app.screen.query_one(HistoryList).rows)


def row_texts(app) -> list[str]:
    return [r.text for r in rows(app)]


async def type_query(pilot, text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text])
    await settle(pilot)
