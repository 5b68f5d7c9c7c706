"""Folding text for search, so that case and accents never stand between a query and a match
(as fzf does): `cafe` finds `Café` and `CAFÉ`, `unicode` finds `ünïcödé`, `strasse` finds
`Straße`.

The fold of a text: compatibility forms decomposed (NFKD: `ﬁ` -> `fi`, full-width `Ａ` ->
`A`, `①` -> `1`), then full case folding (`ß` -> `ss`, `İ` -> `i̇`), decomposed again, and every
combining mark dropped (the accents that NFKD split off; precisely: nonspacing marks and every
character with a combining class, so that the fold of a whole text is the fold of its
characters one by one, whatever order the marks came in).

A folded text can be longer or shorter than the original (`ß` gives two characters, `é`
typed as `e` + U+0301 gives one for two), so searches that highlight what they found fold with
`fold_map`, which also says which original character each folded one came from: positions
found in the fold are brought back with `original_positions`, and land on the characters as
shown. Searches fold their haystacks once (when they index them), and the query once per
keystroke; ASCII text, the common case, folds with a plain `lower()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_marks: tuple[re.Pattern[str], re.Pattern[str], dict[int, None]] | None = None


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn" or unicodedata.combining(ch) != 0


def _marks_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, None]]:
    """Every character `_is_mark` is true of: those of the Basic Multilingual Plane as a
    character class (which `re` tests in one step), the others as a `str.translate` table
    (used only on text that has characters beyond that plane, which the second pattern
    finds: a class of those marks is slow). Built on first use (not at start-up), ~10 ms:
    marks live in planes 0, 1 and 14 only."""
    global _marks
    if _marks is None:
        points = [c for r in (range(0x20000), range(0xE0000, 0xE1000)) for c in r
                  if _is_mark(chr(c))]
        _marks = (_char_class([c for c in points if c < 0x10000]),
                  re.compile("[\U00010000-\U0010ffff]"),
                  dict.fromkeys(c for c in points if c >= 0x10000))
    return _marks


def _char_class(points: list[int]) -> re.Pattern[str]:
    ranges: list[str] = []
    start = prev = points[0]
    for c in [*points[1:], -1]:
        if c != prev + 1:
            ranges.append(re.escape(chr(start)) if start == prev
                          else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
            start = c
        prev = c
    return re.compile(f"[{''.join(ranges)}]+")


class _CharFolds(dict):
    """The fold of each character seen, worked out on first sight."""

    def __missing__(self, ch: str) -> str:
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
        folded = self[ch] = "".join(c for c in decomposed if not _is_mark(c))
        return folded


_CHARS = _CharFolds()


def fold(text: str) -> str:
    """`text` folded for matching (see the module's docstring)."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    plane0, astral, others = _marks_patterns()
    folded = plane0.sub("", folded)
    return folded.translate(others) if astral.search(folded) else folded


_MAPS: dict[str, tuple[str, list[int]]] = {}
MAP_CACHE = 4096  # texts: the rows on screen come back keystroke after keystroke


def fold_map(text: str) -> tuple[str, list[int] | None]:
    """`fold(text)` and, for each of its characters, the index in `text` of the character it
    came from; None when that is the identity (ASCII text). (Do not change the list.)"""
    if text.isascii():
        return text.lower(), None
    found = _MAPS.get(text)
    if found is None:
        chars = _CHARS
        pieces = [chars[ch] for ch in text]
        origin = [i for i, piece in enumerate(pieces) for _ in piece]
        if len(_MAPS) >= MAP_CACHE:
            _MAPS.clear()
        found = _MAPS[text] = ("".join(pieces), origin)
    return found


def original_positions(positions: Iterable[int], origin: list[int] | None,
                       text: str) -> set[int]:
    """Positions in `fold_map(text)`'s fold, as indexes into `text`. A character found keeps
    the marks that follow it (they fold to nothing), so that `é` typed as `e` + U+0301 is
    highlighted whole."""
    if origin is None:
        return {p for p in positions if p < len(text)}
    found = {origin[p] for p in positions if p < len(origin)}
    kept = set(origin)
    if len(kept) == len(text):  # no character folded to nothing
        return found
    for i in list(found):
        i += 1
        while i < len(text) and i not in kept:
            found.add(i)
            i += 1
    return found


class Needle:
    """A literal query found in texts with case and accents folded (the transcript's find):
    `spans` index the text as written, a match covering the marks after its last character."""

    __slots__ = ("folded",)

    def __init__(self, query: str) -> None:
        self.folded = fold(query)

    def __bool__(self) -> bool:
        return bool(self.folded)

    def count(self, text: str) -> int:
        """Matches in `text`, not overlapping."""
        return fold(text).count(self.folded) if self.folded else 0

    def search(self, text: str) -> bool:
        return bool(self.folded) and self.folded in fold(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each match in `text`, not overlapping, in order."""
        needle = self.folded
        if not needle:
            return []
        low, origin = fold_map(text)
        found: list[tuple[int, int]] = []
        at = low.find(needle)
        while at != -1:
            end = at + len(needle)
            if origin is None:
                found.append((at, end))
            else:
                # Up to the next folded character's own: the marks between fold to nothing.
                stop = max(origin[end - 1] + 1, origin[end]) if end < len(origin) else len(text)
                found.append((origin[at], stop))
            at = low.find(needle, end)
        return found
