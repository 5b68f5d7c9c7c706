"""Every rollout in tests/fixtures/codex-home, per format generation.

The fixture home was written by real Codex CLI releases 0.20, 0.50, 0.80, 0.120, 0.150 and
0.169 (see /work/shared/spec/codex-storage.md). Each release ran the same four `codex exec`
scenarios ("hello", "tests", "fail", "long"); 0.150 and 0.169 also made a paginated fork, and
the 0.169 TUI wrote two interactive threads (one named in session_index.jsonl).

Expected values are written out here or read from the fixture files with plain `json`
(never from the code under test): prompts, ids, cwd and versions are literal; the creation
time is `session_meta.timestamp`; the token totals are the newest `total_token_usage` in each
file (the same numbers Codex stored as `threads.tokens_used` in the fixture's state_5.sqlite);
assistant and reasoning texts are the model-visible `response_item`s, which every generation
writes exactly once (newer ones add an `event_msg` / `item_completed` twin that must not show
a second time).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.homes import FIXED_MTIME, FIXTURE_HOME

from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.model import AgentMessage, Reasoning, ToolCall, UserMessage

SESSIONS = FIXTURE_HOME / "sessions" / "2026" / "11" / "21"
ARCHIVED = FIXTURE_HOME / "archived_sessions"

LS_COMMAND = "ls -la && echo hello from the tool && cat main.py"
LS_OUTPUT = (
    "total 16\n"
    "drwxr-xr-x 3 root root 4096 Nov 21 13:04 .\n"
    "drwxr-xr-x 5 root root 4096 Nov 21 13:04 ..\n"
    "drwxr-xr-x 7 root root 4096 Nov 21 13:04 .git\n"
    "-rw-r--r-- 1 root root   11 Nov 21 13:04 main.py\n"
    "hello from the tool\n"
    "print('x')\n"
)
PLANNING = "**Planning** I will list the files first."
REFUSED = "mock provider refused"


# ---- what each generation wrote ----------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    version: str
    format: str  # ThreadSummary.format
    history_mode: str
    fail_status: str  # the "fail" scenario: how its only turn ends
    cli_version: str | None
    source: str | None


GENERATIONS = {
    # 0.20: bare lines, no cwd / cli_version / source in the first line, no turn events.
    "0.20": Generation("0.20.0", "bare", "legacy", "incomplete", None, None),
    # 0.50, 0.80: envelopes; legacy events but no task_started/task_complete.
    "0.50": Generation("0.50.0", "envelope", "legacy", "incomplete", "0.50.0", "exec"),
    "0.80": Generation("0.80.0", "envelope", "legacy", "incomplete", "0.80.0", "exec"),
    # 0.120: task_started/task_complete; the failed request ends in a plain task_complete.
    "0.120": Generation("0.120.0", "envelope", "legacy", "completed", "0.120.0", "exec"),
    # 0.150, 0.169: paginated (ordinals, item_completed); task_complete carries the error.
    "0.150": Generation("0.150.0", "paginated", "paginated", "failed", "0.150.0", "exec"),
    "0.169": Generation("0.169.0", "paginated", "paginated", "failed", "0.169.0", "exec"),
}

PROMPTS = {
    "hello": ["hello there, explain this repo"],
    "tests": [
        "please run the tests and list files",
        "now give me a long explanation of the design",
        "run the linter too",
        "thanks, summarize",
    ],
    "fail": ["this one will fail please"],
    "long": ["long answer about markdown rendering"],
}
TOOL_TURNS = {"tests": {0, 2}}  # 0-based turns that ran LS_COMMAND


@dataclass(frozen=True)
class Case:
    gen: str
    scenario: str  # a key of PROMPTS, or "fork"
    thread_id: str
    cwd: str | None
    tokens: int | None
    file: Path
    forked_from: str | None = None
    archived: bool = False

    def __str__(self) -> str:  # readable test ids
        return f"{self.gen}-{self.scenario}-{self.thread_id[:13]}"


def _case(gen: str, scenario: str, thread_id: str, cwd: str | None, tokens: int | None,
          forked_from: str | None = None, archived: bool = False) -> Case:
    folder = ARCHIVED if archived else SESSIONS
    (file,) = folder.glob(f"rollout-*-{thread_id}.jsonl")
    return Case(gen, scenario, thread_id, cwd, tokens, file, forked_from, archived)


ALPHA, BETA, GAMMA = "/home/dev/src/alpha", "/home/dev/src/beta", "/home/dev/src/gamma/sub"

EXEC_CASES = [
    _case("0.20", "hello", "5d7ed0a2-8eb1-4f3e-a776-cbf2a19e0053", None, None),
    _case("0.20", "tests", "2a0e6f2d-2c6d-4a89-b155-6f0fb18c5151", None, None),
    _case("0.20", "fail", "e0f531b4-b3e5-46b2-bb08-4abc63049363", None, None),
    _case("0.20", "long", "5031ac39-3cc4-40bf-9dd5-27fd05497345", None, None),
    _case("0.50", "hello", "01a1fe36-5584-7391-9030-75b16ca14546", ALPHA, 2589),
    _case("0.50", "tests", "01a1fe36-5693-7132-b012-6959cea1107a", BETA, 2655),
    _case("0.50", "fail", "01a1fe36-5c14-7023-9d05-e813e29334ee", GAMMA, None),
    _case("0.50", "long", "01a1fe36-5cd6-7301-a9d0-dd8d28780a09", GAMMA, 2677),
    _case("0.80", "hello", "01a1fe36-6287-7a83-88cf-edefcb8713ba", ALPHA, 2688),
    _case("0.80", "tests", "01a1fe36-6356-7371-a92c-e9bf1fee400b", BETA, 16359),
    _case("0.80", "fail", "01a1fe36-689d-7740-a3d4-5a7f0e36964c", GAMMA, None),
    _case("0.80", "long", "01a1fe36-696c-7d90-a860-b0287e73b510", GAMMA, 2776),
    _case("0.120", "hello", "01a1fe36-6f1e-7060-86e4-b9a1aed8d3ff", ALPHA, 2787),
    _case("0.120", "tests", "01a1fe36-70b1-7732-b06b-76da75feba97", BETA, 16953),
    _case("0.120", "fail", "01a1fe36-78ae-7c00-a680-74ee14111b80", GAMMA, None),
    _case("0.120", "long", "01a1fe36-7a44-72a1-a3fd-2a51f9bb65d5", GAMMA, 2875),
    _case("0.150", "hello", "01a1fe36-81d7-78d1-a556-b3a203fc6e92", ALPHA, 2886),
    _case("0.150", "tests", "01a1fe36-83d7-7141-9f9a-c70280a8052e", BETA, 17547),
    _case("0.150", "fail", "01a1fe36-8c8f-7b03-b4ea-7541f8bf8311", GAMMA, None),
    _case("0.150", "long", "01a1fe36-8e23-7b32-af97-3f0a4ae01141", GAMMA, 2974),
    _case("0.169", "hello", "01a1fe36-976d-7502-9877-b87642d8c5e2", ALPHA, 2996),
    _case("0.169", "tests", "01a1fe36-9923-7570-9f27-baeff79474f4", BETA, 18207),
    _case("0.169", "fail", "01a1fe36-a066-71e0-bf1c-8bc78bba9b27", GAMMA, None),
    _case("0.169", "long", "01a1fe36-a1d8-73f3-9189-a8903a6b0bd2", GAMMA, 3084),
]
# Paginated forks (no history copied; session_meta.history_base points at the parent).
ARCHIVED_FORK = _case("0.150", "fork", "01a1fe36-9010-7023-a856-a8c802ee8a8a", BETA, 20532,
                      forked_from="01a1fe36-83d7-7141-9f9a-c70280a8052e", archived=True)
PAGINATED_FORK = _case("0.169", "fork", "01a1fe36-a3e5-7b30-9c75-8b09d6038321", BETA, 21302,
                       forked_from="01a1fe36-9923-7570-9f27-baeff79474f4")
FORK_CASES = [ARCHIVED_FORK, PAGINATED_FORK]
CASES = EXEC_CASES + FORK_CASES
BY_ID = {c.thread_id: c for c in CASES}

NAMED_ID = "01a1fe37-05e8-79e2-b09f-d8e316352b56"
MARKUP_ID = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"
MARKUP_PROMPT = "beta interactive: why is the [red]cache[/red] cold?"


# ---- reading the fixture files directly --------------------------------------------------


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def session_meta(path: Path) -> dict:
    first = jsonl(path)[0]
    return first.get("payload", first)  # 0.20: the bare first line is the meta


def response_items(path: Path, below_ordinal: int | None = None) -> Iterator[dict]:
    for obj in jsonl(path):
        if "payload" not in obj:  # 0.20 bare line: the response item itself
            if "type" in obj:
                yield obj
            continue
        if below_ordinal is not None and obj.get("ordinal", 0) >= below_ordinal:
            continue
        if obj["type"] == "response_item":
            yield obj["payload"]


def text_of(item: dict) -> str:
    return "\n".join(part["text"] for part in item.get("content") or [] if "text" in part)


@dataclass
class ExpectedTurn:
    user: str
    agents: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)


def split_by_prompts(items: Iterator[dict], prompts: list[str]) -> list[ExpectedTurn]:
    """Turns as the model saw them: one per prompt, with the assistant messages and
    reasoning summaries that followed it."""
    turns: list[ExpectedTurn] = []
    for item in items:
        kind, role = item.get("type"), item.get("role")
        if kind == "message" and role == "user" and text_of(item) in prompts:
            turns.append(ExpectedTurn(text_of(item)))
        elif kind == "message" and role == "assistant":
            turns[-1].agents.append(text_of(item))
        elif kind == "reasoning":
            turns[-1].reasoning.append("\n\n".join(s["text"] for s in item["summary"]))
    return turns


def prompts_of(case: Case) -> list[str]:
    if case.scenario == "fork":
        own = f"[{case.gen}.0] forked: try another approach"
        return [*prompts_of(BY_ID[case.forked_from]), own]
    prompts = PROMPTS[case.scenario][:1] if case.gen == "0.20" else PROMPTS[case.scenario]
    return [f"[{case.gen}.0] {p}" for p in prompts]


def expected_turns(case: Case) -> list[ExpectedTurn]:
    prompts = prompts_of(case)
    if case.scenario != "fork":
        return split_by_prompts(response_items(case.file), prompts)
    cut = session_meta(case.file)["history_base"]["end_ordinal_exclusive"]
    parent = BY_ID[case.forked_from].file
    items = [*response_items(parent, below_ordinal=cut), *response_items(case.file)]
    return split_by_prompts(iter(items), prompts)


def tool_turns(case: Case) -> set[int]:
    if case.scenario == "fork":
        return tool_turns(BY_ID[case.forked_from])
    if case.gen == "0.20":
        return {0} & TOOL_TURNS.get(case.scenario, set())
    return TOOL_TURNS.get(case.scenario, set())


def of(kind: type, items: list) -> list:
    return [it for it in items if isinstance(it, kind)]


# ---- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def store(codex_home: Path) -> LocalThreadStore:
    return LocalThreadStore(str(codex_home))


def listed(store: LocalThreadStore, thread_id: str):
    archived = BY_ID[thread_id].archived if thread_id in BY_ID else False
    rows = [s for s in store.list_threads(ThreadQuery(archived=archived)) if s.id == thread_id]
    assert len(rows) == 1, f"{thread_id} listed {len(rows)} times"
    return rows[0]


# ---- sanity: the fixture is what this file assumes -----------------------------------------


def test_fixture_home_holds_the_expected_rollouts() -> None:
    on_disk = {p.name.removesuffix(".jsonl")[-36:] for p in SESSIONS.glob("rollout-*.jsonl")}
    assert on_disk == {c.thread_id for c in CASES if not c.archived} | {NAMED_ID, MARKUP_ID}
    assert [p.name[-42:-6] for p in ARCHIVED.glob("*.jsonl")] == [ARCHIVED_FORK.thread_id]
    for case in CASES:
        meta = session_meta(case.file)
        assert meta["id"] == case.thread_id
        assert meta.get("cli_version") == GENERATIONS[case.gen].cli_version


# ---- listing -----------------------------------------------------------------------------


def test_every_active_rollout_is_listed_once(store: LocalThreadStore) -> None:
    ids = [s.id for s in store.list_threads(ThreadQuery())]
    assert sorted(ids) == sorted(
        [c.thread_id for c in CASES if not c.archived] + [NAMED_ID, MARKUP_ID])


def test_only_the_archived_fork_is_listed_as_archived(store: LocalThreadStore) -> None:
    rows = store.list_threads(ThreadQuery(archived=True))
    assert [s.id for s in rows] == [ARCHIVED_FORK.thread_id]
    assert rows[0].archived is True
    assert Path(rows[0].path).parent.name == "archived_sessions"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_listing_fields(store: LocalThreadStore, case: Case) -> None:
    gen = GENERATIONS[case.gen]
    meta = session_meta(case.file)
    summary = listed(store, case.thread_id)

    # The first prompt of the thread's history: for a paginated fork, the one it carries from
    # its source (what Codex's index keeps as its preview), not its own.
    first_prompt = prompts_of(case)[0]
    assert summary.title == first_prompt
    assert summary.preview == first_prompt
    assert summary.name is None
    assert summary.cwd == case.cwd
    assert summary.created_at == datetime.fromisoformat(meta["timestamp"])
    assert summary.updated_at == datetime.fromtimestamp(FIXED_MTIME, UTC)
    assert summary.cli_version == gen.cli_version
    assert summary.source == gen.source
    assert summary.format == gen.format
    assert summary.history_mode == gen.history_mode
    assert summary.tokens == case.tokens
    assert summary.archived is case.archived
    assert summary.forked_from_id == case.forked_from
    assert Path(summary.path).name == case.file.name


# ---- reading: turns ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=str)
def test_turn_prompts(store: LocalThreadStore, case: Case) -> None:
    thread = store.read_thread(case.thread_id)
    assert [t.user_message for t in thread.turns] == prompts_of(case)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_item_shows_once(store: LocalThreadStore, case: Case) -> None:
    """User prompt, agent messages and reasoning appear once per turn, although 0.50+ also
    wrote an event_msg twin and 0.150+ an item_completed twin of each."""
    turns = store.read_thread(case.thread_id).turns
    expected = expected_turns(case)
    assert len(turns) == len(expected)
    for turn, exp in zip(turns, expected, strict=True):
        assert [u.text for u in of(UserMessage, turn.items)] == [exp.user]
        assert [a.text for a in of(AgentMessage, turn.items)] == exp.agents
        assert [r.text for r in of(Reasoning, turn.items)] == exp.reasoning


@pytest.mark.parametrize("case", CASES, ids=str)
def test_tool_calls(store: LocalThreadStore, case: Case) -> None:
    turns = store.read_thread(case.thread_id).turns
    with_tools = tool_turns(case)
    for index, turn in enumerate(turns):
        calls = [(c.command, c.output, c.exit_code) for c in of(ToolCall, turn.items)]
        if index in with_tools:
            assert calls == [(LS_COMMAND, LS_OUTPUT, 0)], f"turn {index + 1}"
            assert of(Reasoning, turn.items)[0].text == PLANNING
        else:
            assert calls == [], f"turn {index + 1}"


@pytest.mark.parametrize("case", [c for c in EXEC_CASES if c.scenario != "fail"], ids=str)
def test_answered_turns_are_completed(store: LocalThreadStore, case: Case) -> None:
    turns = store.read_thread(case.thread_id).turns
    assert [t.status for t in turns] == ["completed"] * len(prompts_of(case))
    assert [t.error for t in turns] == [None] * len(turns)


@pytest.mark.parametrize("case", [c for c in EXEC_CASES if c.scenario == "fail"], ids=str)
def test_failed_request(store: LocalThreadStore, case: Case) -> None:
    (turn,) = store.read_thread(case.thread_id).turns
    gen = GENERATIONS[case.gen]
    assert turn.user_message == prompts_of(case)[0]
    assert of(AgentMessage, turn.items) == []
    assert turn.status == gen.fail_status
    if gen.fail_status == "failed":
        # task_complete.error.message is the provider's JSON error; its inner message shows.
        assert turn.error == REFUSED
    else:
        assert turn.error is None


def test_failed_turn_error_is_in_the_fixture() -> None:
    """The 0.150 / 0.169 failures record the provider error on task_complete."""
    for case in EXEC_CASES:
        if case.scenario != "fail" or GENERATIONS[case.gen].fail_status != "failed":
            continue
        (done,) = [o["payload"] for o in jsonl(case.file)
                   if o["type"] == "event_msg" and o["payload"]["type"] == "task_complete"]
        assert json.loads(done["error"]["message"])["error"]["message"] == REFUSED


# ---- 0.20 bare sessions ------------------------------------------------------------------------


BARE_CASES = [c for c in EXEC_CASES if c.gen == "0.20"]


@pytest.mark.parametrize("case", BARE_CASES, ids=str)
def test_bare_session_meta_is_the_first_line(case: Case) -> None:
    meta = session_meta(case.file)
    assert set(meta) == {"id", "timestamp", "instructions", "git"}  # no cwd, no cli_version


@pytest.mark.parametrize("case", BARE_CASES, ids=str)
def test_bare_session_title_is_the_first_user_response_item(
        store: LocalThreadStore, case: Case) -> None:
    first_user = next(i for i in response_items(case.file) if i.get("role") == "user")
    summary = listed(store, case.thread_id)
    assert summary.title == text_of(first_user)
    assert summary.cwd is None and summary.cli_version is None


def test_bare_tool_call_output_is_unwrapped(store: LocalThreadStore) -> None:
    """0.20 shell output is a JSON string {"output", "metadata": {"exit_code"}}."""
    case = BY_ID["2a0e6f2d-2c6d-4a89-b155-6f0fb18c5151"]
    (call,) = of(ToolCall, store.read_thread(case.thread_id).turns[0].items)
    assert call.call_id == "call_115"
    assert (call.command, call.output, call.exit_code) == (LS_COMMAND, LS_OUTPUT, 0)


# ---- forks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FORK_CASES, ids=str)
def test_fork_history_base_names_the_parent(case: Case) -> None:
    meta = session_meta(case.file)
    base = meta["history_base"]
    parent = BY_ID[case.forked_from].file
    assert base["thread_id"] == case.forked_from == meta["forked_from_id"]
    # The cut is the whole parent: every parent line, and exactly its bytes.
    assert base["end_ordinal_exclusive"] == len(jsonl(parent))
    assert base["end_byte_offset"] == parent.stat().st_size
    assert parent.parent == SESSIONS


@pytest.mark.parametrize("case", FORK_CASES, ids=str)
def test_fork_reads_parent_turns_as_inherited(store: LocalThreadStore, case: Case) -> None:
    thread = store.read_thread(case.thread_id)
    parent_prompts = prompts_of(BY_ID[case.forked_from])
    assert len(parent_prompts) == 4
    assert len(thread.turns) == 5
    assert [t.user_message for t in thread.turns] == prompts_of(case)
    assert [t.inherited for t in thread.turns] == [True, True, True, True, False]
    assert [t.status for t in thread.turns] == ["completed"] * 5
    assert thread.inherited_from == case.forked_from
    assert thread.summary.forked_from_id == case.forked_from


def test_paginated_fork_own_turn(store: LocalThreadStore) -> None:
    last = store.read_thread(PAGINATED_FORK.thread_id).turns[-1]
    assert last.user_message == "[0.169.0] forked: try another approach"
    assert [a.text for a in of(AgentMessage, last.items)] == [
        "Here is a reply to: [0.169.0] forked: try another approach"
        "\n\n```python\nprint('hi')\n```\n"
    ]
    assert last.turn_id == "01a1fe36-a40e-7a40-96a6-c44a110e0d06"


def test_archived_fork_parent_stays_active(store: LocalThreadStore) -> None:
    active = {s.id for s in store.list_threads(ThreadQuery())}
    assert ARCHIVED_FORK.forked_from in active
    assert ARCHIVED_FORK.thread_id not in active
    assert listed(store, ARCHIVED_FORK.thread_id).archived is True


def test_fork_parent_reads_unchanged(store: LocalThreadStore) -> None:
    for parent_id in (ARCHIVED_FORK.forked_from, PAGINATED_FORK.forked_from):
        turns = store.read_thread(parent_id).turns
        assert len(turns) == 4
        assert not any(t.inherited for t in turns)


# ---- the 0.169 TUI threads ---------------------------------------------------------------------


def test_named_thread_listing(store: LocalThreadStore) -> None:
    index = jsonl(FIXTURE_HOME / "session_index.jsonl")
    assert index == [{"id": NAMED_ID, "thread_name": "picker-demo-thread",
                      "updated_at": "2026-11-21T13:06:46.167056202Z"}]
    summary = listed(store, NAMED_ID)
    assert summary.name == "picker-demo-thread"
    assert summary.title == "picker-demo-thread"
    assert summary.preview == "interactive question about the picker in alpha"
    assert summary.cwd == ALPHA
    assert summary.source == "vscode"
    assert summary.originator == "codex-tui"
    assert summary.cli_version == "0.169.0"
    assert summary.format == "paginated" and summary.history_mode == "paginated"
    assert summary.created_at == datetime.fromisoformat("2026-11-21T13:06:21.297Z")
    assert summary.tokens == 14327


def test_named_thread_resolves_by_name(store: LocalThreadStore) -> None:
    assert store.resolve("picker-demo-thread").id == NAMED_ID
    assert store.resolve(NAMED_ID).id == NAMED_ID


def test_named_thread_turns(store: LocalThreadStore) -> None:
    turns = store.read_thread(NAMED_ID).turns
    assert [t.user_message for t in turns] == [
        "interactive question about the picker in alpha",
        "please run the build in alpha",
        "give me a long walkthrough",
    ]
    assert [t.status for t in turns] == ["completed"] * 3
    assert [len(of(AgentMessage, t.items)) for t in turns] == [1, 1, 1]
    assert [len(of(UserMessage, t.items)) for t in turns] == [1, 1, 1]
    assert of(AgentMessage, turns[1].items)[0].text == "Done. The command finished (reply 211)."
    (call,) = of(ToolCall, turns[1].items)
    (item,) = [o["payload"]["item"] for o in jsonl(next(SESSIONS.glob(f"*{NAMED_ID}.jsonl")))
               if o["payload"].get("type") == "item_completed"
               and o["payload"]["item"]["type"] == "CommandExecution"]
    assert call.command == LS_COMMAND
    assert call.output == item["aggregated_output"]
    assert call.exit_code == 0
    assert [r.text for r in of(Reasoning, turns[1].items)] == [PLANNING]


def test_markup_in_prompt_is_kept_literally(store: LocalThreadStore) -> None:
    summary = listed(store, MARKUP_ID)
    assert summary.title == MARKUP_PROMPT
    assert summary.name is None
    assert summary.cwd == BETA
    assert summary.tokens == 3656
    (turn,) = store.read_thread(MARKUP_ID).turns
    assert turn.user_message == MARKUP_PROMPT
    assert [a.text for a in of(AgentMessage, turn.items)] == [
        f"Here is a reply to: {MARKUP_PROMPT}\n\n```python\nprint('hi')\n```\n"
    ]
    assert turn.status == "completed"
