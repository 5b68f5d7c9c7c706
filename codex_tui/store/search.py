"""Fuzzy matching of a typed query against short fields (titles, paths, branches, ids).

Each query word must appear in a field as a substring, or as its characters in order
(`fz` finds `fuzzy`), or, for words of five or more characters, with a typo (rapidfuzz).
Matches return the matched character positions, so screens can highlight them. Case and
accents are folded on both sides (store/fold.py): `cafe` finds `Café`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, contains, not_
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
        self._hays: list[str] = []  # per row: its id, NUL, its fields folded, one per line
        self._starts: list[int] = []  # per row: where its fields start in its haystack
        self._words: dict[str, list[int]] = {}  # word -> its rows, ascending
        self._queries: dict[tuple[str, ...], list[int]] = {}  # words -> their rows
        self._typo_words: set[str] = set()  # words whose rows came from the typo pass
        self._last: list[int] = []  # the rows the last filter kept
        self._lengths: dict[str, list[int]] = {}  # field -> its length per row
        self.examined = 0  # rows tested against a word since the index was built (tests)
        # id -> (summary, its haystack): folded once per summary, not once per list (a
        # listing hands a new list with every batch; most summaries are the same).
        self._folded: dict[str, tuple[object, str]] = {}

    def prepare(self, summaries: list) -> None:
        """Index `summaries` now (an idle moment), not at the first keystroke."""
        self._index(summaries)

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
        self._last = []
        self._lengths = {}
        self.examined = 0
        hays: list[str] = []
        folded = self._folded
        for s in summaries:
            known = folded.get(s.id)
            if known is not None and known[0] is s:
                hays.append(known[1])
            else:
                hay = s.id.lower() + "\x00" + "\n".join(
                    fold(f) for f in (s.title, s.name, s.cwd, s.git_branch) if f)
                folded[s.id] = (s, hay)
                hays.append(hay)
        self._hays = hays
        self._starts = [hay.index("\x00") + 1 for hay in hays]

    def filter(self, summaries: list, query: str) -> list:
        """The summaries matching every word of `query`, in their given order."""
        words = tuple(dict.fromkeys(fold(query).split()))
        if not words:
            return list(summaries)
        self._index(summaries)
        keep = self._queries.get(words)
        if keep is None:
            keep = self._narrowed(words)
        if keep is None:
            found = sorted((self._rows_matching(w) for w in words), key=len)
            keep = found[0]
            for rows in found[1:]:
                if not keep:
                    break
                keep = _within(keep, rows)
        if len(self._queries) >= QUERY_CACHE:
            self._queries.clear()
        self._queries[words] = self._last = keep
        return list(map(summaries.__getitem__, keep))

    def _narrowed(self, words: tuple[str, ...]) -> list[int] | None:
        """The rows of `words` from those of a query it extends (as typing goes, the last
        key's: its last word one character shorter, or without its last word): only the
        last word is tested, on those rows alone. None when no such query was searched."""
        *others, last = words
        for end in range(len(last) - 1, -1, -1):
            prefix = last[:end]
            if prefix in self._typo_words:  # typo rows are no superset of an extension's
                continue
            base = self._queries.get((*others, prefix) if prefix else tuple(others))
            if base is None:
                continue
            rows = self._test(last, base)
            if not rows and len(last) >= TYPO_MIN_LENGTH:
                # Maybe a typo: that is decided over every row, and typo rows are no subset
                # of the shorter query's.
                return None
            return rows
        return None
    def longest(self, field: str) -> int:
        """The length of the longest `field` ("cwd", "git_branch") among the rows the last
        filter kept (for column widths): each row's is measured once per index."""
        lengths = self._lengths.get(field)
        if lengths is None:
            values = map(attrgetter(field), self._list)
            lengths = self._lengths[field] = [len(v) if v else 0 for v in values]
        return max(map(lengths.__getitem__, self._last), default=0)

    def _rows_matching(self, word: str) -> list[int]:
        cached = self._words.get(word)
        if cached is not None:
            return cached
        # Substring and subsequence matches of a word are matches of its prefixes too: test
        # only the rows of the longest prefix already searched (as typing goes, the last key's).
        candidates: list[int] | None = None
        for end in range(len(word) - 1, 0, -1):
            prefix = self._words.get(word[:end])
            if prefix is not None and word[:end] not in self._typo_words:
                candidates = prefix
                break
        rows = self._test(word, range(len(self._hays)) if candidates is None else candidates)
        if not rows and len(word) >= TYPO_MIN_LENGTH:
            from rapidfuzz import fuzz, process

            self._typo_words.add(word)
            fields = [hay[start:] for hay, start in zip(self._hays, self._starts, strict=True)]
            rows = sorted(index for _, _, index in process.extract_iter(
                word, fields, scorer=fuzz.partial_ratio, score_cutoff=TYPO_THRESHOLD))
        self._words[word] = rows
        return rows

    def _test(self, word: str, candidates: Sequence[int]) -> list[int]:
        """The `candidates` (row indexes, ascending) that `word` matches by substring or
        compact subsequence, in C-level loops (no Python bytecode per row)."""
        hays, starts = self._hays, self._starts
        if not isinstance(candidates, range):
            hays = list(map(hays.__getitem__, candidates))
            starts = list(map(starts.__getitem__, candidates))
        self.examined += len(candidates)
        # A substring anywhere (the id included: "\x00" is no field's, nor in a word)...
        hit = list(map(contains, hays, repeat(word)))
        if len(word) > 1 and "\x00" not in word:
            # ... else a compact subsequence within one field (the pattern crosses no
            # newline; it is searched from where the fields start: no subsequences in ids).
            search = _subsequence_filter(word).search
            rest = list(compress(range(len(hays)), map(not_, hit)))
            for j in compress(rest, map(search, map(hays.__getitem__, rest),
                                        map(starts.__getitem__, rest))):
                hit[j] = True
        return list(compress(candidates, hit))


def _within(rows: list[int], others: list[int]) -> list[int]:
    """`rows` that are also in `others`, in their order."""
    return list(compress(rows, map(set(others).__contains__, rows)))


def _subsequence_filter(word: str) -> re.Pattern[str]:
    """`_subsequence_pattern(word)` without its groups (a third faster to search, for
    filtering: only the rows drawn need positions)."""
    gap = SUBSEQUENCE_GAP
    return re.compile(re.escape(word[0]) + "".join(
        f"[^\\n\\x00{re.escape(c)}]{{0,{gap}}}{re.escape(c)}" for c in word[1:]))
