"""The summary cache: later listings skip head reads, and never trust a changed file."""

from __future__ import annotations

import io
import os
from pathlib import Path
from unittest.mock import patch

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store import cache as cache_module
from codex_tui.store import catalog as catalog_module

ALL = ThreadQuery(cwd=None)
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"


def calls_to(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list:
    """The argument of every call to `module.name` from now on (the function still runs)."""
    seen: list = []
    real = getattr(module, name)

    def counting(arg):
        seen.append(arg)
        return real(arg)

    monkeypatch.setattr(module, name, counting)
    return seen


@pytest.fixture
def head_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return calls_to(monkeypatch, catalog_module, "read_head")


def titles(store: LocalThreadStore) -> dict[str, str | None]:
    return {s.id: s.title for s in store.list_threads(ALL)}


def test_second_listing_reads_no_heads(codex_home: Path, head_reads: list[str]):
    first = titles(LocalThreadStore(str(codex_home)))
    assert head_reads
    head_reads.clear()
    second = titles(LocalThreadStore(str(codex_home)))
    assert head_reads == []
    assert second == first


def test_scan_gives_stubs_then_complete_fills_them(codex_home: Path):
    store = LocalThreadStore(str(codex_home))
    stubs = store.scan()
    assert stubs and all(s.pending and s.preview is None for s in stubs)
    done = list(store.complete(first=[FORK]))
    assert done[0].id == FORK
    assert {s.id for s in done} == {s.id for s in stubs}
    assert not any(s.pending for s in done)
    # The next start finds everything in the cache.
    again = LocalThreadStore(str(codex_home)).scan()
    assert not any(s.pending for s in again)


def test_a_changed_file_is_read_again(codex_home: Path, head_reads: list[str]):
    LocalThreadStore(str(codex_home)).list_threads(ALL)
    path = next(p for p in codex_home.rglob(f"*{FORK}.jsonl"))
    st = path.stat()
    data = path.read_bytes().replace(b"/home/dev/src/beta", b"/home/dev/src/gamma")
    # Rewritten in place with the same mtime, as `codex migrate-rollouts` does.
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    head_reads.clear()
    summaries = {s.id: s for s in LocalThreadStore(str(codex_home)).list_threads(ALL)}
    assert head_reads == [str(path)]
    assert summaries[FORK].cwd == "/home/dev/src/gamma"


def test_names_are_not_cached(codex_home: Path):
    LocalThreadStore(str(codex_home)).list_threads(ALL)
    with open(codex_home / "session_index.jsonl", "a") as index:
        index.write(f'{{"id":"{FORK}","thread_name":"renamed later",'
                    '"updated_at":"2026-11-21T14:00:00Z"}\n')
    assert titles(LocalThreadStore(str(codex_home)))[FORK] == "renamed later"


def test_corrupt_cache_is_ignored(codex_home: Path, _isolated_cache: Path):
    expected = titles(LocalThreadStore(str(codex_home)))
    for cache_file in _isolated_cache.iterdir():
        cache_file.write_bytes(b"\x00not json")
    assert titles(LocalThreadStore(str(codex_home))) == expected


def test_unwritable_cache_is_ignored(codex_home: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("CODEX_TUI_CACHE_DIR", str(blocker / "cache"))
    listed = titles(LocalThreadStore(str(codex_home)))
    assert listed[FORK] == "[0.169.0] please run the tests and list files"  # its source's


def test_cache_lives_outside_codex_home(codex_home: Path, _isolated_cache: Path):
    before = sorted(p.relative_to(codex_home) for p in codex_home.rglob("*"))
    LocalThreadStore(str(codex_home)).list_threads(ALL)
    assert sorted(p.relative_to(codex_home) for p in codex_home.rglob("*")) == before
    assert list(_isolated_cache.glob("threads-*"))


def test_cached_rows_then_scan_decode_each_cache_line_once(codex_home: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    from codex_tui.store import cache as cache_module

    LocalThreadStore(str(codex_home)).list_threads(ALL)  # fill the cache
    decoded: list[bytes] = []
    real = cache_module._entry
    monkeypatch.setattr(cache_module, "_entry", lambda line: decoded.append(line) or real(line))
    store = LocalThreadStore(str(codex_home))
    early = [s for batch in store.cached() for s in batch]
    validated = store.scan()
    assert len(decoded) == len(early) == len(validated)
    assert not any(s.pending for s in validated)


# -- the first screen's byte search -------------------------------------------------------

_line = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" "))


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_line, max_size=40), needle=st.one_of(st.none(), st.binary(min_size=1,
       max_size=3).map(lambda b: b.replace(b"\n", b"x"))), chunk=st.integers(1, 64),
       final_newline=st.booleans())
def test_lines_with_finds_what_splitting_finds(lines: list[bytes], needle: bytes | None,
                                               chunk: int, final_newline: bool):
    """Whatever the chunk size cuts through, the byte search yields exactly the non-empty
    lines containing the needle, in order, each once (a line with the needle twice too)."""
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with patch.object(cache_module, "FIRST_CHUNK", chunk):
        found = list(cache_module._lines_with(io.BytesIO(data), needle))
    expected = [line for line in data.split(b"\n") if line and (needle is None or needle in line)]
    assert found == expected


def test_lines_with_stops_at_the_byte_bound():
    data = b"".join(b"x%06d\n" % n for n in range(1000))
    with patch.object(cache_module, "FIRST_CHUNK", 64), \
            patch.object(cache_module, "FIRST_MAX_BYTES", 640):
        found = list(cache_module._lines_with(io.BytesIO(data), b"x"))
    assert 80 <= len(found) < 100  # a chunk past the bound at most, never the whole file


def test_first_rows_decode_only_what_the_page_needs(codex_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    """A warm first page reads this directory's newest cached rows and decodes no more lines
    than it keeps or refuses."""
    store = LocalThreadStore(str(codex_home))
    everyone = store.list_threads(ALL)  # fills and saves the cache
    newest = sorted((s for s in everyone if not s.archived and s.cwd),
                    key=lambda s: s.updated_at, reverse=True)
    cwd = newest[0].cwd
    # The cache's lines for that directory, newest first, up to the row the page shows.
    path = Path(LocalThreadStore(str(codex_home))._cache.path)
    mine = [line for line in path.read_bytes().split(b"\n")[1:] if orjson.dumps(cwd) in line]
    wanted = newest_in(everyone, cwd).id
    needed = next(i for i, line in enumerate(mine) if orjson.loads(line)["id"] == wanted) + 1
    assert len(mine) > needed  # more lines match: decoding them all would be seen
    decoded = calls_to(monkeypatch, cache_module, "_entry")
    page = LocalThreadStore(str(codex_home)).first_page(cwd, limit=1)
    assert [s.id for s in page] == [wanted]
    assert len(decoded) == needed
    refused = LocalThreadStore(str(codex_home)).first_page(cwd, limit=1,
                                                           keep=lambda s: False)
    assert refused == []


def newest_in(summaries, cwd: str):
    return max((s for s in summaries if s.cwd == cwd and not s.archived),
               key=lambda s: s.updated_at)
