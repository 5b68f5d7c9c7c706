"""Fuzzy matching of a typed query against short fields (titles, paths, branches, ids).

Each query word must appear in a field as a substring, or as its characters in order
(`fz` finds `fuzzy`), or, for words of five or more characters, with a typo (rapidfuzz).
Matches return the matched character positions, so screens can highlight them. Case and
accents are folded on both sides (store/fold.py): `cafe` finds `Café`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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


# The most characters between two matched ones. The same for every word length, so that a
# row matching a word also matches every prefix of it, and each keystroke can search only
# the rows its previous one kept.
SUBSEQUENCE_GAP = 6


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
    """Filters many summaries by a query fast enough for every keystroke: each word is
    matched by one C-level regex scan over all haystacks joined (substring, then compact
    subsequence), and the costly typo search runs only when a word matches nothing else.
    Same rules as `match_word`, which screens use for the highlights of the rows they draw."""

    def __init__(self) -> None:
        self._key: tuple[int, ...] | None = None
        self._hays: list[str] = []  # per row: its fields and id, folded, one per line
        self._fields: list[str] = []  # the same without the id (no subsequences in ids)
        self._joined = ""  # every row's fields, NUL-separated, for one regex scan
        self._starts: list[int] = []  # where each row starts in _joined
        self._words: dict[str, set[int]] = {}
        self._typo_words: set[str] = set()  # words whose rows came from the typo pass
        # id -> (summary, its fields, its haystack): folded once per summary, not once per
        # list (a listing hands a new list with every batch; most summaries are the same).
        self._folded: dict[str, tuple[object, str, str]] = {}

    def prepare(self, summaries: list) -> None:
        """Index `summaries` now (an idle moment), not at the first keystroke."""
        self._index(summaries)

    def _index(self, summaries: list) -> None:
        key = tuple(map(id, summaries))
        if key == self._key:
            return
        self._key = key
        self._words = {}  # word -> matching row indexes, for this list of summaries
        self._typo_words = set()
        self._hays = []
        self._fields = []
        self._starts = []
        pos = 0
        folded = self._folded
        for s in summaries:
            known = folded.get(s.id)
            if known is not None and known[0] is s:
                _, fields, hay = known
            else:
                fields = "\n".join(fold(f) for f in (s.title, s.name, s.cwd, s.git_branch)
                                   if f)
                hay = fields + "\n" + s.id.lower()
                folded[s.id] = (s, fields, hay)
            self._fields.append(fields)
            self._hays.append(hay)
            self._starts.append(pos)
            pos += len(fields) + 1
        self._joined = "\x00".join(self._fields)

    def filter(self, summaries: list, query: str) -> list:
        """The summaries matching every word of `query`, in their given order."""
        words = fold(query).split()
        if not words:
            return list(summaries)
        self._index(summaries)
        keep: set[int] | None = None
        for word in words:
            rows = self._rows_matching(word)
            keep = rows if keep is None else keep & rows
            if not keep:
                return []
        return [s for i, s in enumerate(summaries) if i in keep]  # type: ignore[operator]

    @staticmethod
    def _rows_in(pattern: str, joined: str, starts: list[int]) -> set[int]:
        # The pattern goes on to the end of its row, so a row yields one match at most.
        found = re.finditer(f"(?:{pattern})[^\\x00]*", joined)
        return {bisect_right(starts, m.start()) - 1 for m in found}

    def _rows_matching(self, word: str) -> set[int]:
        cached = self._words.get(word)
        if cached is not None:
            return cached
        # Substring and subsequence matches of a word are matches of its prefixes too: search
        # only the rows of the longest prefix already searched (as typing goes, the last key's).
        candidates: set[int] | None = None
        for end in range(len(word) - 1, 0, -1):
            prefix = self._words.get(word[:end])
            if prefix is not None and word[:end] not in self._typo_words:
                candidates = prefix
                break
        pattern = _subsequence_pattern(word)
        if candidates is not None:
            rows = {i for i in candidates
                    if word in self._hays[i] or pattern.search(self._fields[i])}
        else:
            # A plain `in` per row beats a scan of the joined text when matches are dense.
            rows = {i for i, hay in enumerate(self._hays) if word in hay}
            if len(word) > 1:  # one character: substring and subsequence are the same
                # The pattern stays within one field (no newline or NUL), so its matches
                # need no second look.
                rest = len(self._hays) - len(rows)
                if rest < len(self._hays) // 4:  # few rows left: test just those
                    rows.update(i for i, fields in enumerate(self._fields)
                                if i not in rows and pattern.search(fields))
                else:  # many left: one scan of the joined text
                    rows |= self._rows_in(pattern.pattern, self._joined, self._starts)
        if not rows and len(word) >= TYPO_MIN_LENGTH:
            from rapidfuzz import fuzz, process

            self._typo_words.add(word)
            for _, _, index in process.extract_iter(
                    word, self._fields, scorer=fuzz.partial_ratio,
                    score_cutoff=TYPO_THRESHOLD):
                rows.add(index)
        self._words[word] = rows
        return rows
