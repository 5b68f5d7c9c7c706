"""The fuzzy matcher behind `list --search` (and, later, the picker's search box)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.store.search import match_fields, match_word


@pytest.mark.parametrize(("word", "text", "positions"), [
    ("cache", "why is the cache cold", (11, 12, 13, 14, 15)),  # substring
    ("CACHE".lower(), "Why Is The CACHE cold", (11, 12, 13, 14, 15)),  # case-insensitive
    ("pickr", "picker-demo-thread", (0, 1, 2, 3, 5)),  # in-order subsequence
    ("mkdn", "markdown", (0, 3, 4, 7)),
])
def test_matches_return_highlight_positions(word, text, positions):
    found = match_word(word, text)
    assert found is not None
    assert found.positions == positions


@pytest.mark.parametrize(("word", "text"), [
    ("zebar", "feature/zebra"),  # transposed letters, long enough word
    ("parsre", "fix the parser bug"),
])
def test_typos_in_longer_words_match(word, text):
    assert match_word(word, text) is not None


@pytest.mark.parametrize(("word", "text"), [
    ("cache", "[0.169.0] forked: try another approach"),  # 75% similar: not a match
    ("beta", "b and then e much later then t and finally a"),  # too scattered
    ("xyz", "abc"),
])
def test_loose_resemblance_is_no_match(word, text):
    assert match_word(word, text) is None


def test_substring_outranks_subsequence_outranks_typo():
    sub = match_word("parser", "the parser")
    seq = match_word("prsr", "the parser")
    typo = match_word("parsre", "the parser")
    assert sub and seq and typo
    assert sub.score > seq.score > typo.score


def test_every_word_must_match_some_field():
    fields = ["Fix the parser bug", "/home/dev/proj", "main"]
    found = match_fields("parser proj", fields)
    assert found is not None
    assert found[1] == {0: set(range(8, 14)), 1: set(range(10, 14))}
    assert match_fields("parser nowhere", fields) is None


def test_exact_fields_match_only_by_substring():
    ids = ["01a1fe36-5584-7391-9030-75b16ca14546"]
    assert match_fields("01a1fe36", ids, exact=frozenset({0})) is not None
    assert match_fields("01a1fe37", ids, exact=frozenset({0})) is None
    assert match_fields("01a1fe37", ids) is not None  # a subsequence, when fuzzy


# ---- the per-keystroke filter agrees with the per-row matcher ------------------------------

_ALPHABET = "abc/-_ é\n"
_field = st.one_of(st.none(), st.text(alphabet=_ALPHABET, max_size=30))


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(_field, _field, _field, _field), max_size=12),
       query=st.text(alphabet="abc/-_ é", max_size=9))
def test_summary_search_keeps_exactly_the_rows_that_match(rows, query):
    from codex_tui.store.model import ThreadSummary
    from codex_tui.store.query import ID_FIELD, search_fields
    from codex_tui.store.search import SummarySearch

    summaries = [ThreadSummary(id=f"01a1{i:04x}-abcd-7000-8000-00000000000{i % 10}",
                               path="", created_at=None, updated_at=None, preview=title,
                               name=name, cwd=cwd, git_branch=branch)
                 for i, (title, name, cwd, branch) in enumerate(rows)]
    # Words shorter than the typo length: both must apply the same substring and
    # subsequence rules (typos are a fallback the fast filter tries only on no match).
    query = " ".join(w[:4] for w in query.split())
    expected = [s for s in summaries
                if match_fields(query, search_fields(s), exact=ID_FIELD) is not None]
    assert SummarySearch().filter(summaries, query) == expected


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(_field, _field, _field, _field), max_size=12),
       query=st.text(alphabet="abcé/-_ ", max_size=12))
def test_typing_a_query_key_by_key_gives_what_a_fresh_search_gives(rows, query):
    """Each keystroke searches only the rows its prefix kept: never fewer than from scratch
    (typos included)."""
    from codex_tui.store.model import ThreadSummary
    from codex_tui.store.search import SummarySearch

    summaries = [ThreadSummary(id=f"01a1{i:04x}-abcd-7000-8000-00000000000{i % 10}",
                               path="", created_at=None, updated_at=None, preview=title,
                               name=name, cwd=cwd, git_branch=branch)
                 for i, (title, name, cwd, branch) in enumerate(rows)]
    typing = SummarySearch()
    for end in range(1, len(query) + 1):
        assert typing.filter(summaries, query[:end]) == \
            SummarySearch().filter(summaries, query[:end])


def test_a_key_that_extends_the_query_tests_only_the_rows_its_prefix_kept():
    """The per-keystroke cost follows the rows still shown, not the whole list: typing
    `needle here` over 2,000 rows tests each row once (the first key), then only the few
    kept, the second word's keys included."""
    from codex_tui.store.model import ThreadSummary
    from codex_tui.store.search import SummarySearch

    summaries = [ThreadSummary(id=f"01a1{i:04x}-abcd-7000-8000-000000000000", path="",
                               created_at=None, updated_at=None,
                               preview="a needle here" if i % 100 == 0 else f"other row {i}",
                               cwd="/work/proj")
                 for i in range(2000)]
    search = SummarySearch()
    search.prepare(summaries)
    assert len(search.filter(summaries, "n")) == 20  # the first key tests every row
    first = search.examined
    assert first == 2000
    for end in range(2, len("needle here") + 1):  # a second word: only "needle"'s rows
        search.filter(summaries, "needle here"[:end])
    assert len(search.filter(summaries, "needle")) == 20
    assert len(search.filter(summaries, "needle here")) == 20
    assert search.examined - first < 2000  # the later keys, together, fewer than one scan


# ---- a search a part at a time (SearchRun) ------------------------------------------------


def _rows(n: int, every: int = 1):
    from codex_tui.store.model import ThreadSummary

    return [ThreadSummary(id=f"01a1{i:04x}-abcd-7000-8000-000000000000", path="",
                          created_at=None, updated_at=None,
                          preview=f"fix the parser {i}" if i % every == 0 else f"row {i}",
                          cwd="/work/proj")
            for i in range(n)]


def test_the_first_screenful_of_matches_costs_a_screenful_not_the_list():
    """Over 20,000 rows that nearly all match, the first 50 matches are found by testing
    a few hundred rows; the rest are found later, and the whole is what `filter` gives."""
    from codex_tui.store.search import SummarySearch

    summaries = _rows(20_000)
    search = SummarySearch()
    search.prepare(summaries)
    run = search.start(summaries, "fix")
    run.more(50)
    assert not run.done and 50 <= len(run.found) <= 1_000
    assert run.rows() == summaries[:len(run.found)]
    assert search.examined <= 1_000
    run.finish()
    assert run.done and run.rows() == SummarySearch().filter(summaries, "fix")


@settings(max_examples=100, deadline=None)
@given(every=st.integers(1, 50), query=st.sampled_from(["f", "fi", "fix p", "parser", "parsr",
                                                          "prs", "row 1", "zzz", "fix 17"]),
       slices=st.lists(st.integers(1, 300), min_size=1, max_size=20))
def test_a_search_in_slices_finds_what_one_pass_finds(every, query, slices):
    """However a run is cut (a screenful, slices between keys, then the rest), it ends with
    the rows a fresh search finds, in order, and its rows are kept for the next key."""
    from codex_tui.store.search import SummarySearch

    summaries = _rows(2_000, every)
    search = SummarySearch()
    run = search.start(summaries, query)
    for size in slices:
        before = list(run.found)
        run.more(len(run.found) + size)
        assert list(run.found[:len(before)]) == before  # found rows stay, in order
    run.finish()
    expected = SummarySearch().filter(summaries, query)
    assert run.rows() == expected
    again = search.start(summaries, query)  # (the same query: kept)
    assert again.done and again.rows() == expected
    extended = search.start(summaries, query + "1")
    extended.finish()
    assert extended.rows() == SummarySearch().filter(summaries, query + "1")


def test_the_index_is_prepared_a_step_at_a_time():
    """A screen prepares the index between keys: each step folds a chunk of rows, and the
    whole is the index a search would build (no row folded twice)."""
    from codex_tui.store import search as search_module
    from codex_tui.store.search import SummarySearch

    summaries = _rows(1_000, every=7)
    expected = SummarySearch().filter(summaries, "parser")
    search = SummarySearch()
    folds = 0
    plain = search_module.fold

    def counted(text: str) -> str:
        nonlocal folds
        folds += 1
        return plain(text)

    search_module.fold = counted  # type: ignore[assignment]
    try:
        steps = search.preparing(summaries, chunk=100)
        seen = []
        for done in steps:
            seen.append((done, folds))
        assert [d for d, _ in seen] == list(range(100, 1_001, 100))
        assert all(b - a <= 100 * 2 for (_, a), (_, b) in itertools.pairwise(seen))
        after = folds
        assert search.filter(summaries, "parser") == expected
        assert folds == after + 1  # (the query's own fold: no row folded again)
    finally:
        search_module.fold = plain


def test_a_run_outlived_by_a_search_of_other_rows_still_finds_its_own():
    """A screen drops a run when rows change, but a run kept across another search (of a
    different list: the index is rebuilt for it) still ends with its own rows' matches."""
    from codex_tui.store.search import SummarySearch

    old, new = _rows(3_000, every=2), _rows(500, every=3)
    search = SummarySearch()
    run = search.start(old, "fix")
    run.more(10)
    other = search.start(new, "fix")
    other.finish()
    run.finish()
    assert run.rows() == SummarySearch().filter(old, "fix")
    assert other.rows() == SummarySearch().filter(new, "fix")
