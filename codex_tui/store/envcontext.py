"""The working directory a session recorded, where its `session_meta` does not say it.

The bare-line rollouts of Codex 0.2x start with `{"id", "timestamp", "instructions", "git"}`:
no `cwd`. They record it instead in the environment context Codex injects as a role-"user"
message, in one of two forms by release:

    <environment_context>
      <cwd>/home/dev/proj</cwd>
      <approval_policy>on-request</approval_policy> ...
    </environment_context>

or, older, plain text inside the same tags:

    <environment_context>
    Current working directory: /home/dev/proj
    Approval policy: on-request ...
    </environment_context>

Codex writes the path as is (no XML escaping), so it is taken literally. Only injected context
counts: a user who types "Current working directory: /x" does not move the session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import fields as f

# (patterns, compiled on first use: the head reader is imported before the first frame)
_CWD_TAG = r"(?s)<cwd>(.*?)</cwd>"
_CWD_LINE = r"(?m)^[ \t]*Current working directory:[ \t]*(\S.*?)[ \t]*$"


def context_cwd(payload: Any) -> str | None:
    """The cwd in an injected environment-context message (a `message` response item, bare or
    an envelope's payload), else None."""
    if not isinstance(payload, dict) or payload.get("type") != "message" \
            or payload.get("role") != "user":
        return None
    text = f.content_text(payload.get("content"))
    if "<environment_context" not in text or not f.is_contextual(text):
        return None
    match = re.search(_CWD_TAG, text) or re.search(_CWD_LINE, text)
    if match is None:
        return None
    return match.group(1).strip() or None


def recorded_cwd(records: Iterable[Any]) -> str | None:
    """A thread's working directory from its records: its own (first) session_meta's `cwd`,
    else the first environment context's. Inherited records (a fork's parent history) are
    not the thread's own."""
    meta_seen = False
    for rec in records:
        if rec.inherited:
            continue  # a fork's parent history: where the parent ran
        if rec.kind == "session_meta":
            if not meta_seen:
                meta_seen = True
                cwd = f.s(rec.payload, "cwd")
                if cwd:
                    return cwd
            continue
        if rec.kind == "response_item" and rec.type == "message":
            cwd = context_cwd(rec.payload)
            if cwd:
                return cwd
    return None
