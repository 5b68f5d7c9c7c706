"""Fuzzy matching of a typed query against short fields (titles, paths, branches, ids).

Each query word must appear in a field as a substring, or as its characters in order
(`fz` finds `fuzzy`), or, for words of five or more characters, with a typo (rapidfuzz).
Matches return the matched character positions, so screens can highlight them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        from rapidfuzz import fuzz  # imported on first use: startup does not need it

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


class SummarySearch:
    """Filters many summaries by a query fast enough for every keystroke: a substring test on
    one precomputed lower-case haystack per thread first, and the slower fuzzy paths only for
    what that leaves out. Same semantics as `match_fields`, which screens then use for the
    highlight positions of the rows they draw."""

    def __init__(self) -> None:
        self._hays: dict[str, tuple[object, str, str]] = {}

    def _hay(self, summary) -> tuple[str, str]:
        entry = self._hays.get(summary.id)
        if entry is None or entry[0] is not summary:
            fields = (summary.title, summary.name, summary.cwd, summary.git_branch)
            hay = "\n".join(f.lower() for f in fields if f)
            entry = (summary, hay, summary.id.lower())
            self._hays[summary.id] = entry
        return entry[1], entry[2]

    def filter(self, summaries: list, query: str) -> list:
        words = query.lower().split()
        if not words:
            return list(summaries)
        pairs = [(s, *self._hay(s)) for s in summaries]
        for word in words:
            pairs = self._keep(pairs, word)
            if not pairs:
                break
        return [p[0] for p in pairs]

    def _keep(self, pairs: list, word: str) -> list:
        keep = [False] * len(pairs)
        rest: list[int] = []
        for i, (_, hay, ident) in enumerate(pairs):
            if word in hay or word in ident:
                keep[i] = True
            else:
                rest.append(i)
        if rest:
            gap = len(word) + 2
            pattern = re.compile(
                "".join(re.escape(c) + f"[^\\n]{{0,{gap}}}" for c in word[:-1])
                + re.escape(word[-1]))
            still: list[int] = []
            for i in rest:
                hay = pairs[i][1]
                if pattern.search(hay) and any(
                        _subsequence(word, field) for field in hay.split("\n")):
                    keep[i] = True
                else:
                    still.append(i)
            if still and len(word) >= TYPO_MIN_LENGTH:
                from rapidfuzz import fuzz, process

                hays = [pairs[i][1] for i in still]
                for _, _, index in process.extract_iter(
                        word, hays, scorer=fuzz.partial_ratio, score_cutoff=TYPO_THRESHOLD):
                    keep[still[index]] = True
        return [p for p, k in zip(pairs, keep, strict=True) if k]
