"""Forks written by codex-tui, resumed by the real Codex CLI.

For sessions of several format generations (0.20 bare lines, 0.50 and 0.120 envelopes, 0.150
and 0.169 paginated, paginated forks, an archived one), fork at turn 2 through the store, run
`codex exec resume <fork-id> "<prompt>"` (the pinned @openai/codex the Makefile installs)
against a loopback stand-in for the model API, and check that the request Codex sends carries
exactly the first two user turns and the new prompt. Then read the resumed fork back through
our own store: the two inherited turns, then the new one.

`make test` installs the CLI (`make codex-cli`) and requires it; a plain `pytest` run without
it skips these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.codex_cli import make_home, run_codex, skip_unless_installed
from support.homes import FIXTURES
from support.mock_model import MockModel

from codex_tui.store import LocalThreadStore

pytestmark = skip_unless_installed()

PROMPT = "continue from the fork, please"
BARE_ID = "3b9e0c52-0d2a-4f6e-8c11-2f0a20200020"  # tests/fixtures/fork-0.20
# Merged into each home's sessions/ (with no Codex database, Codex finds forks by files).
FORK_020 = FIXTURES / "fork-0.20" / "sessions"


def turns(version: str) -> list[str]:
    return [f"[{version}] please run the tests and list files",
            f"[{version}] now give me a long explanation of the design"]


CASES = {
    "0.20-bare": (BARE_ID, ["[0.20.0] please run the tests and list files",
                            "[0.20.0] hello there, explain this repo"]),
    "0.50-envelope": ("01a1fe36-5693-7132-b012-6959cea1107a", turns("0.50.0")),
    "0.120-envelope-turn-events": ("01a1fe36-70b1-7732-b06b-76da75feba97", turns("0.120.0")),
    "0.150-paginated": ("01a1fe36-83d7-7141-9f9a-c70280a8052e", turns("0.150.0")),
    "0.169-paginated": ("01a1fe36-9923-7570-9f27-baeff79474f4", turns("0.169.0")),
    # Codex's own paginated fork: turns 1-2 are inherited from its parent's file.
    "0.169-paginated-fork": ("01a1fe36-a3e5-7b30-9c75-8b09d6038321", turns("0.169.0")),
    # An archived paginated fork (its parent is active).
    "0.150-archived-fork": ("01a1fe36-9010-7023-a856-a8c802ee8a8a", turns("0.150.0")),
}


@pytest.fixture(scope="module")
def mock() -> MockModel:
    with MockModel() as server:
        yield server


def resume(home: Path, thread_id: str, prompt: str, mock: MockModel) -> dict:
    """`codex exec resume` the thread; the request it sent to the model."""
    before = len(mock.requests)
    code, _out, err = run_codex(home, "exec", "--skip-git-repo-check", "resume", thread_id,
                                prompt)
    assert code == 0, err.decode(errors="replace")[-2000:]
    assert len(mock.requests) == before + 1, (
        f"expected one model request, got {len(mock.requests) - before}\n"
        + err.decode(errors="replace")[-2000:])
    return mock.requests[-1]


def user_turns(request: dict) -> list[str]:
    """What the user typed, in the order the request carries it (injected context such as
    `<environment_context>` or AGENTS.md instructions left out)."""
    texts = []
    for item in request["input"]:
        if item.get("type") != "message" or item.get("role") != "user":
            continue
        text = "".join(part.get("text", "") for part in item["content"])
        if text.lstrip().startswith(("<", "# AGENTS.md")):
            continue
        texts.append(text)
    return texts


@pytest.mark.parametrize("case", list(CASES))
def test_codex_resumes_a_fork_with_exactly_the_kept_turns(case, tmp_path, mock):
    source_id, kept = CASES[case]
    home = make_home(tmp_path, mock, FORK_020)
    store = LocalThreadStore(str(home), cache=False)
    fork = store.fork_thread(source_id, 2)

    request = resume(home, fork.id, PROMPT, mock)
    assert user_turns(request) == [*kept, PROMPT]

    # Codex appended the new turn to our fork; our store reads the whole of it.
    thread = LocalThreadStore(str(home), cache=False).read_thread(fork.id)
    assert [t.user_message for t in thread.turns] == [*kept, PROMPT]
    assert [t.inherited for t in thread.turns] == [True, True, False]
    assert thread.inherited_from is not None


@pytest.mark.parametrize("case", ["0.20-bare", "0.169-paginated"])
def test_codex_resumes_a_fork_of_our_fork(case, tmp_path, mock):
    """Fork at turn 3, then fork that fork at turn 2 (copy of a conversion; a reference
    whose cut lies in the inherited part)."""
    source_id, kept = CASES[case]
    home = make_home(tmp_path, mock, FORK_020)
    store = LocalThreadStore(str(home), cache=False)
    first = store.fork_thread(source_id, 3)
    second = store.fork_thread(first.id, 2)
    assert second.forked_from_id == first.id

    request = resume(home, second.id, PROMPT, mock)
    assert user_turns(request) == [*kept, PROMPT]


def test_the_unforked_0_20_session_is_one_codex_cannot_resume(tmp_path, mock):
    """Why 0.20 sessions are converted: the current Codex CLI can't resume them at all."""
    home = make_home(tmp_path, mock, FORK_020)
    before = len(mock.requests)
    code, _out, err = run_codex(home, "exec", "--skip-git-repo-check", "resume", BARE_ID,
                                PROMPT)
    assert code != 0
    assert b"is empty" in err
    assert len(mock.requests) == before
