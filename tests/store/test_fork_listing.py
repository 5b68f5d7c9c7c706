"""How a fork is listed: `preview` is the first prompt of the history it carries (its
source's), as Codex's index keeps it, and `title` is its name, else that preview (what
`codex resume` shows). Checked against what Codex itself recorded (tests/fixtures/fork-0.171,
tests/fixtures/codex-home's state_5.sqlite)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from support.homes import FIXTURE_HOME, FIXTURES, copy_home

from codex_tui.cli import main
from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.cache import SummaryCache

FORK_171 = FIXTURES / "fork-0.171"
SOURCE = "01a24de3-2ad7-73c2-81cb-ef2bee4a977e"
EXEC_FORK = "01a24de3-4305-7721-9fd1-220e9503f9f5"  # prompted with `codex exec resume`
TURN_FORK = "01a24de3-8a92-7321-9c7f-124525f323db"  # prompted with app-server turn/start
TUI_FORK = "01a24de4-c76c-77d3-a555-4d3f30a07efc"  # prompted in the TUI, which named it
SOURCE_PROMPT = "Source first prompt: Café ünïcödé"
EVERY = ThreadQuery(cwd=None, sources=None)

FORK_169 = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # codex-home's 0.169 paginated fork


@pytest.fixture
def fork_home(tmp_path: Path) -> Path:
    return copy_home(tmp_path / "fork-home", FORK_171)


def listed(home: Path, capsys) -> dict[str, dict]:
    assert main(["--codex-home", str(home), "list", "--all", "--json"]) == 0
    return {row["id"]: row for row in json.loads(capsys.readouterr().out)}


def test_list_json_preview_and_title_are_codex_s(fork_home: Path, capsys) -> None:
    rows = listed(fork_home, capsys)
    index = {row["id"]: row for row in json.loads((FORK_171 / "codex-index.json").read_text())}
    assert set(rows) == set(index)
    for thread_id, row in rows.items():
        codex = index[thread_id]
        assert row["preview"] == codex["preview"], thread_id
        # What `codex resume` lists: the name, else the preview.
        assert row["title"] == (codex["name"] or codex["preview"]), thread_id
    assert {tid for tid, row in rows.items() if row["forked_from_id"] == SOURCE} == \
        {EXEC_FORK, TURN_FORK, TUI_FORK}
    # Unnamed forks are titled as their source: only the list's fork mark tells them apart.
    assert rows[EXEC_FORK]["title"] == rows[TURN_FORK]["title"] == rows[SOURCE]["title"] \
        == SOURCE_PROMPT
    assert rows[TUI_FORK]["title"] == "Interactive fork prompt"


def test_codex_169_index_agrees_for_its_paginated_fork(tmp_path: Path) -> None:
    home = copy_home(tmp_path / "home")
    summary = LocalThreadStore(str(home)).summary(FORK_169)
    uri = f"file:{FIXTURE_HOME / 'state_5.sqlite'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        title, preview = db.execute("SELECT title, preview FROM threads WHERE id = ?",
                                    (FORK_169,)).fetchone()
    assert summary.preview == preview == "[0.169.0] please run the tests and list files"
    assert title == "[0.169.0] forked: try another approach"  # (the index's own column)
    assert summary.title == preview  # no name: titled by its preview, as `codex resume` does


def test_a_fork_of_a_fork_carries_the_first_source_s_prompt(fork_home: Path) -> None:
    store = LocalThreadStore(str(fork_home))
    again = store.fork_thread(EXEC_FORK, keep_turns=3)  # keeps the inherited turns too
    assert again.forked_from_id == EXEC_FORK
    assert again.preview == SOURCE_PROMPT
    assert LocalThreadStore(str(fork_home)).summary(again.id).preview == SOURCE_PROMPT


def test_a_fork_whose_source_is_gone_says_so(fork_home: Path) -> None:
    source = next(fork_home.rglob(f"*{SOURCE}.jsonl"))
    source.unlink()
    summary = LocalThreadStore(str(fork_home)).summary(EXEC_FORK)
    assert summary.preview == "Fork own prompt: something else"  # what the file itself says
    assert any("parent history not found" in p.message and SOURCE in p.message
               for p in summary.problems)


def test_cached_summaries_keep_the_carried_preview(fork_home: Path) -> None:
    first = {s.id: s.preview for s in LocalThreadStore(str(fork_home)).list_threads(EVERY)}
    cache = SummaryCache(str(fork_home))
    assert cache.path and os.path.exists(cache.path)
    second = {s.id: s.preview for s in LocalThreadStore(str(fork_home)).list_threads(EVERY)}
    assert second == first and second[TURN_FORK] == SOURCE_PROMPT


def test_list_search_finds_the_source_s_prompt_in_forks(fork_home: Path, capsys) -> None:
    assert main(["--codex-home", str(fork_home), "list", "--all", "--json",
                 "--search", "cafe unicode"]) == 0
    found = {row["id"] for row in json.loads(capsys.readouterr().out)}
    assert found == {SOURCE, EXEC_FORK, TURN_FORK}
