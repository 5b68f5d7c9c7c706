"""history.jsonl: reading it (bad lines skipped and counted), the fuzzy search over it, and
finding the turn a prompt started."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.store import LocalThreadStore, Turn
from codex_tui.store.fold import fold
from codex_tui.store.history import (
    History,
    HistoryEntry,
    highlight_positions,
    locate_turn,
    parse_history,
    read_history,
)
from codex_tui.store.search import TYPO_MIN_LENGTH, TYPO_THRESHOLD, _subsequence_pattern

SID_A = "01a1fe37-05e8-79e2-b09f-d8e316352b56"
SID_B = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"


def line(sid: str, ts: int, text: str) -> bytes:
    return orjson.dumps({"session_id": sid, "ts": ts, "text": text}) + b"\n"


def history_of(*texts: str) -> History:
    """Entries in file order: the last one is the newest."""
    return parse_history(b"".join(line(SID_A, 1000 + i, t) for i, t in enumerate(texts)))


# ---- reading -------------------------------------------------------------------------------


def test_fixture_history_newest_first(codex_home: Path) -> None:
    history = read_history(str(codex_home))
    assert [e.text for e in history.entries] == [
        "beta interactive: why is the [red]cache[/red] cold?",
        "give me a long walkthrough",
        "please run the build in alpha",
        "interactive question about the picker in alpha",
    ]
    assert history.bad_lines == 0 and not history.partial_line and not history.missing
    assert history.entries[0].line == 4
    assert history.entries[0].when == datetime.fromtimestamp(1795266418, UTC)


def test_bad_lines_are_skipped_and_counted() -> None:
    data = b"".join([
        line(SID_A, 10, "first"),
        b"not json\n",
        b"[1, 2]\n",
        b'{"session_id": "x", "ts": "soon", "text": "ts is a string"}\n',
        b'{"session_id": "x", "ts": true, "text": "ts is a bool"}\n',
        b'{"session_id": 7, "ts": 1, "text": "id is a number"}\n',
        b'{"session_id": "x", "ts": 1}\n',
        b"\n",
        b"   \n",
        b'{"conversation_id": "01A1FE37-7D3B-7FA0-9ED3-E1FDB5097751", "ts": 12.5, '
        b'"text": "older field name"}\n',
        line(SID_B, 11, "second"),
        b'{"session_id": "' + SID_A.encode() + b'", "ts": 13, "te',  # partial last line
    ])
    history = parse_history(data)
    assert [e.text for e in history.entries] == ["older field name", "second", "first"]
    assert history.bad_lines == 6
    assert history.partial_line
    assert history.skipped == 7
    older = history.entries[0]
    assert older.session_id == SID_B and older.ts == 12 and older.line == 10


def test_same_second_keeps_file_order() -> None:
    history = parse_history(line(SID_A, 5, "one") + line(SID_A, 5, "two") + line(SID_A, 4, "x"))
    assert [e.text for e in history.entries] == ["two", "one", "x"]


def test_missing_and_unreadable_history(tmp_path: Path) -> None:
    missing = read_history(str(tmp_path))
    assert missing.missing and len(missing) == 0 and missing.error is None
    (tmp_path / "history.jsonl").mkdir()
    broken = read_history(str(tmp_path))
    assert broken.error and not broken.missing


def test_store_rereads_history_only_when_it_changes(codex_home: Path) -> None:
    store = LocalThreadStore(str(codex_home))
    first = store.history()
    assert store.history() is first
    with open(codex_home / "history.jsonl", "ab") as stream:
        stream.write(line(SID_B, 1795266500, "a new prompt"))
    second = store.history()
    assert second is not first
    assert second.entries[0].text == "a new prompt"
    assert not (codex_home / ".cache").exists()  # never writes into CODEX_HOME


# ---- search ---------------------------------------------------------------------------------


def texts(result) -> list[str]:
    return [e.text for e in result.entries]


def test_empty_query_is_everything_newest_first() -> None:
    history = history_of("old", "mid", "new")
    result = history.search("")
    assert texts(result) == ["new", "mid", "old"]
    assert result.total == 3 and not result.capped


def test_substring_then_in_order_then_newest() -> None:
    history = history_of(
        "fix the parser",  # oldest, substring
        "fuzzy matching is fun",  # f-z in order (not a substring of "fz")
        "refactor the fizz module",  # newest
    )
    result = history.search("fz")
    assert texts(result) == ["refactor the fizz module", "fuzzy matching is fun"]
    assert result.tiers == [1, 1]  # neither holds "fz" itself: both in order, newest first
    result = history.search("fi")
    assert texts(result) == ["refactor the fizz module", "fix the parser"]
    assert result.tiers == [0, 0]


def test_substring_beats_newer_subsequence() -> None:
    history = history_of("the parser is slow", "a weekend in paradise")
    # "pars" is in the older prompt; only its letters, in order, in the newer one.
    result = history.search("pars")
    assert texts(result) == ["the parser is slow", "a weekend in paradise"]
    assert result.tiers == [0, 1]


def test_every_word_must_match() -> None:
    history = history_of("fix parser crash", "fix the build", "parser docs")
    assert texts(history.search("parser fix")) == ["fix parser crash"]
    assert texts(history.search("fix zzz")) == []


def test_typo_found_only_when_nothing_else_is() -> None:
    history = history_of("speed up the thumbnail worker", "the thumb drive")
    result = history.search("thumbnial")
    assert texts(result) == ["speed up the thumbnail worker"]
    assert result.tiers == [2]
    # A short token inside a long word is no typo of it.
    assert "the thumb drive" not in texts(result)


def test_case_and_whitespace_are_ignored() -> None:
    history = history_of("Fix\nthe   PARSER")
    assert texts(history.search("the parser")) == ["Fix\nthe   PARSER"]


def test_limit_caps_the_results() -> None:
    history = history_of(*[f"prompt number {i}" for i in range(30)])
    result = history.search("prompt", limit=10)
    assert len(result.entries) == 10 and result.capped
    assert texts(result)[0] == "prompt number 29"


def test_sessions_filter() -> None:
    data = line(SID_A, 1, "alpha one") + line(SID_B, 2, "beta one") + line(SID_A, 3, "alpha two")
    history = parse_history(data)
    assert texts(history.search("one", sessions={SID_A})) == ["alpha one"]
    assert texts(history.search("", sessions={SID_A})) == ["alpha two", "alpha one"]
    assert texts(history.search("", sessions=set())) == []


def test_highlight_positions() -> None:
    text = "Fix the Parser in src/api, review thumbnail"

    def marked(query: str) -> str:
        positions = highlight_positions(query, text)
        return "".join(c if i in positions else "." for i, c in enumerate(text))

    assert marked("fix par") == "Fix.....Par" + "." * 32
    assert marked("src/api").strip(".") == "src/api"
    assert marked("thumbnial").strip(".") == "thumbnail"
    assert marked("zzz") == "." * len(text)


def _reference(history: History, query: str) -> list[tuple[int, int]]:
    """(tier, row) of every match, by brute force over the rules in history.py."""
    lows = [" ".join(fold(e.text).split()) for e in history.entries]
    vocab = {t for low in lows for t in low.split()}
    out = []
    words = list(dict.fromkeys(fold(query).split()))

    def typo_tokens(word: str) -> set[str]:
        from rapidfuzz import fuzz

        if len(word) < TYPO_MIN_LENGTH:
            return set()
        if any(word in t for t in vocab):
            return set()
        pattern = _subsequence_pattern(word)
        if len(word) > 1 and any(pattern.search(t) for t in vocab):
            return set()
        return {t for t in vocab if len(t) >= len(word) - 2
                and fuzz.ratio(word, t) >= TYPO_THRESHOLD}

    typos = {w: typo_tokens(w) for w in words}
    for row, low in enumerate(lows):
        worst = 0
        for word in words:
            tokens = low.split()
            if word in low:
                tier = 0
            elif len(word) > 1 and any(_subsequence_pattern(word).search(t) for t in tokens):
                tier = 1
            elif any(t in typos[word] for t in tokens):
                tier = 2
            else:
                tier = 3
            worst = max(worst, tier)
        if worst < 3:
            out.append((worst, row))
    return sorted(out)


WORDS = ["parser", "fix", "the", "thumbnail", "src/api", "fuzzy", "fizz", "pars", "a", "zebra",
         "review", "reviews", "x", "Café", "CAFE", "ünïcödé", "Straße", "ﬁx"]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5), min_size=1,
                     max_size=40),
       query=st.lists(st.sampled_from([*WORDS, "fz", "thumbnial", "prs", "pa", "zbra", "vw",
                                       "cafe", "UNICODE", "strasse", "ß"]),
                      min_size=1, max_size=3))
def test_search_agrees_with_brute_force(rows: list[list[str]], query: list[str]) -> None:
    history = history_of(*(" ".join(r) for r in rows))
    q = " ".join(query)
    result = history.search(q, limit=10_000)
    index = {id(e): i for i, e in enumerate(history.entries)}
    got = [(tier, index[id(e)]) for tier, e in zip(result.tiers, result.entries, strict=True)]
    assert got == _reference(history, q)


# ---- turns ----------------------------------------------------------------------------------


def turn(index: int, text: str | None, ts: int | None) -> Turn:
    started = datetime.fromtimestamp(ts, UTC) if ts is not None else None
    return Turn(index, user_message=text, started_at=started)


def test_locate_turn() -> None:
    turns = [turn(1, "hello", 100), turn(2, "run it", 200), turn(3, "run it", 300),
             turn(4, None, 400)]
    entry = HistoryEntry(1, SID_A, 295, "run  it")
    assert locate_turn(turns, entry) == 3  # same text, nearest in time
    assert locate_turn(turns, HistoryEntry(1, SID_A, 405, "edited by codex")) == 4
    assert locate_turn(turns, HistoryEntry(1, SID_A, 50, "before everything")) is None
    assert locate_turn([], entry) is None


def test_locate_turn_in_fixture(codex_home: Path) -> None:
    store = LocalThreadStore(str(codex_home))
    thread = store.read_thread(SID_A)
    for entry in store.history().entries:
        if entry.session_id == SID_A:
            number = locate_turn(thread.turns, entry)
            assert thread.turns[number - 1].user_message == entry.text


def test_history_file_is_never_written(codex_home: Path) -> None:
    path = codex_home / "history.jsonl"
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    store = LocalThreadStore(str(codex_home))
    store.history().search("alpha")
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert re.search(rb"alpha", before[0])
