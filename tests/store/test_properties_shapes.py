"""Property tests for the parsers of record shapes: proposed-plan blocks, apply_patch through
the shell, and the pairing of web search records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support.records import ev, records, ri, user

from codex_tui.store.model import WebSearch
from codex_tui.store.patches import patch_of_command
from codex_tui.store.plans import CLOSE_TAG, OPEN_TAG, split_proposed_plans
from codex_tui.store.transcript import build_turns

# Lines of text that hold no tag line and open no code fence.
_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r`~\x0b"
                              "\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=30) \
    .filter(lambda s: s.strip() not in (OPEN_TAG, CLOSE_TAG))
_TEXT = st.lists(_LINE, max_size=6).map(lambda lines: "".join(x + "\n" for x in lines))


@settings(max_examples=300, deadline=None)
@given(before=_TEXT, plan=_TEXT, after=_TEXT)
def test_a_plan_block_splits_out_whole(before, plan, after):
    pieces = split_proposed_plans(f"{before}{OPEN_TAG}\n{plan}{CLOSE_TAG}\n{after}")
    expected = [(False, before), (True, plan), (False, after)]
    assert pieces == [(p, t) for p, t in expected if p or t.strip()]


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.one_of(st.sampled_from([OPEN_TAG, CLOSE_TAG, f"  {OPEN_TAG} "]), _LINE),
                      max_size=12))
def test_tags_open_and_close_plans_and_every_other_line_is_kept(lines):
    text = "".join(x + "\n" for x in lines)
    pieces = split_proposed_plans(text)
    if not any(x.strip() == OPEN_TAG for x in lines):
        assert pieces is None
        return
    assert pieces is not None
    for is_plan, piece in pieces:
        tag = CLOSE_TAG if is_plan else OPEN_TAG  # what would have ended the piece
        assert all(x.strip() != tag for x in piece.splitlines())

    def content(rows):
        return [x for x in rows if x.strip() and x.strip() not in (OPEN_TAG, CLOSE_TAG)]

    assert content("".join(p for _, p in pieces).splitlines()) == content(lines)


_DELIM = st.sampled_from(["EOF", "PATCH", "END_OF_PATCH"])


@settings(max_examples=300, deadline=None)
@given(body=_TEXT, delim=_DELIM, quote=st.sampled_from(["", "'", '"']),
       shell=st.sampled_from(["bash", "/bin/bash", "zsh", "sh"]),
       flag=st.sampled_from(["-lc", "-c"]), cd=st.booleans())
def test_heredoc_patches_round_trip(body, delim, quote, shell, flag, cd):
    if any(line.strip() == delim for line in body.splitlines()):
        return
    prefix = "cd /home/dev/proj && " if cd else ""
    script = f"{prefix}apply_patch <<{quote}{delim}{quote}\n{body}{delim}\n"
    assert patch_of_command([shell, flag, script]) == body
    assert patch_of_command(["apply_patch", body]) == body


@settings(max_examples=300, deadline=None)
@given(command=st.one_of(st.none(), st.integers(), st.text(max_size=80),
                         st.lists(st.one_of(st.text(max_size=40), st.integers()), max_size=4)))
def test_any_command_is_a_patch_or_not_without_raising(command):
    result = patch_of_command(command)
    assert result is None or isinstance(result, str)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 5))
def test_each_search_is_one_item_whatever_the_order(data, n):
    """Searches of distinct queries, each written as a call (with or without its id) and an
    event, all records in any order."""
    lines = []
    for k in range(n):
        query = f"query {k}"
        action = {"type": "search", "query": query}
        call = {"type": "web_search_call", "status": "completed", "action": action}
        if data.draw(st.booleans(), label=f"call {k} has its id"):
            call["id"] = f"ws_{k}"
        end = {"type": "web_search_end", "call_id": f"ws_{k}", "query": query}
        pair = [ri(call), ev(end)]
        lines += pair if data.draw(st.booleans(), label=f"call {k} first") else pair[::-1]
    lines = data.draw(st.permutations(lines), label="order")
    items = build_turns(records(user("q"), *lines)).turns[0].items[1:]
    assert all(isinstance(i, WebSearch) for i in items)
    assert sorted((i.call_id, i.query) for i in items) == \
        [(f"ws_{k}", f"query {k}") for k in range(n)]
