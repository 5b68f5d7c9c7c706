"""The transcript text index: built in the cache directory, updated incrementally by path,
size, mtime and inode, searched by substring; and the `history` and `search` commands."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from pathlib import Path

import orjson
import pytest
from test_architecture import _RUN_CLI, _run

from codex_tui.cli import main
from codex_tui.store import InMemoryThreadStore, LocalThreadStore
from codex_tui.store import text_index as ti
from codex_tui.store.text_index import TextIndex, index_path, make_excerpt

SID_A = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # alpha, 3 turns, in history.jsonl
SID_B = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"  # beta, "[red]cache[/red]"
FORK_169 = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # 4 inherited turns, then its own
LEGACY_120 = "01a1fe36-6f1e-7060-86e4-b9a1aed8d3ff"
MISSING = "01a1fe99-0000-7000-8000-000000000000"


def store_of(home: Path) -> LocalThreadStore:
    return LocalThreadStore(str(home))


def test_index_lives_in_the_cache_directory(codex_home: Path, _isolated_cache: Path) -> None:
    store = store_of(codex_home)
    stats = store.update_text_index()
    assert stats.added == 28 and stats.removed == 0 and stats.failed == 0
    path = Path(index_path(str(codex_home)))
    assert path.parent == _isolated_cache and path.exists()
    assert store.text_index().mode == "trigram"
    assert store.text_index().threads() == 28
    assert not list(codex_home.rglob("*.sqlite3"))  # nothing written into CODEX_HOME


def test_search_names_session_turn_and_kind(codex_home: Path) -> None:
    store = store_of(codex_home)
    result = store.search_text("long walkthrough")
    hit = next(h for h in result.hits if h.thread_id == SID_A and h.kind == "user")
    assert hit.turn == 3
    assert hit.text == "give me a long walkthrough"
    assert hit.excerpt[hit.positions[0]:hit.positions[0] + 4].lower() == "long"
    kinds = {h.kind for h in store.search_text("cache").hits}
    assert {"user", "assistant"} <= kinds


def test_search_is_case_insensitive_substring(codex_home: Path) -> None:
    store = store_of(codex_home)
    upper = {(h.thread_id, h.turn) for h in store.search_text("WALKTHRO").hits}
    assert (SID_A, 3) in upper
    # Markup-like text is just text.
    assert any(h.thread_id == SID_B for h in store.search_text("[red]cache").hits)


def test_short_words_and_quotes(codex_home: Path) -> None:
    store = store_of(codex_home)
    assert store.search_text("in alpha").hits  # "in": too short for trigrams: LIKE
    assert store.search_text('"').error is None
    assert store.search_text('wal"k').hits == []
    assert store.search_text("100%").error is None


def test_incremental_update(codex_home: Path) -> None:
    store = store_of(codex_home)
    store.update_text_index()
    again = store_of(codex_home)  # a later run: the index file is reused
    stats = again.update_text_index()
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 0, 0, 28)

    path = Path(again.resolve(LEGACY_120).path)
    with open(path, "ab") as stream:  # Codex resumes it and appends a turn
        for payload in ({"type": "task_started", "turn_id": "t2"},
                        {"type": "user_message", "message": "a brand new zebrafish"},
                        {"type": "agent_message", "message": "ok"},
                        {"type": "task_complete", "turn_id": "t2"}):
            stream.write(orjson.dumps({"timestamp": "2026-11-21T13:07:00.000Z",
                                       "type": "event_msg", "payload": payload}) + b"\n")
    third = store_of(codex_home)
    stats = third.update_text_index()
    assert (stats.added, stats.updated, stats.unchanged) == (0, 1, 27)
    hits = third.search_text("zebrafish").hits
    assert [(h.thread_id, h.turn, h.kind) for h in hits] == [(LEGACY_120, 2, "user")]

    path.unlink()
    fourth = store_of(codex_home)
    stats = fourth.update_text_index()
    assert stats.removed == 1
    assert not fourth.search_text("zebrafish").hits
    assert not any(h.thread_id == LEGACY_120 for h in fourth.search_text("explain").hits)


def test_same_size_and_mtime_but_new_inode_is_reindexed(codex_home: Path) -> None:
    store = store_of(codex_home)
    store.update_text_index()
    path = Path(store.resolve(SID_B).path)
    data = path.read_bytes().replace(b"cold?", b"warm?")
    st = os.stat(path)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)  # as `codex migrate-rollouts` does: same path, size and mtime
    later = store_of(codex_home)
    assert later.update_text_index().updated == 1
    assert any(h.thread_id == SID_B for h in later.search_text("cache[/red] warm").hits)


def test_fork_inherited_turns_are_indexed_once(codex_home: Path) -> None:
    store = store_of(codex_home)
    store.update_text_index()
    thread = store.read_thread(FORK_169)
    inherited = [t for t in thread.turns if t.inherited]
    own = [t for t in thread.turns if not t.inherited]
    assert inherited and own
    with sqlite3.connect(index_path(str(codex_home))) as conn:
        turns = {row[0] for row in conn.execute(
            "SELECT turn FROM items WHERE thread_id = ?", (FORK_169,))}
    assert turns == {t.index for t in own if t.user_message or t.items}


def test_cancelled_update_keeps_what_was_done(codex_home: Path, monkeypatch) -> None:
    monkeypatch.setattr(ti, "BATCH_THREADS", 5)
    store = store_of(codex_home)
    calls = []
    stats = store.update_text_index(progress=lambda done, todo: calls.append((done, todo)),
                                    cancelled=lambda: len(calls) >= 2)
    assert stats.cancelled and stats.added == 5
    assert calls[0] == (0, 28)
    stats = store_of(codex_home).update_text_index()
    assert stats.added == 23 and stats.unchanged == 5


def test_without_fts5_the_index_still_searches(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ti, "TOKENIZERS", ())
    index = TextIndex(str(tmp_path / "plain.sqlite3"))
    assert index.mode == "like"
    store = InMemoryThreadStore([])
    store._text_index = index
    from support.transcripts import thread_of, turn

    from codex_tui.store.model import AgentMessage, UserMessage

    store._threads = {t.summary.id: t for t in [thread_of(
        turn(1, UserMessage("find the needle"), AgentMessage("found the needle here")))]}
    result = store.search_text("needle")
    assert result.mode == "like"
    assert sorted(h.kind for h in result.hits) == ["assistant", "user"]


def test_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    index = TextIndex(str(blocker / "text.sqlite3"))
    assert not index.persistent and index.problem
    assert index.mode == "trigram"


def test_version_change_rebuilds(tmp_path: Path) -> None:
    path = str(tmp_path / "t.sqlite3")
    TextIndex(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    index = TextIndex(path)
    assert index.threads() == 0 and index.mode == "trigram"


def test_make_excerpt() -> None:
    text = "start " + "x " * 100 + "the Needle is\nhere " + "y " * 100
    excerpt, positions = make_excerpt(text, ["needle"])
    assert excerpt.startswith("…") and excerpt.endswith("…")
    start = positions[0]
    assert excerpt[start:start + 6] == "Needle"
    assert "\n" not in excerpt


# ---- CLI ------------------------------------------------------------------------------------


def run_cli(capsys, home: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--codex-home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_history_command_plain(codex_home: Path, capsys) -> None:
    code, out, _err = run_cli(capsys, codex_home, "history", "alpha")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "please run the build in alpha" in lines[0]
    assert "/home/dev/src/alpha" in lines[0]


def test_history_command_json_marks_missing_sessions(codex_home: Path, capsys) -> None:
    with open(codex_home / "history.jsonl", "ab") as stream:
        stream.write(orjson.dumps({"session_id": MISSING, "ts": 1795266500,
                                   "text": "from a deleted session"}) + b"\n")
        stream.write(b"garbage\n")
    code, out, _ = run_cli(capsys, codex_home, "history", "", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["text"] == "from a deleted session"
    assert rows[0]["session"] is None
    assert rows[1]["session"]["cwd"] == "/home/dev/src/beta"
    assert set(rows[0]) == {"session_id", "ts", "time", "text", "line", "match", "session"}
    code, out, err = run_cli(capsys, codex_home, "history", "deleted")
    assert "(session not found)" in out
    assert "1 unreadable line skipped" in err


def test_history_command_cwd_and_limit(codex_home: Path, capsys) -> None:
    _, out, _ = run_cli(capsys, codex_home, "history", "--cwd", "/home/dev/src/beta", "--json")
    assert [r["session_id"] for r in json.loads(out)] == [SID_B]
    _, out, err = run_cli(capsys, codex_home, "history", "in", "--limit", "1")
    assert len(out.splitlines()) == 1
    assert "--limit" in err
    code, _, err = run_cli(capsys, codex_home, "history", "x", "--limit", "0")
    assert code == 2


def test_history_command_match_tiers(codex_home: Path, capsys) -> None:
    _, out, _ = run_cli(capsys, codex_home, "history", "walkthrugh", "--json")
    rows = json.loads(out)
    assert [r["match"] for r in rows] == ["in order"]


def test_search_command(codex_home: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, codex_home, "search", "walkthrough", "--json")
    assert code == 0
    rows = json.loads(out)
    hit = next(r for r in rows if r["kind"] == "user")
    assert (hit["thread_id"], hit["turn"]) == (SID_A, 3)
    assert hit["session"]["title"] == "picker-demo-thread"
    code, out, _ = run_cli(capsys, codex_home, "search", "walkthrough")
    assert "turn 3" in out and SID_A[:8] in out
    code, _, _err = run_cli(capsys, codex_home, "search", "   ")
    assert code == 2


@pytest.mark.parametrize("argv", [
    ["history", "alpha", "--json"],
    ["search", "alpha", "--json"],
], ids=["history-json", "search-json"])
def test_json_commands_never_import_textual_or_rich(codex_home: Path, argv: list[str]) -> None:
    proc = _run(_RUN_CLI, "--codex-home", str(codex_home), *argv, cwd=codex_home)
    assert proc.returncode == 0, proc.stderr
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("UI-MODULES ")]
    assert json.loads(marker[0].removeprefix("UI-MODULES ")) == []
    assert json.loads(proc.stdout)


@pytest.mark.parametrize("tokenizers", [ti.TOKENIZERS, (("unicode61", "unicode61"),), ()],
                         ids=["trigram", "unicode61", "like"])
def test_case_and_accents_are_folded(tmp_path: Path, monkeypatch, tokenizers) -> None:
    """`cafe` finds `Café` (and `unicode` finds `ünïcödé`) in every mode; the highlights
    land on the characters as written; a re-indexed thread leaves no stale folded text."""
    monkeypatch.setattr(ti, "TOKENIZERS", tokenizers)
    from support.transcripts import thread_of, turn

    from codex_tui.store.model import AgentMessage, UserMessage

    index = TextIndex(str(tmp_path / "fold.sqlite3"))
    store = InMemoryThreadStore([])
    store._text_index = index
    thread = thread_of(turn(1, UserMessage("Un CAFÉ, s'il vous plaît"),
                            AgentMessage("Voilà: ünïcödé Straße")))
    store._threads = {thread.summary.id: thread}
    for query, kind, marked in [("cafe", "user", "CAFÉ"), ("CAFÉ plait", "user", "CAFÉplaî"),
                                ("unicode", "assistant", "ünïcödé"),
                                ("strasse", "assistant", "Straße"), ("ça", "user", "CA"),
                                ("thé", None, None)]:
        result = store.search_text(query)
        assert result.error is None
        if kind is None:
            assert result.hits == []
            continue
        assert [h.kind for h in result.hits] == [kind], query
        hit = result.hits[0]
        assert "".join(hit.excerpt[p] for p in hit.positions).startswith(marked), query
    assert sorted(h.kind for h in store.search_text("VO").hits) == ["assistant", "user"]

    # The thread changes: its old rows leave the full-text table (a contentless table must be
    # told exactly what it indexed, the fold, to take it out).
    changed = dataclasses.replace(
        thread_of(turn(1, UserMessage("un thé"), AgentMessage("d'accord"))),
        summary=thread.summary)
    store._threads = {thread.summary.id: changed}
    assert store.search_text("cafe").hits == []
    assert [h.kind for h in store.search_text("THE").hits] == ["user"]
    # An ASCII text is indexed as it is: an accented query finds it all the same.
    assert [h.kind for h in store.search_text("D'ACCÖRD").hits] == ["assistant"]
    assert [h.kind for h in store.search_text("àc").hits] == ["assistant"]  # (LIKE)
    if index.mode != "like":
        with index._conn() as conn:  # nothing left of the old text in the full-text table
            rows = conn.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?",
                                ['"cafe"' if index.mode == "trigram" else "cafe"]).fetchall()
        assert rows == []
