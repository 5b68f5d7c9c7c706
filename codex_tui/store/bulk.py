"""One write on many sessions (archive, unarchive, delete, or any per-session callable such
as an export): the prune command's and the picker's marked rows' way to act in bulk.

Every write is the ThreadStore's own single write (through Codex's app-server when the
store has one, else on the files, under Codex's locks), one session after the other, so each
session is left as before or as after, never between; the runner says for each which it
was. Before writing, the store is asked once which sessions it would leave alone
(`write_refusals`: Codex holds the writer lock, a fork's history still references it);
what the write itself refuses is reported in the store's own words too. A run that is
cancelled stops between two sessions and reports the rest as not reached; one interrupted
in the middle of a write (`settled`) looks at that session to say whether it was written.

Pure standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import StoreError
from .model import ThreadSummary

if TYPE_CHECKING:
    from .thread_store.protocol import ThreadStore

DONE, WOULD, REFUSED, NOT_REACHED = "done", "would", "refused", "not reached"
WRITES = ("archive", "unarchive", "delete")

Write = Callable[["ThreadStore", "ThreadSummary"], Any]


class BulkOutcome(NamedTuple):
    id: str
    path: str
    bytes: int | None
    action: str
    result: str  # DONE | WOULD | REFUSED | NOT_REACHED
    reason: str | None = None  # why it was refused (the store's words)
    via: str | None = None  # how the write went ("codex app-server 0.171.0", "files: ...")
    after: ThreadSummary | None = None  # the session as the write left it (None: deleted)


def _store_write(action: str) -> Write:
    if action == "archive":
        return lambda store, s: store.archive(s.id)
    if action == "unarchive":
        return lambda store, s: store.unarchive(s.id)
    if action == "delete":
        return lambda store, s: store.delete(s.id)
    raise ValueError(f"not a bulk write: {action!r}")


def applies(action: str, summary: ThreadSummary) -> bool:
    """Whether the action means anything for this session: archiving an archived one (or
    unarchiving an active one) does not; the other actions take any session."""
    if action == "archive":
        return not summary.archived
    if action == "unarchive":
        return summary.archived
    return True


def plan(store: ThreadStore, summaries: Sequence[ThreadSummary],
         action: str) -> list[BulkOutcome]:
    """What a run would do, writing nothing: WOULD or REFUSED (and why) for each."""
    refused = store.write_refusals([s.id for s in summaries], action) \
        if action in WRITES else {}
    return [_outcome(s, action, REFUSED, refused[s.id]) if s.id in refused
            else _outcome(s, action, WOULD) for s in summaries]


def run(store: ThreadStore, summaries: Sequence[ThreadSummary], action: str,
        write: Write | None = None, cancelled: Callable[[], bool] | None = None,
        ) -> Iterator[BulkOutcome]:
    """Write each session in turn and yield its outcome as soon as it is known (a screen
    shows progress from these). `write` replaces the store's write (an export); `cancelled`
    is asked between two sessions."""
    do = write if write is not None else _store_write(action)
    refused = store.write_refusals([s.id for s in summaries], action) \
        if action in WRITES else {}
    for index, summary in enumerate(summaries):
        if cancelled is not None and cancelled():
            for rest in summaries[index:]:
                yield not_reached(rest, action)
            return
        if summary.id in refused:
            yield _outcome(summary, action, REFUSED, refused[summary.id])
            continue
        try:
            after = do(store, summary)
        except (StoreError, OSError) as exc:
            yield _outcome(summary, action, REFUSED, _words(exc), _via(store, write))
            continue
        yield _outcome(summary, action, DONE, None, _via(store, write))._replace(
            after=after if isinstance(after, ThreadSummary) else None)


def settled(store: ThreadStore, summary: ThreadSummary, action: str,
            reason: str = "interrupted") -> BulkOutcome:
    """The outcome of a write that was interrupted (a second Ctrl-C): each write leaves the
    session as before or as after, so looking at it says which."""
    from .errors import ThreadNotFound

    refresh = getattr(store, "refresh", None)  # (what it knew predates the interruption)
    if callable(refresh):
        refresh()
    try:
        now = store.summary(summary.id)
    except ThreadNotFound:
        done = action == "delete"
    except StoreError:
        done = False
    else:
        done = (action == "archive" and now.archived) or \
            (action == "unarchive" and not now.archived)
    if done:
        return _outcome(summary, action, DONE, None, store.last_write_via())
    return _outcome(summary, action, NOT_REACHED, f"{reason} before it was written")


def not_reached(summary: ThreadSummary, action: str,
                reason: str = "stopped before it was reached") -> BulkOutcome:
    return _outcome(summary, action, NOT_REACHED, reason)


def _via(store: ThreadStore, write: Write | None) -> str | None:
    return store.last_write_via() if write is None else None


def _words(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror}"
    return str(exc) or type(exc).__name__


def _outcome(s: ThreadSummary, action: str, result: str, reason: str | None = None,
             via: str | None = None) -> BulkOutcome:
    return BulkOutcome(s.id, s.path, s.size, action, result, reason, via)


def outcome_json(o: BulkOutcome) -> dict[str, Any]:
    """One session of `prune --json` (scripts rely on these names: extend, don't rename)."""
    return {"id": o.id, "path": o.path, "bytes": o.bytes, "action": o.action,
            "result": o.result, "reason": o.reason, "via": o.via}


def totals(outcomes: Sequence[BulkOutcome]) -> dict[str, tuple[int, int]]:
    """(sessions, bytes) per result."""
    out: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        n, b = out.get(o.result, (0, 0))
        out[o.result] = (n + 1, b + (o.bytes or 0))
    return out
