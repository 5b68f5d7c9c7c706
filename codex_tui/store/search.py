"""Fuzzy matching of a typed query against short fields (titles, paths, branches, ids).

Each query word must appear in a field as a substring, or as its characters in order
(`fz` finds `fuzzy`), or, for words of five or more characters, with a typo (rapidfuzz).
Matches return the matched character positions, so screens can highlight them. Case and
accents are folded on both sides (store/fold.py): `cafe` finds `Café`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import compress, repeat
from operator import add, attrgetter, contains, not_
from typing import NamedTuple

from .fold import fold, fold_map, original_positions

TYPO_MIN_LENGTH = 5
TYPO_THRESHOLD = 80.0  # "zebar" finds "zebra"; "cache" does not find "approach" (75)


class Match(NamedTuple):
    score: float  # higher is better; substring matches score highest
    positions: tuple[int, ...]  # indices into the field's text


def match_word(word: str, text: str, fuzzy: bool = True) -> Match | None:
    """Match one folded word against `text` (as written; positions index it); `fuzzy=False`
    for substrings only."""
    hay, origin = fold_map(text)
    found = match_folded(word, hay, fuzzy)
    if found is None or origin is None:
        return found
    return Match(found.score, tuple(sorted(original_positions(found.positions, origin, text))))


def match_folded(word: str, hay: str, fuzzy: bool = True) -> Match | None:
    """`match_word` on a text already folded (positions index the fold)."""
    idx = hay.find(word)
    if idx != -1:
        at_word_start = idx == 0 or not hay[idx - 1].isalnum()
        return Match(100.0 + (5 if at_word_start else 0), tuple(range(idx, idx + len(word))))
    if not fuzzy:
        return None
    positions = _subsequence(word, hay)
    if positions is not None:
        span = positions[-1] - positions[0] + 1
        return Match(50.0 + 40.0 * len(word) / span, positions)
    if len(word) >= TYPO_MIN_LENGTH:
        from rapidfuzz import fuzz  # imported on first use: startup does not need it

        found = fuzz.partial_ratio_alignment(word, hay, score_cutoff=TYPO_THRESHOLD)
        if found is not None:
            return Match(found.score / 2, tuple(range(found.dest_start, found.dest_end)))
    return None


Rows = tuple[int, ...]  # row indexes, ascending
MEASURED = ("cwd", "git_branch")  # fields whose longest value among the rows is asked for
QUERY_CACHE = 256  # queries whose rows SummarySearch keeps (each key's, to narrow the next)

# The most characters between two matched ones. The same for every word length, so that a
# row matching a word also matches every prefix of it, and each keystroke can search only
# the rows its previous one kept.
SUBSEQUENCE_GAP = 6


@lru_cache(maxsize=256)  # the words of the rows drawn, keystroke after keystroke
def _subsequence_pattern(word: str) -> re.Pattern[str]:
    """The characters of `word` in order, each the first of its kind after the previous one,
    at most SUBSEQUENCE_GAP characters after it, within one field (no newline or NUL: the
    separators of joined haystacks). Taking the first occurrence leaves the regex nothing to
    backtrack over, which keeps a scan of 10,000 rows within a keystroke's budget."""
    gap = SUBSEQUENCE_GAP
    parts = [f"({re.escape(word[0])})"]
    parts.extend(f"[^\\n\\x00{re.escape(c)}]{{0,{gap}}}({re.escape(c)})" for c in word[1:])
    return re.compile("".join(parts))


def _subsequence(word: str, hay: str) -> tuple[int, ...] | None:
    """The positions of the first compact in-order occurrence of `word` in `hay` (letters
    scattered over a long title are no match)."""
    if not word:
        return None
    found = _subsequence_pattern(word).search(hay)
    if found is None:
        return None
    return tuple(found.start(i + 1) for i in range(len(word)))


def match_fields(
    query: str, fields: list[str | None], exact: frozenset[int] = frozenset()
) -> tuple[float, dict[int, set[int]]] | None:
    """Match every word of `query` against some field (fields whose index is in `exact` only by
    substring). Returns the mean score and, per field index, the matched positions; None when
    a word matches no field."""
    words = fold(query).split()
    if not words:
        return 0.0, {}
    folded = [fold_map(text) if text else None for text in fields]  # once per field
    total = 0.0
    highlights: dict[int, set[int]] = {}
    for word in words:
        best: tuple[Match, int] | None = None
        for index, hay in enumerate(folded):
            if hay is None:
                continue
            found = match_folded(word, hay[0], fuzzy=index not in exact)
            if found is not None and (best is None or found.score > best[0].score):
                best = (found, index)
        if best is None:
            return None
        total += best[0].score
        highlights.setdefault(best[1], set()).update(best[0].positions)
    for index, positions in highlights.items():
        origin = folded[index][1]  # type: ignore[index]
        if origin is not None:
            highlights[index] = original_positions(positions, origin, fields[index] or "")
    return total / len(words), highlights


class SummarySearch:
    """Filters many summaries by a query fast enough for every keystroke.

    Each row is one folded string (its id, NUL, then its fields one per line), and a word is
    tested against a list of them by C-level loops (`compress` over `map` of `in`, then of a
    compiled regex's `search` for the rows that lack the word as a substring): no Python
    bytecode runs per row, which at 50,000 rows is most of a keystroke's cost. A word that
    extends one already searched (as typing goes, the last key's) tests only that word's
    rows, and the costly typo search runs only when a word matches nothing else. Same rules
    as `match_word`, which screens use for the highlights of the rows they draw."""

    def __init__(self) -> None:
        self._key: tuple[int, ...] | None = None  # ids of the summaries indexed
        self._list: list = []  # the summaries indexed (a copy: callers may reuse theirs)
        # Per row: its id, NUL, its fields folded, one per line. Built in order, as far as
        # a search or `preparing` has needed (a first key on a cold index folds a screenful's
        # rows, not all of them).
        self._hays: list[str] = []
        # (Row sets are kept as tuples: the collector skips a tuple of ints, but walks a
        # list's every item, and at 50,000 rows the kept queries' lists made each of its
        # full passes take 20-30 ms, a stutter every few keys.)
        self._words: dict[str, Rows] = {}  # word -> its rows, ascending
        self._queries: dict[tuple[str, ...], Rows] = {}  # words -> their rows
        self._typo_words: set[str] = set()  # words whose rows came from the typo pass
        self._last: Sequence[int] = ()  # the rows the last filter kept
        self._lengths: dict[str, Rows] = {}  # field -> its length per row
        self.examined = 0  # rows tested against a word since the index was built (tests)
        # id -> (summary, its haystack): folded once per summary, not once per list (a
        # listing hands a new list with every batch; most summaries are the same).
        self._folded: dict[str, tuple[object, str]] = {}

    def prepare(self, summaries: list) -> None:
        """Index `summaries` now (an idle moment), not at the first keystroke."""
        self._index(summaries)
        self._ready(len(summaries))
        for field in MEASURED:
            self.longest(field)  # (each row's length, measured once)

    def preparing(self, summaries: list, chunk: int = 2_000) -> Iterator[int]:
        """`prepare` in steps of `chunk` rows' folding (at 50,000 rows the whole takes a
        few hundred milliseconds: a screen runs a step between two looks at its keys).
        Each step yields the rows folded so far."""
        self._index(summaries)
        key = self._key
        while (done := len(self._hays)) < len(summaries):
            if self._key is not key:
                return  # (other rows were searched meanwhile: their index is built anew)
            self._ready(done + chunk)
            yield len(self._hays)
        self.prepare(summaries)

    def _ready(self, end: int) -> None:
        """The haystacks of the rows up to `end` (from the fold cache where the summary is
        the one folded)."""
        hays, folded = self._hays, self._folded
        for s in self._list[len(hays):end]:
            known = folded.get(s.id)
            if known is None or known[0] is not s:
                known = folded[s.id] = (s, s.id.lower() + "\x00" + "\n".join(
                    fold(f) for f in (s.title, s.name, s.cwd, s.git_branch) if f))
            hays.append(known[1])

    def _index(self, summaries: list) -> None:
        # A list equal to the one indexed (its items compared by identity first, in C) is
        # the same rows: checking costs far less than a keystroke.
        if self._key is not None and summaries == self._list:
            return
        self._key = tuple(map(id, summaries))
        self._list = list(summaries)
        self._words = {}
        self._queries = {}
        self._typo_words = set()
        self._last = ()
        self._lengths = {}
        self.examined = 0
        self._hays = []

    def filter(self, summaries: list, query: str) -> list:
        """The summaries matching every word of `query`, in their given order."""
        run = self.start(summaries, query)
        run.finish()
        return run.rows()

    def start(self, summaries: list, query: str) -> SearchRun:
        """A search of `summaries` for `query` that finds its matches in order, a part at a
        time (`SearchRun`): a screen shows the first screenful at once, the rest after."""
        words = tuple(dict.fromkeys(fold(query).split()))
        if not words:
            return SearchRun(self, summaries, words, range(len(summaries)), (), done=True)
        self._index(summaries)
        keep = self._queries.get(words)
        if keep is not None:
            self._last = keep
            return SearchRun(self, summaries, words, keep, (), done=True)
        base = self._narrowed_base(words)
        if base is not None:
            return SearchRun(self, summaries, words, base, words[-1:])
        return SearchRun(self, summaries, words, range(len(self._list)), words)

    def _finished(self, run: SearchRun) -> Rows:
        """A run's rows, once it has tested every candidate: kept for the queries that
        extend it (or, when it found nothing and a word may be a typo, those of the search
        with typos, which looks at every row)."""
        keep, words = tuple(run.found), run.words
        # (The words tested: the last one alone when the run narrowed an earlier query's
        # rows, whose other words matched.)
        if not keep and any(len(w) >= TYPO_MIN_LENGTH for w in run.testing):
            keep = self._with_typos(words)
        narrowed = len(run.testing) < len(words)
        if len(self._queries) >= QUERY_CACHE:
            self._queries.clear()
        self._queries[words] = self._last = keep
        if len(words) == 1 and not narrowed:
            self._words.setdefault(words[0], keep)
        return keep

    def _with_typos(self, words: tuple[str, ...]) -> Rows:
        """Every row that each word matches, by substring, subsequence or (a word that
        matches no row otherwise) a typo."""
        found = sorted((self._rows_matching(w) for w in words), key=len)
        keep = found[0]
        for rows in found[1:]:
            if not keep:
                break
            keep = _within(keep, rows)
        return keep

    def _narrowed_base(self, words: tuple[str, ...]) -> Rows | None:
        """The rows of a query `words` extends (as typing goes, the last key's: its last
        word one character shorter, or without its last word), on which only its last word
        needs testing. None when no such query was searched."""
        *others, last = words
        for end in range(len(last) - 1, -1, -1):
            prefix = last[:end]
            if prefix in self._typo_words:  # typo rows are no superset of an extension's
                continue
            base = self._queries.get((*others, prefix) if prefix else tuple(others))
            if base is not None:
                return base
        return None

    def longest(self, field: str, rows: Sequence[int] | None = None) -> int:
        """The length of the longest `field` ("cwd", "git_branch") among `rows` (indexes;
        default: those the last filter kept), for column widths: each row's is measured once
        per index."""
        lengths = self._lengths.get(field)
        if lengths is None:
            values = map(attrgetter(field), self._list)
            lengths = self._lengths[field] = tuple([len(v) if v else 0 for v in values])
        return max(map(lengths.__getitem__, self._last if rows is None else rows), default=0)

    def _rows_matching(self, word: str) -> Rows:
        cached = self._words.get(word)
        if cached is not None:
            return cached
        # Substring and subsequence matches of a word are matches of its prefixes too: test
        # only the rows of the longest prefix already searched (as typing goes, the last key's).
        candidates: Rows | None = None
        for end in range(len(word) - 1, 0, -1):
            prefix = self._words.get(word[:end])
            if prefix is not None and word[:end] not in self._typo_words:
                candidates = prefix
                break
        rows: Sequence[int] = self._test(
            word, range(len(self._list)) if candidates is None else candidates)
        if not rows and len(word) >= TYPO_MIN_LENGTH:
            from rapidfuzz import fuzz, process

            self._typo_words.add(word)
            self._ready(len(self._list))
            fields = [hay[hay.index("\x00") + 1:] for hay in self._hays]
            rows = sorted(index for _, _, index in process.extract_iter(
                word, fields, scorer=fuzz.partial_ratio, score_cutoff=TYPO_THRESHOLD))
        kept = self._words[word] = tuple(rows)
        return kept

    def _test(self, word: str, candidates: Sequence[int]) -> list[int]:
        """The `candidates` (row indexes, ascending) that `word` matches by substring or
        compact subsequence, in C-level loops (no Python bytecode per row)."""
        if not candidates:
            return []
        self._ready(candidates[-1] + 1)
        hays: Sequence[str] = self._hays
        if isinstance(candidates, range) and candidates.step == 1:
            hays = hays[candidates.start:candidates.stop]
        else:
            hays = list(map(hays.__getitem__, candidates))
        self.examined += len(candidates)
        # A substring anywhere (the id included: "\x00" is no field's, nor in a word)...
        hit = list(map(contains, hays, repeat(word)))
        if len(word) > 1 and "\x00" not in word:
            # ... else a compact subsequence within one field (the pattern crosses no
            # newline; it is searched from where the fields start: no subsequences in ids).
            search = _subsequence_filter(word).search
            rest = list(compress(range(len(hays)), map(not_, hit)))
            lacking = list(map(hays.__getitem__, rest))
            starts = map(add, map(str.index, lacking, repeat("\x00")), repeat(1))
            for j in compress(rest, map(search, lacking, starts)):
                hit[j] = True
        return list(compress(candidates, hit))


def _within(rows: Rows, others: Rows) -> Rows:
    """`rows` that are also in `others`, in their order."""
    return tuple(compress(rows, map(set(others).__contains__, rows)))


def _subsequence_filter(word: str) -> re.Pattern[str]:
    """`_subsequence_pattern(word)` without its groups (a third faster to search, for
    filtering: only the rows drawn need positions)."""
    gap = SUBSEQUENCE_GAP
    return re.compile(re.escape(word[0]) + "".join(
        f"[^\\n\\x00{re.escape(c)}]{{0,{gap}}}{re.escape(c)}" for c in word[1:]))


class SearchRun:
    """One query's search, in the rows' order, a part at a time: `more(n)` finds the first
    `n` matches (a screenful: at 50,000 rows, a word whose candidates are most rows takes
    tens of milliseconds to test on all of them, but a screenful's in a fraction of one),
    `step()` goes on within a time budget, `finish()` to the end. A run that has tested
    every candidate is `done`, and its rows are kept for the queries that extend it."""

    FIRST_SLICE = 256  # candidates tested first (then twice as many each time)
    SLICE = 4096  # candidates tested between two looks at the clock

    def __init__(self, owner: SummarySearch, summaries: list, words: tuple[str, ...],
                 candidates: Sequence[int], testing: tuple[str, ...],
                 done: bool = False) -> None:
        self.summaries = summaries
        self.words = words  # the query, folded
        self.testing = testing  # the words the candidates are tested on
        self._partial: list[int] = []  # the matching rows found so far
        self._kept: Sequence[int] | None = candidates if done else None  # all, once done
        self.done = done
        self._owner = owner
        self._key = owner._key  # the index its row numbers are of
        self._candidates = candidates  # row indexes, ascending
        self._at = 0  # candidates tested so far

    @property
    def found(self) -> Sequence[int]:
        """The matching rows (indexes) found so far: all of them once `done`."""
        return self._partial if self._kept is None else self._kept

    def rows(self) -> list:
        """The summaries found so far, in their order (all of them once `done`)."""
        return list(map(self.summaries.__getitem__, self.found))

    def longest(self, field: str) -> int:
        """The longest `field` among the rows found so far (see SummarySearch.longest)."""
        if not self.words or not self.done:  # (a screenful: no table needed)
            return max((len(getattr(self.summaries[i], field) or "") for i in self.found),
                       default=0)
        return self._owner.longest(field, self.found)

    def more(self, n: int) -> None:
        """Test candidates until `n` rows are found (or none is left)."""
        size = self.FIRST_SLICE
        while not self.done and len(self.found) < n:
            self._test(size)
            size *= 2

    def step(self, seconds: float) -> bool:
        """Test candidates for about `seconds`; True when done."""
        deadline = time.perf_counter() + seconds
        while not self.done and time.perf_counter() < deadline:
            self._test(self.SLICE)
        return self.done

    def finish(self) -> None:
        while not self.done:
            self._test(len(self._candidates))

    def _test(self, size: int) -> None:
        if self._owner._key is not self._key:  # another search indexed other rows since
            self._owner._index(self.summaries)
            self._key = self._owner._key
        end = min(self._at + size, len(self._candidates))
        rows = self._candidates[self._at:end]
        for word in self.testing:
            if not rows:
                break
            rows = self._owner._test(word, rows)
        self._partial.extend(rows)
        self._at = end
        if end >= len(self._candidates):
            self.done = True
            self._kept = self._owner._finished(self)
