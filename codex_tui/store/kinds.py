"""Every record type some Codex release is known to write, so that anything else can be kept
verbatim *and* reported (once per type), never silently dropped."""

from __future__ import annotations

from .model import Problem
from .rollout import Record

# Envelope `type`s (plus "state", the 0.20-era `{"record_type": "state"}` lines).
KNOWN_KINDS = frozenset({
    "session_meta", "response_item", "event_msg", "turn_context", "compacted", "world_state",
    "token_usage_record", "dynamic_tools_updated", "inter_agent_communication",
    "inter_agent_communication_metadata", "security_risk_score", "realtime_item",
    "retained_context", "rollout_reference", "state", "id_allocation",
})

# Known envelope types that are Codex's bookkeeping, with no transcript item of their own:
# counted per thread (`show --json` thread.bookkeeping) instead. Some feed what is shown
# (turn_context: the model; token_usage_record: the tokens).
BOOKKEEPING = frozenset({
    "state",  # 0.20-era state markers (empty)
    "turn_context",  # per-turn settings snapshot
    "world_state",  # snapshot / diff of the injected context (0.169+)
    "token_usage_record",  # usage per model response (0.169+)
    "id_allocation",  # item id bookkeeping (0.171+)
    "dynamic_tools_updated", "inter_agent_communication_metadata", "security_risk_score",
    "realtime_item", "retained_context", "rollout_reference",
})

# Tools whose call is a shell command (shown as `$ command`, highlighted as shell), and the
# tool of Codex's code mode, whose calls are JavaScript (`exec`, a freeform tool).
SHELL_TOOLS = frozenset({
    "shell", "container.exec", "local_shell", "exec_command", "shell_command", "unified_exec",
})
CODE_TOOLS = frozenset({"exec"})


def command_language(tool: str) -> str | None:
    """How a tool call's command reads: "sh", "js", or None (a query, arguments): the name a
    Markdown fence and Pygments both know."""
    if tool in SHELL_TOOLS:
        return "sh"
    if tool in CODE_TOOLS:
        return "js"
    return None


KNOWN_RESPONSES = frozenset({
    "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "tool_search_call", "tool_search_output",
    "web_search_call", "image_generation_call", "agent_message", "ghost_snapshot",
    "additional_tools", "configuration_update", "compaction", "context_compaction",
    "compaction_trigger", "other",
})

KNOWN_EVENTS = frozenset({
    "user_message", "agent_message", "agent_reasoning", "agent_reasoning_raw_content",
    "agent_reasoning_raw_content_delta", "agent_reasoning_section_break", "item_started",
    "item_completed", "task_started", "task_complete", "turn_aborted", "token_count",
    "thread_settings_applied", "session_configured", "exec_command_begin", "exec_command_end",
    "patch_apply_begin", "patch_apply_end", "mcp_tool_call_begin", "mcp_tool_call_end",
    "web_search_begin", "web_search_end", "image_generation_end", "turn_diff",
    "background_event", "sub_agent_activity", "context_compacted", "thread_rolled_back",
    "thread_name_updated", "thread_goal_updated", "entered_review_mode", "exited_review_mode",
    "error", "stream_error", "warning", "undo_started", "undo_completed", "plan_update",
    "mcp_list_tools_response", "list_custom_prompts_response", "get_history_entry_response",
    "shutdown_complete", "conversation_path", "view_image_tool_call",
})

KNOWN_ITEMS = frozenset({
    "UserMessage", "AgentMessage", "Reasoning", "CommandExecution", "FileChange",
    "McpToolCall", "WebSearch", "Plan", "ContextCompaction", "ImageGeneration", "ImageView",
    "Sleep", "CollabAgentToolCall", "DynamicToolCall", "SubAgentActivity", "HookPrompt",
})

# Keys of the `metadata` Codex writes beside a response_item's payload (CodexHarnessMetadata:
# history bookkeeping, never shown; 0.169+, `model_search_state` from 0.170).
KNOWN_RESPONSE_METADATA = frozenset({
    "history_sequence", "sampled_through_sequence", "guardian_sources", "guardian_review_ids",
    "guardian_source_order_guidance", "guardian_retained_omissions", "retained_source",
    "additional_context_tool_output", "client_authored", "retain_across_windows",
    "fallback_token_limit_override", "tool_audio_budget_applied",
    "delivered_assistant_message", "harness_authored_configuration", "compaction_model_hash",
    "compaction_output", "inherited_user_message", "mcp_attribution", "model_search_state",
    "native_search_fallback_used", "sender_user_messages", "user_input_order",
    "compaction_without_file_error_sources",
})


def bookkeeping_counts(records: list[Record]) -> dict[str, int]:
    """How many of each BOOKKEEPING record the thread itself wrote (not a fork's copy of its
    parent's), by record type, in order of first appearance."""
    counts: dict[str, int] = {}
    for rec in records:
        if rec.kind in BOOKKEEPING and not rec.inherited:
            counts[rec.kind] = counts.get(rec.kind, 0) + 1
    return counts


def unknown_label(rec: Record) -> str | None:
    """`kind`, `event_msg/<type>`, `response_item/<type>` or `item_completed/<type>` when the
    record is of a type no known release writes; None when it is known."""
    if rec.kind not in KNOWN_KINDS:
        return rec.kind
    if rec.kind == "event_msg":
        if rec.type not in KNOWN_EVENTS:
            return f"event_msg/{rec.type}"
        if rec.type == "item_completed" and isinstance(rec.payload, dict):
            item = rec.payload.get("item")
            item_type = item.get("type") if isinstance(item, dict) else None
            if item_type not in KNOWN_ITEMS:
                return f"item_completed/{item_type}"
    elif rec.kind == "response_item" and rec.type not in KNOWN_RESPONSES:
        return f"response_item/{rec.type}"
    return None


class UnknownTally:
    """One problem per unknown record type, at its first occurrence."""

    __slots__ = ("first",)

    def __init__(self) -> None:
        self.first: dict[str, tuple[str | None, int]] = {}

    def add(self, label: str, rec: Record) -> None:
        self.first.setdefault(label, (rec.path, rec.line_no))

    def problems(self) -> list[Problem]:
        # No count in the message: the head scan and the full read must state it identically.
        return [
            Problem(f"unknown record type {label!r}, kept as raw JSON", path, line)
            for label, (path, line) in self.first.items()
        ]
