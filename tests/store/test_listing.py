"""stream_listing: the batches a screen gets while a home is listed."""

from __future__ import annotations

from datetime import UTC, datetime

from codex_tui.store import listing
from codex_tui.store.model import ThreadSummary


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowStore:
    """A home of `n` pending threads whose heads take `each` seconds of a fake clock."""

    def __init__(self, n: int, each: float, clock: Clock) -> None:
        when = datetime(2026, 1, 1, tzinfo=UTC)
        self.stubs = [ThreadSummary(id=f"t{i}", path=f"/s/{i}.jsonl", created_at=when,
                                    updated_at=when, pending=True) for i in range(n)]
        self.each, self.clock = each, clock

    def cached(self, cwd):
        return iter(())

    def scan(self):
        return self.stubs

    def failures(self):
        return []

    def complete(self, first=None):
        for stub in self.stubs:
            self.clock.now += self.each
            yield stub._replace(pending=False)


def test_a_long_listing_sends_fewer_larger_batches(monkeypatch):
    """10,000 heads over 10 s: batches 0.1 s apart at first (rows soon), then further apart
    (each costs the screen a repaint), never more than a second; nothing is lost."""
    clock = Clock()
    monkeypatch.setattr(listing.time, "monotonic", clock)
    store = SlowStore(10_000, 0.001, clock)
    sent: list[tuple[float, int]] = []
    for batch in listing.stream_listing(store, None, interval=0.1):
        if not batch.replace:
            sent.append((clock.now, len(batch.summaries)))
    assert sum(n for _, n in sent) == 10_000 and sent[-1][1] >= 0
    times = [t for t, _ in sent[:-1]]  # (the last one: when the heads ran out)
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    assert all(abs(g - 0.1) < 1e-6 for g in gaps[:3])  # the first second: 0.1 s apart
    assert max(gaps) <= listing.SLOWEST_INTERVAL + 0.001
    assert len(sent) <= 25  # (a batch every 0.1 s: 100 repaints)
