"""Plans: a proposed plan shown once, as rendered Markdown, never its raw tags; update_plan
calls as checklists (tests/fixtures/shapes/...0002 and hand-built records), in the JSON, the
Markdown, the HTML and the search index."""

from __future__ import annotations

import json

from support.cli import run, run_json
from support.html import page_of
from support.records import ev, records, ri, user

from codex_tui.store import LocalThreadStore
from codex_tui.store.model import AgentMessage, Plan, ToolCall
from codex_tui.store.plans import split_proposed_plans
from codex_tui.store.text_index import thread_rows
from codex_tui.store.transcript import build_turns

PLANS = "01990100-0000-7000-8000-000000000002"
PLAN = "# Ship it\n\n1. Build.\n2. Release.\n"


def assistant(text: str) -> dict:
    return ri({"type": "message", "role": "assistant",
               "content": [{"type": "output_text", "text": text}]})


def plan_item(text: str) -> dict:
    return ev({"type": "item_completed", "item": {"type": "Plan", "id": "t-plan",
                                                  "text": text}})


def items(*lines: dict) -> list:
    return build_turns(records(user("plan it"), *lines)).turns[0].items[1:]


def test_the_plan_item_and_the_tagged_message_are_one_plan():
    [plan] = items(assistant(f"<proposed_plan>\n{PLAN}</proposed_plan>"), plan_item(PLAN))
    assert isinstance(plan, Plan) and plan.text == PLAN


def test_text_around_the_block_stays_the_assistant_message():
    shown = items(plan_item(PLAN),
                  assistant(f"Here it is.\n\n<proposed_plan>\n{PLAN}</proposed_plan>\n\nOK?"))
    assert [type(i) for i in shown] == [Plan, AgentMessage]
    assert shown[1].text == "Here it is.\n\nOK?"


def test_a_block_without_its_plan_item_becomes_the_plan_in_place():
    shown = items(assistant(f"Before.\n<proposed_plan>\n{PLAN}</proposed_plan>\nAfter."))
    assert [(type(i).__name__, i.text) for i in shown] == [
        ("AgentMessage", "Before."), ("Plan", PLAN.rstrip("\n")), ("AgentMessage", "After.")]


def test_the_event_without_the_block_and_the_plan_item_show_once():
    """What newer releases write: the agent_message event keeps only the text."""
    shown = items(assistant(f"Intro.\n<proposed_plan>\n{PLAN}</proposed_plan>"),
                  plan_item(PLAN), ev({"type": "agent_message", "message": "Intro."}))
    assert [(type(i).__name__, i.text) for i in shown] == [("Plan", PLAN),
                                                           ("AgentMessage", "Intro.")]


def test_tags_inside_code_or_inside_a_line_are_text():
    quoted = "Codex writes:\n```\n<proposed_plan>\nx\n</proposed_plan>\n```\n"
    inline = "The `<proposed_plan>` tag wraps plans."
    assert split_proposed_plans(quoted) is None
    assert split_proposed_plans(inline) is None
    [message] = items(assistant(quoted))
    assert isinstance(message, AgentMessage) and message.text == quoted


def test_an_unclosed_block_runs_to_the_end():
    assert split_proposed_plans("a\n<proposed_plan>\n# P\n") == [(False, "a\n"), (True, "# P\n")]


def test_update_plan_is_a_checklist_and_its_output_no_tool():
    args = {"explanation": "why", "plan": [{"step": "a", "status": "completed"},
                                           {"step": "b", "status": "in_progress"},
                                           {"step": "c", "status": "pending"}]}
    [plan] = items(ri({"type": "function_call", "name": "update_plan", "call_id": "u1",
                       "arguments": json.dumps(args)}),
                   ri({"type": "function_call_output", "call_id": "u1",
                       "output": "Plan updated"}),
                   ev({"type": "plan_update", **args}))  # its echo, where it was kept
    assert isinstance(plan, Plan)
    assert (plan.text, plan.explanation, plan.call_id) == (None, "why", "u1")
    assert [(s.step, s.status) for s in plan.steps] == \
        [("a", "completed"), ("b", "in_progress"), ("c", "pending")]


def test_a_plan_update_event_alone_is_a_checklist_and_bad_arguments_a_tool_call():
    [plan] = items(ev({"type": "plan_update", "plan": [{"step": "x", "status": "pending"}]}))
    assert [(s.step, s.status) for s in plan.steps] == [("x", "pending")]
    [call] = items(ri({"type": "function_call", "name": "update_plan", "call_id": "u",
                       "arguments": "{not json"}))
    assert isinstance(call, ToolCall) and call.arguments == "{not json"


def test_show_json_has_plans_not_tags(shapes_home, capsys):
    shown = run_json(capsys, "--codex-home", str(shapes_home), "show", PLANS, "--json")
    kinds = [[i["kind"] for i in t["items"]] for t in shown["turns"]]
    assert kinds == [
        ["user_message", "reasoning", "plan"],
        ["user_message", "plan", "agent_message"],
        ["user_message", "plan", "tool_call", "plan", "agent_message"],
    ]
    first = shown["turns"][0]["items"][2]
    assert first["text"].startswith("# Rewrite the tokenizer\n") and first["steps"] == []
    assert "proposed_plan" not in json.dumps(shown)
    assert shown["turns"][1]["items"][2]["text"] == "Updated: the old lexer stays behind a flag."
    checklist = shown["turns"][2]["items"][1]
    assert checklist == {
        "kind": "plan", "text": None, "explanation": "Starting with the token type.",
        "call_id": "call_plan1",
        "steps": [{"step": "Add Token::Eof", "status": "completed"},
                  {"step": "Port lex_number to the table", "status": "in_progress"},
                  {"step": "Put old_lexer.rs behind a feature flag", "status": "pending"}]}
    assert all(t["status"] == "completed" for t in shown["turns"])


def test_markdown_has_the_plan_quoted_and_the_checklist(shapes_home, capsys):
    code, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", PLANS, "--markdown")
    assert code == 0
    assert "proposed_plan" not in out
    assert "**Proposed plan**\n\n> # Rewrite the tokenizer\n>\n> ## Summary\n" in out
    assert out.count("> # Rewrite the tokenizer") == 2  # once a turn
    assert ("**Plan** · 1 of 3 done\n\n> Starting with the token type.\n\n"
            "- [x] Add Token::Eof\n- [ ] Port lex\\_number to the table *(in progress)*\n"
            "- [ ] Put old\\_lexer.rs behind a feature flag\n") in out
    assert "**Plan** · 3 of 3 done" in out
    assert "update_plan" not in out


def test_html_renders_the_plan_and_the_checklist(shapes_home):
    page = page_of(shapes_home, PLANS)
    assert "proposed_plan" not in page and "update_plan" not in page
    assert page.count('<div class="role">Proposed plan</div>') == 2
    assert "<h1>Rewrite the tokenizer</h1>" in page
    assert '<li class="in_progress">◐ Port lex_number to the table</li>' in page
    assert '<div class="role">Plan · 3 of 3 done</div>' in page


def test_the_search_index_has_plans_once(shapes_home):
    thread = LocalThreadStore(str(shapes_home), cache=False).read_thread(PLANS)
    rows = thread_rows(thread)
    assert [(turn, kind) for turn, kind, _, _ in rows if kind == "plan"] == \
        [(1, "plan"), (2, "plan"), (3, "plan"), (3, "plan")]
    assert not any("proposed_plan" in text or "update_plan" in text for *_, text in rows)
