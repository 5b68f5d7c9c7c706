"""Case and accent folding for every search (store/fold.py), and the highlights it maps back
onto the characters as written: `cafe` finds `Café`, `unicode` finds `ünïcödé`, in the picker's
fuzzy search, `list --search`, the prompt history search and the transcript text search."""

from __future__ import annotations

import unicodedata
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from codex_tui.store.fold import Needle, fold, fold_map, original_positions
from codex_tui.store.history import HistoryEntry, HistorySearch, highlight_positions
from codex_tui.store.model import ThreadSummary
from codex_tui.store.search import SummarySearch, match_fields, match_word
from codex_tui.store.text_index import make_excerpt

DECOMPOSED = unicodedata.normalize("NFD", "Café ünïcödé")  # e + U+0301 and so on


@pytest.mark.parametrize(("text", "folded"), [
    ("Café ünïcödé", "cafe unicode"),
    ("CAFÉ", "cafe"),
    (DECOMPOSED, "cafe unicode"),
    ("Straße", "strasse"),
    ("ﬁnal ﬂag", "final flag"),  # ligatures
    ("Ｆｕｌｌ①", "full1"),  # full width, circled digit
    ("İstanbul", "istanbul"),  # capital I with dot: i + a mark, the mark dropped
    ("ΣΊΣΥΦΟΣ", "σισυφοσ"),  # no final-sigma context: the same fold wherever it stands
    ("Ёлка", "елка"),
    ("plain ascii", "plain ascii"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold_map(text)[0] == folded


def test_fold_map_says_where_each_character_came_from() -> None:
    assert fold_map("Straße") == ("strasse", [0, 1, 2, 3, 4, 4, 5])
    assert fold_map("ﬁx") == ("fix", [0, 0, 1])
    text = "e\u0301te"  # é as e + combining acute
    assert fold_map(text) == ("ete", [0, 2, 3])
    assert fold_map("ASCII") == ("ascii", None)  # identity: no list built


def test_a_found_character_keeps_its_marks() -> None:
    text = "e\u0301te"
    _, origin = fold_map(text)
    assert original_positions({0}, origin, text) == {0, 1}  # e and its accent
    assert original_positions({1, 2}, origin, text) == {2, 3}


@pytest.mark.parametrize("title", ["Café ünïcödé", "CAFÉ ÜNÏCÖDÉ", DECOMPOSED])
def test_match_fields_highlights_the_characters_as_written(title: str) -> None:
    found = match_fields("cafe unicode", [title, None, "/home/dev"])
    assert found is not None
    shown = "".join(c for i, c in enumerate(title) if i in found[1][0])
    assert fold(shown) == "cafeunicode"
    assert shown.replace(" ", "") == title.replace(" ", "")  # every character, marks too


def test_accented_query_finds_plain_text_and_the_reverse() -> None:
    assert match_word(fold("Café"), "the cafe menu") is not None
    assert match_word("cafe", "le CAFÉ") is not None
    assert match_word("strasse", "Hauptstraße 5") is not None
    found = match_word("uni", "ünïcödé")
    assert found is not None and found.positions == (0, 1, 2)


def summary(sid: str, title: str, **kw) -> ThreadSummary:
    return ThreadSummary(id=sid, path=f"/x/{sid}.jsonl", created_at=None, updated_at=None,
                         preview=title, **kw)


def test_summary_search_folds_rows_and_query() -> None:
    rows = [summary("a1", "Café ünïcödé"), summary("b2", "tea time"),
            summary("c3", "nothing", cwd="/home/dév/CAFÉ"), summary("d4", "ﬁle Straße")]
    search = SummarySearch()
    assert [s.id for s in search.filter(rows, "cafe")] == ["a1", "c3"]
    assert [s.id for s in search.filter(rows, "CAFÉ")] == ["a1", "c3"]
    assert [s.id for s in search.filter(rows, "unicode")] == ["a1"]
    assert [s.id for s in search.filter(rows, "dev")] == ["c3"]
    assert [s.id for s in search.filter(rows, "file strasse")] == ["d4"]


def test_history_search_and_highlights_fold() -> None:
    entries = [HistoryEntry(2, "s", 2, "Un CAFÉ noir, s'il vous plaît"),
               HistoryEntry(1, "s", 1, "tea")]
    search = HistorySearch(entries)
    assert [e.line for e in search.search("cafe plait").entries] == [2]
    assert [e.line for e in search.search("café").entries] == [2]
    text = entries[0].text
    marked = "".join(c for i, c in enumerate(text) if i in highlight_positions("cafe", text))
    assert marked == "CAFÉ"
    decomposed = unicodedata.normalize("NFD", text)
    marked = "".join(c for i, c in enumerate(decomposed)
                     if i in highlight_positions("cafe", decomposed))
    assert marked == unicodedata.normalize("NFD", "CAFÉ")


def test_excerpt_highlights_the_original_characters() -> None:
    text = "x " * 200 + "Das ist die Hauptstraße, Café ünïcödé " + "y " * 200
    excerpt, positions = make_excerpt(text, ["strasse", "cafe"])
    marked = "".join(excerpt[p] for p in positions)
    assert marked == "straßeCafé"


# ---- properties ------------------------------------------------------------------------------

# Text rich in what makes folding hard: marks (alone and after letters), ß, ligatures,
# full-width and compatibility forms, Greek with ypogegrammeni, Turkish İ, and plain ASCII.
_HARD = "aAeEsSß\u0301\u0308\u0345\u0307İıﬁﬂĲǄᾈΣςＡ①é\u00e9\u1e9e\u0131 \t\n"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(_HARD), st.characters(
    blacklist_categories=("Cs",))), max_size=40)


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("ᾈ\u0301\u0345")
@example("e\u0308\u0301\u0323")  # marks out of canonical order
@example("x\U0001d167y🚀\u0301")  # a mark beyond the Basic Multilingual Plane
def test_fold_map_agrees_with_fold(text: str) -> None:
    folded, origin = fold_map(text)
    assert folded == fold(text)
    if origin is None:
        assert text.isascii() and folded == text.lower()
    else:
        assert len(origin) == len(folded)
        assert origin == sorted(origin)
        assert all(0 <= i < len(text) for i in origin)
        # Each character's share of the fold is the fold of that character alone.
        for i, ch in enumerate(text):
            assert "".join(folded[j] for j, o in enumerate(origin) if o == i) == fold(ch)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_fold_of_a_concatenation_is_the_concatenation_of_folds(a: str, b: str) -> None:
    # What lets a search fold haystacks once and slices (excerpts) agree with the whole.
    assert fold(a + b) == fold(a) + fold(b)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@settings(max_examples=400, deadline=None)
@given(st.data(), TEXT)
def test_substring_highlights_land_on_the_original_characters(data, text: str) -> None:
    """Any piece of a text, folded, is found in it, and its highlight covers characters whose
    fold holds the query: never a character beside them, never half a mark."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    word = fold(text[start:end])
    if not word or any(c.isspace() for c in word):
        return
    found = match_word(word, text, fuzzy=False)
    assert found is not None
    positions = set(found.positions)
    assert positions and max(positions) < len(text)
    lo, hi = min(positions), max(positions)
    assert word in fold(text[lo:hi + 1])
    # Highlighted characters are contiguous, but for the ones that fold to nothing (marks),
    # which are highlighted exactly when the character they follow is.
    for i in range(lo, hi + 1):
        assert i in positions or fold(text[i]) == ""
    for i in positions:
        if fold(text[i]) == "":
            assert i > 0 and i - 1 in positions
    assert hi + 1 == len(text) or fold(text[hi + 1]) != ""  # its marks are not left out


def test_needle_spans() -> None:
    text = "Un CAFÉ, un café, un Cafe\u0301."
    needle = Needle("cafe")
    assert needle.count(text) == 3 and needle.search(text)
    assert [text[a:b] for a, b in needle.spans(text)] == ["CAFÉ", "café", "Cafe\u0301"]
    assert Needle("ss").spans("Straße") == [(4, 5)]  # ß folds to ss: the whole ß
    assert not Needle("\u0301")  # folds to nothing: no query


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
@example("ß", "s")  # two matches in the fold of one character
def test_needle_spans_agree_with_count(text: str, query: str) -> None:
    needle = Needle(query)
    spans = needle.spans(text)
    assert len(spans) == needle.count(text)
    assert all(a < b for a, b in spans)
    # In order, apart; two only share characters when both lie in the fold of the same ones.
    assert all(b1 <= a2 or (a1, b1) == (a2, b2)
               for (a1, b1), (a2, b2) in pairwise(spans))
    for a, b in spans:
        assert needle.folded in fold(text[a:b])
