"""SVG snapshots of the session picker (kept in snapshots/)."""

from __future__ import annotations

from support.apps import keys, picker_app, settle


def test_picker_default_view(snap_compare, codex_home):
    """Sessions of this directory (/home/dev/src/beta), newest first, preview on the right."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40), run_before=settle)


def test_picker_all_directories(snap_compare, codex_home):
    """`a`: all 27 active sessions, with a directory column (`?` for 0.20-era sessions)."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("a"))


def test_picker_search_highlights(snap_compare, codex_home):
    """`/mkdn` in every directory: the six "markdown rendering" sessions, m-k-d-n
    highlighted in each title; the search box keeps the focus."""
    assert snap_compare(picker_app(codex_home, all_dirs=True), terminal_size=(150, 40),
                        run_before=keys("slash", *"mkdn"))


def test_picker_search_literal_markup(snap_compare, codex_home):
    """`/cache`: the one session whose prompt contains `[red]cache[/red]`, shown verbatim,
    with the matched word highlighted."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("slash", *"cache"))


def test_picker_archived_view(snap_compare, codex_home):
    """`r`: the archived session only; the preview says archived: yes."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("r"))


def test_picker_empty_directory(snap_compare, codex_home):
    """A directory with no sessions: the empty-state message and its hint."""
    assert snap_compare(picker_app(codex_home, cwd="/home/dev/src/nowhere"),
                        terminal_size=(150, 40), run_before=settle)


def test_picker_narrow_terminal(snap_compare, codex_home):
    """80x24: no preview, the list takes the width."""
    assert snap_compare(picker_app(codex_home), terminal_size=(80, 24), run_before=settle)


def test_picker_unarchive_confirm(snap_compare, codex_home):
    """Enter in the resume picker on an archived session: the unarchive question."""
    assert snap_compare(picker_app(codex_home, resume_mode=True, archived=True),
                        terminal_size=(150, 40),
                        run_before=keys("enter"))


def test_picker_fork_beside_its_source(snap_compare, codex_home):
    """`↓` onto the 0.169 paginated fork: titled as its source (the row below it), as Codex
    titles an unnamed fork, after a ↳; the preview says what it was forked from (the source's
    title and id) and shows the fork's own turns."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("down"))


def test_picker_search_folds_case_and_accents(snap_compare, codex_home):
    """`/cafe unicode` finds the session titled "Café ünïcödé: CAFÉ" and highlights the
    characters as written (É, ü, ï, ö, é)."""
    from support.homes import FIXED_MTIME
    from test_picker import BETA, write_session

    write_session(codex_home, "01a1fe38-0000-7000-8000-0000000000ca",
                  "Café ünïcödé: CAFÉ crème brûlée", BETA, mtime=FIXED_MTIME + 60)
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40),
                        run_before=keys("slash", *"cafe unicode"))
