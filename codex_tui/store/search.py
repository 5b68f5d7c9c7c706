"""Fuzzy matching of a typed query against short fields (titles, paths, branches, ids).

Each query word must appear in a field as a substring, or as its characters in order
(`fz` finds `fuzzy`), or, for words of five or more characters, with a typo (rapidfuzz).
Matches return the matched character positions, so screens can highlight them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

TYPO_MIN_LENGTH = 5
TYPO_THRESHOLD = 80.0  # "zebar" finds "zebra"; "cache" does not find "approach" (75)


@dataclass(frozen=True, slots=True)
class Match:
    score: float  # higher is better; substring matches score highest
    positions: tuple[int, ...]  # indices into the field's text


def match_word(word: str, text: str, fuzzy: bool = True) -> Match | None:
    """Match one lower-case word against `text` (any case); `fuzzy=False` for substrings only."""
    hay = text.lower()
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
        found = fuzz.partial_ratio_alignment(word, hay, score_cutoff=TYPO_THRESHOLD)
        if found is not None:
            return Match(found.score / 2, tuple(range(found.dest_start, found.dest_end)))
    return None


def _subsequence(word: str, hay: str) -> tuple[int, ...] | None:
    """The most compact in-order occurrence of `word`'s characters in `hay`, if it is compact
    enough to mean something (letters scattered over a long title are no match)."""
    best: tuple[int, ...] | None = None
    start = hay.find(word[0]) if word else -1
    while start != -1:
        positions = [start]
        pos = start
        for ch in word[1:]:
            pos = hay.find(ch, pos + 1)
            if pos == -1:
                return best
            positions.append(pos)
        span = positions[-1] - positions[0] + 1
        if span <= 2 * len(word) + 2 and (best is None or span < best[-1] - best[0] + 1):
            best = tuple(positions)
        start = hay.find(word[0], start + 1)
    return best


def match_fields(
    query: str, fields: list[str | None], exact: frozenset[int] = frozenset()
) -> tuple[float, dict[int, set[int]]] | None:
    """Match every word of `query` against some field (fields whose index is in `exact` only by
    substring). Returns the mean score and, per field index, the matched positions; None when
    a word matches no field."""
    words = query.lower().split()
    if not words:
        return 0.0, {}
    total = 0.0
    highlights: dict[int, set[int]] = {}
    for word in words:
        best: tuple[Match, int] | None = None
        for index, text in enumerate(fields):
            if not text:
                continue
            found = match_word(word, text, fuzzy=index not in exact)
            if found is not None and (best is None or found.score > best[0].score):
                best = (found, index)
        if best is None:
            return None
        total += best[0].score
        highlights.setdefault(best[1], set()).update(best[0].positions)
    return total / len(words), highlights
