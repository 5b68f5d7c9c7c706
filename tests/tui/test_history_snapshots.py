"""SVG snapshots of the history search (kept in snapshots/)."""

from __future__ import annotations

from support.apps import keys, settle
from test_history_search import history_app, missing_prompt


def test_history_prompts_highlights(snap_compare, codex_home):
    """`alpha`: the two alpha prompts, a-l-p-h-a highlighted; the preview shows the prompt,
    its session and the exchange around its turn."""
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40),
                        run_before=keys(*"alpha"))


def test_history_missing_session(snap_compare, codex_home):
    """The newest prompt's session has no rollout file: marked in the list and the preview;
    `[bold]` in it is text; the header counts the one unreadable line."""
    missing_prompt(codex_home)
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40), run_before=settle)


def test_history_no_match(snap_compare, codex_home):
    """A query nothing matches: the empty state says so and how to clear it."""
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40),
                        run_before=keys(*"zebra"))


def test_history_no_history_file(snap_compare, codex_home):
    """No history.jsonl at all: the empty state explains where prompts come from."""
    (codex_home / "history.jsonl").unlink()
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40), run_before=settle)


def test_history_transcripts_highlights(snap_compare, codex_home):
    """Tab, `reply`: Codex's replies in every transcript, the word highlighted, each row naming
    its turn and session; the preview shows the whole reply."""
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("tab", *"reply"))


def test_history_transcripts_empty(snap_compare, codex_home):
    """Tab with nothing typed: what transcript search covers."""
    assert snap_compare(history_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("tab"))


def test_history_narrow_this_directory(snap_compare, codex_home):
    """80x24 and ctrl+t: no preview; only the prompts of sessions in /home/dev/src/beta."""
    assert snap_compare(history_app(codex_home), terminal_size=(80, 24),
                        run_before=keys("ctrl+t"))
