"""`history.jsonl`: every prompt typed into the Codex TUI, and a fuzzy search over them.

One JSON object per line, `{"session_id": "<thread id>", "ts": <unix seconds>, "text": "..."}`
(older releases documented `conversation_id`). Lines that are not such objects are skipped and
counted, and so is a partial last line (a write caught mid-way). The file is only read.

The search is built for every keystroke over 100,000 prompts. Each query word is first matched
against the *vocabulary* (every distinct whitespace-separated token, folded: case and accents
ignored, store/fold.py; a few thousand to a few tens of thousands of them) rather than against
every prompt: a token matches a word when it contains it (tier 0), holds its characters in
order, compactly (tier 1, as the picker's search), or, for words of five or more characters
that found nothing else, is within a typo of it by rapidfuzz (tier 2). The prompts holding
those tokens come from posting lists, newest first, and only as many are verified as the
capped result list needs. A prompt's tier is its worst word's; results are ordered by tier,
then newest first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import chain, compress, repeat
from operator import contains

import orjson

from .fold import fold, fold_map, original_positions
from .model import Turn
from .search import TYPO_MIN_LENGTH, TYPO_THRESHOLD, _subsequence_pattern, match_folded

HISTORY_FILE = "history.jsonl"
RESULT_LIMIT = 500  # results of a non-empty query; the list says "500+" beyond
TIERS = ("substring", "in order", "typo")
WORD_CACHE = 64  # query words whose tokens and rows are kept


@dataclass(slots=True)
class HistoryEntry:
    line: int  # 1-based line in history.jsonl
    session_id: str  # a thread id, lower case
    ts: int  # unix seconds
    text: str

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)


@dataclass(slots=True)
class HistoryResult:
    entries: Sequence[HistoryEntry]  # best first
    total: int  # matches found; more may exist when `capped`
    capped: bool = False  # the result list stopped at its limit
    tiers: list[int] = field(default_factory=list)  # per entry (empty for an empty query)


class History:
    """The prompts of history.jsonl, newest first, with what could not be read."""

    def __init__(self, entries: list[HistoryEntry], *, bad_lines: int = 0,
                 partial_line: bool = False, path: str | None = None,
                 missing: bool = False, error: str | None = None) -> None:
        # Newest first: by time, then by position in the file (later lines are newer).
        self.entries = sorted(entries, key=lambda e: (e.ts, e.line), reverse=True)
        self.bad_lines = bad_lines  # skipped: not JSON, or not a prompt record
        self.partial_line = partial_line  # a last line without its newline (skipped)
        self.path = path
        self.missing = missing  # no history.jsonl at all
        self.error = error  # could not be read
        self._search: HistorySearch | None = None

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def skipped(self) -> int:
        """Lines that are not shown: bad ones and a partial last line."""
        return self.bad_lines + (1 if self.partial_line else 0)

    def session_ids(self) -> set[str]:
        return {e.session_id for e in self.entries}

    @property
    def searcher(self) -> HistorySearch:
        if self._search is None:
            self._search = HistorySearch(self.entries)
        return self._search

    def search(self, query: str, limit: int = RESULT_LIMIT,
               sessions: Collection[str] | None = None) -> HistoryResult:
        """Entries matching every word of `query` (all of them, newest first, when it is
        empty); only those of `sessions` (thread ids) unless it is None."""
        return self.searcher.search(query, limit, sessions)


def parse_history(data: bytes, path: str | None = None) -> History:
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: empty, or a line still being written
    partial = bool(tail.strip())
    entries: list[HistoryEntry] = []
    bad = 0
    loads = orjson.loads
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = loads(raw)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        entry = _entry(obj, number)
        if entry is None:
            bad += 1
        else:
            entries.append(entry)
    return History(entries, bad_lines=bad, partial_line=partial, path=path)


def _entry(obj: object, number: int) -> HistoryEntry | None:
    if not isinstance(obj, dict):
        return None
    sid = obj.get("session_id")
    if sid is None:
        sid = obj.get("conversation_id")
    ts = obj.get("ts")
    text = obj.get("text")
    if not isinstance(sid, str) or not isinstance(text, str) or isinstance(ts, bool) \
            or not isinstance(ts, int | float):
        return None
    try:
        return HistoryEntry(number, sid.strip().lower(), int(ts), text)
    except (OverflowError, ValueError):
        return None


def read_history(codex_home: str) -> History:
    """history.jsonl of `codex_home` (an empty History when there is none)."""
    path = os.path.join(codex_home, HISTORY_FILE)
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        return History([], path=path, missing=True)
    except OSError as exc:
        return History([], path=path, error=exc.strerror or str(exc))
    return parse_history(data, path)


def history_key(codex_home: str) -> tuple[int, int, int] | None:
    """(size, mtime, inode) of history.jsonl, to tell when a read History is stale."""
    try:
        st = os.stat(os.path.join(codex_home, HISTORY_FILE))
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


# ---- search ------------------------------------------------------------------------------------

class HistorySearch:
    """Fast fuzzy search over many prompts (see the module's docstring)."""

    def __init__(self, entries: Sequence[HistoryEntry]) -> None:
        self.entries = entries
        # One line, folded: what words are matched against (folded once, here).
        self.lows = [" ".join(fold(e.text).split()) for e in entries]
        postings: dict[str, list[int]] = {}
        for i, low in enumerate(self.lows):
            for token in set(low.split()):
                rows = postings.get(token)
                if rows is None:
                    postings[token] = [i]
                else:
                    rows.append(i)
        self._postings = postings  # token -> rows holding it, ascending (= newest first)
        self._vocab = list(postings)
        self._vocab_joined = "\n".join(self._vocab)
        self._tokens: dict[tuple[str, int], Sequence[str]] = {}
        self._words: dict[str, _Word] = {}
        self._by_session: dict[str, list[int]] | None = None
        self._allowed_key: frozenset[str] | None = None
        self._allowed: Sequence[int] = ()

    # -- words -> tokens -------------------------------------------------------------------------

    def word_tokens(self, word: str, tier: int) -> Sequence[str]:
        """The vocabulary tokens matching `word` at `tier`: 0 holds it, 1 holds its
        characters in order (compactly, and not at tier 0), 2 is within a typo of it (only
        for a word of five or more characters with no token at tiers 0 and 1)."""
        key = (word, tier)
        cached = self._tokens.get(key)
        if cached is not None:
            return cached
        vocab = self._vocab
        if tier == 0:
            # Tokens holding the word hold its prefixes: those of the longest prefix already
            # looked up (as typing goes, the last key's) are the only candidates. Tested by
            # C-level loops (no Python bytecode per token).
            candidates = self._prefix_tokens(word, (0,))
            if candidates is None:
                candidates = vocab
            found: Sequence[str] = list(compress(candidates, map(contains, candidates,
                                                                 repeat(word))))
        elif tier == 1:
            subsequences: list[str] = []
            if len(word) > 1:
                candidates = self._prefix_tokens(word, (0, 1))
                if candidates is not None:  # a word's compact subsequence: its prefix's too
                    search = re.compile(_subsequence_pattern(word).pattern).search
                    subsequences = [t for t in compress(candidates, map(search, candidates))
                                    if word not in t]
                else:
                    joined = self._vocab_joined
                    pattern = _subsequence_pattern(word).pattern + "[^\n]*"
                    for m in re.finditer(pattern, joined):
                        token = joined[joined.rfind("\n", 0, m.start()) + 1: m.end()]
                        if word not in token:
                            subsequences.append(token)
            found = subsequences
        else:
            found = []
            if len(word) >= TYPO_MIN_LENGTH and not self.word_tokens(word, 0) \
                    and not self.word_tokens(word, 1):
                from rapidfuzz import fuzz, process

                # Whole tokens (ratio, not partial_ratio: a short token inside a long word
                # is no typo of it), of about the word's length.
                shortest = len(word) - 2
                found = [t for t, _score, _i in process.extract_iter(
                    word, vocab, scorer=fuzz.ratio, score_cutoff=TYPO_THRESHOLD)
                    if len(t) >= shortest]
        self._tokens[key] = found = tuple(found)  # (tuples of strings: no GC traversal)
        return found

    def _prefix_tokens(self, word: str, tiers: tuple[int, ...]) -> Sequence[str] | None:
        """The tokens of the longest prefix of `word` looked up at every tier of `tiers`
        (together: no token is at two tiers), or None."""
        for end in range(len(word) - 1, 0, -1):
            found = [self._tokens.get((word[:end], t)) for t in tiers]
            if all(f is not None for f in found):
                if len(found) == 1:
                    return found[0]
                return [t for f in found for t in f]  # type: ignore[union-attr]
        return None

    # -- query -> rows -----------------------------------------------------------------------------

    def search(self, query: str, limit: int = RESULT_LIMIT,
               sessions: Collection[str] | None = None) -> HistoryResult:
        words = list(dict.fromkeys(fold(query).split()))
        entries = self.entries
        allowed = None if sessions is None else self.rows_of(sessions)
        if not words:
            if allowed is None:
                return HistoryResult(entries, len(entries))
            return HistoryResult([entries[i] for i in allowed], len(allowed))
        matchers = [self._word(w) for w in words]
        allowed_set = None if allowed is None else set(allowed)
        rows: list[int] = []
        tiers: list[int] = []
        for tier in range(3):
            # A row of this tier has every word at this tier or better, and one exactly here.
            if not all(m.count_upto(tier) for m in matchers) \
                    or not any(m.count(tier) for m in matchers):
                continue
            candidates = self._candidates(matchers, tier, allowed, limit)
            if tier == 0:
                # Every word a substring: plain `in` tests (the common case, kept tight).
                needles = [m.word for m in matchers]
                lows = self.lows
                for i in candidates:
                    if allowed_set is not None and i not in allowed_set:
                        continue
                    low = lows[i]
                    for needle in needles:
                        if needle not in low:
                            break
                    else:
                        rows.append(i)
                        tiers.append(0)
                        if len(rows) >= limit:
                            return HistoryResult([entries[r] for r in rows], len(rows), True,
                                                 tiers)
                continue
            for i in candidates:
                if allowed_set is not None and i not in allowed_set:
                    continue
                worst = 0
                for m in matchers:
                    t = m.tier_of(i, tier)
                    if t > worst:
                        worst = t
                        if t > tier:
                            break
                if worst == tier:
                    rows.append(i)
                    tiers.append(tier)
                    if len(rows) >= limit:
                        return HistoryResult([entries[r] for r in rows], len(rows), True, tiers)
        return HistoryResult([entries[r] for r in rows], len(rows), False, tiers)

    def _candidates(self, matchers: list[_Word], tier: int,
                    allowed: Sequence[int] | None, limit: int) -> Iterable[int]:
        """The smallest superset of this tier's rows at hand, newest first: one word's rows
        (at this tier or better), the rows with some word exactly at this tier, or the
        allowed sessions' rows."""
        # Walking the rows in order costs the rows walked until the page is full (about the
        # page over the share of rows every word is in), a set of a word's rows costs all of
        # them (at a fifth of a walked row's price each): the set of the 100,000 rows of
        # "sr" took 20-40 ms a key, where a walk stops after a few thousand rows.
        n = len(self.lows)
        share = 1.0
        for m in matchers:
            share *= min(1.0, m.count_upto(tier) / n) if n else 1.0
        walked = limit / share if share else float("inf")
        options: list[tuple[int, Callable[[], Iterable[int]]]] = [
            (m.count_upto(tier), partial(m.rows_upto, tier, walked < m.count_upto(tier) / 5))
            for m in matchers]
        if tier > 0:
            exact = sum(m.count(tier) for m in matchers)
            options.append((exact, lambda: self._rows_exact(matchers, tier)))
        if allowed is not None:
            options.append((len(allowed), lambda: allowed))
        return min(options, key=lambda o: o[0])[1]()

    def _rows_exact(self, matchers: list[_Word], tier: int) -> Iterable[int]:
        lists = [self._postings[t] for m in matchers for t in m.tokens(tier)]
        return sorted(set().union(*lists))

    def _word(self, word: str) -> _Word:
        found = self._words.get(word)
        if found is None:
            if len(self._words) >= WORD_CACHE:
                self._words.clear()  # what a session of typing needs, not every word ever
                self._tokens.clear()
            found = self._words[word] = _Word(self, word)
        return found

    def rows_of(self, sessions: Collection[str]) -> Sequence[int]:
        """The rows of these sessions, newest first (cached for the last set asked for)."""
        key = frozenset(sessions)
        if self._allowed_key != key:
            if self._by_session is None:
                by_session: dict[str, list[int]] = {}
                for i, e in enumerate(self.entries):
                    by_session.setdefault(e.session_id, []).append(i)
                self._by_session = by_session
            lists = [self._by_session.get(sid, []) for sid in key]
            self._allowed = tuple(sorted(i for rows in lists for i in rows))
            self._allowed_key = key
        return self._allowed


class _Word:
    """One query word: the vocabulary tokens it matches and their rows, per tier, worked
    out only when a search gets to that tier."""

    def __init__(self, search: HistorySearch, word: str) -> None:
        self.word = word
        self._search = search
        self._lows = search.lows
        self._postings = search._postings
        # A single character is in most prompts: its rows are found by walking the prompts,
        # not by listing the thousands of tokens that hold it.
        self._short = len(word) == 1
        self._counts: list[int | None] = [None, None, None]
        # Rows per tier, as dicts (int keys only: the collector untracks them, where it
        # would walk a set's every element at each full collection while the word is cached).
        self._sets: list[dict[int, None] | None] = [None, None, None]

    def tokens(self, tier: int) -> Sequence[str]:
        if self._short:
            return []
        return self._search.word_tokens(self.word, tier)

    def count(self, tier: int) -> int:
        """How many (row, token) pairs match at exactly `tier`: an upper bound of the rows."""
        found = self._counts[tier]
        if found is None:
            if self._short:
                found = len(self._lows) if tier == 0 and self.word in \
                    self._search._vocab_joined else 0
            else:
                found = sum(len(self._postings[t]) for t in self.tokens(tier))
            self._counts[tier] = found
        return found

    def count_upto(self, tier: int) -> int:
        return sum(self.count(t) for t in range(tier + 1))

    def rows_upto(self, tier: int, walk: bool = False) -> Iterable[int]:
        """Rows matching this word at `tier` or better, ascending (newest first); `walk`:
        the caller will likely stop early, so walk the rows in order."""
        n = len(self._lows)
        # Dense (or `walk`): walk every row, newest first, until the caller has enough (a
        # Python test per row walked). Else the set of its tokens' rows, whole (C-level,
        # but every row): the better when the caller may need most of them.
        if walk or self.count_upto(tier) > n // 4:
            return (i for i in range(n) if self.tier_of(i, tier) <= tier)
        lists = [self._postings[token] for t in range(tier + 1) for token in self.tokens(t)]
        return sorted(set().union(*lists))

    def tier_of(self, i: int, upto: int = 2) -> int:
        """0, 1 or 2 as row `i` matches this word; 3 when it does not, or not at `upto` or
        better (the tiers beyond are not worked out)."""
        if self.word in self._lows[i]:
            return 0
        for tier in (1, 2):
            if tier > upto:
                return 3
            if self.count(tier):
                rows = self._sets[tier]
                if rows is None:
                    rows = self._sets[tier] = dict.fromkeys(
                        chain.from_iterable(self._postings[t] for t in self.tokens(tier)))
                if i in rows:
                    return tier
        return 3


def highlight_positions(query: str, text: str) -> set[int]:
    """Where the words of `query` match `text` (one line, as shown), for highlighting: the
    word itself, its characters in order, or the token it is a typo of. (Matched in the
    fold of `text`; the positions index `text` itself.)"""
    positions: set[int] = set()
    low, origin = fold_map(text)
    for word in fold(query).split():
        found = match_folded(word, low, fuzzy=False)
        if found is None and len(word) > 1:
            hits = _subsequence_in_token(word, low)
            if hits:
                positions.update(hits)
                continue
            if len(word) >= TYPO_MIN_LENGTH:
                from rapidfuzz import fuzz

                for m in re.finditer(r"\S+", low):
                    if len(m.group()) >= len(word) - 2 and \
                            fuzz.ratio(word, m.group()) >= TYPO_THRESHOLD:
                        positions.update(range(m.start(), m.end()))
        elif found is not None:
            positions.update(found.positions)
    return original_positions(positions, origin, text) if origin is not None else positions


def _subsequence_in_token(word: str, low: str) -> tuple[int, ...] | None:
    pattern = _subsequence_pattern(word)
    for m in re.finditer(r"\S+", low):
        found = pattern.search(m.group())
        if found is not None:
            return tuple(m.start() + found.start(i + 1) for i in range(len(word)))
    return None


def locate_turn(turns: Sequence[Turn], entry: HistoryEntry,
                complete: bool = True) -> int | None:
    """The number (Turn.index) of the turn `entry`'s prompt started: the turn with the same
    text (whitespace aside) nearest in time, else the last turn started by then (a prompt
    queued while a turn ran, or edited by Codex); None when there is no turn. When `turns`
    are only the start of the thread (`complete=False`), only the same text counts."""
    if not turns:
        return None
    text = " ".join(entry.text.split())

    def distance(turn: Turn) -> float:
        if turn.started_at is None:
            return float("inf")
        return abs(turn.started_at.timestamp() - entry.ts)

    same = [t for t in turns if t.user_message is not None
            and " ".join(t.user_message.split()) == text and not t.inherited]
    if same:
        return min(same, key=distance).index
    if not complete:
        return None
    started = [t for t in turns if t.started_at is not None
               and t.started_at.timestamp() <= entry.ts + 2]
    return started[-1].index if started else None
