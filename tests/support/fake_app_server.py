"""A stand-in for `codex app-server` that misbehaves on purpose, for the JSON-RPC client's
tests: `python fake_app_server.py MODE [PIDFILE]`.

Modes: `ok` (answers initialize and echoes every request), `hang:METHOD` (never answers
METHOD), `die:METHOD` (exits with status 3 when asked METHOD), `silent` (never answers
anything, initialize included), `exit` (exits at once, saying why on stderr), `garbage`
(writes non-JSON and a request of its own before each answer), `old` (knows only
initialize and thread/list, answering others as codex 0.171 does an unknown method), `nofs`
(a server without fs/*: one canned thread, its turns through thread/turns/list).
The pid is written to PIDFILE, so a test can check the process is gone afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time

THREAD = {"id": "01a1fe99-0000-7000-8000-000000000001", "preview": "an old server's session",
          "createdAt": 1795266000, "updatedAt": 1795266300, "cwd": "/home/dev/src/beta",
          "source": {"subAgent": "review"}, "cliVersion": "0.130.0", "modelProvider": "openai",
          "path": "/srv/codex/sessions/2026/11/21/"
                  "rollout-2026-11-21T10-00-00-01a1fe99-0000-7000-8000-000000000001.jsonl",
          "historyMode": "legacy", "name": None, "forkedFromId": None,
          "gitInfo": {"branch": "main", "sha": "abc", "originUrl": None}}
ITEMS = [
    {"type": "userMessage", "id": "i1", "content": [{"type": "text", "text": "fix the build"}]},
    {"type": "reasoning", "id": "i2", "summary": ["**Looking** at the logs"], "content": []},
    {"type": "commandExecution", "id": "i3", "command": "make", "aggregatedOutput": "ok\n",
     "exitCode": 0, "durationMs": 1200, "status": "completed"},
    {"type": "fileChange", "id": "i4", "status": "completed", "changes": [
        {"path": "a.py", "kind": {"type": "update"}, "diff": "@@ -1 +1 @@\n-x\n+y\n"}]},
    {"type": "webSearch", "id": "i5", "query": "rust serde", "action": {
        "type": "search", "query": "rust serde"}},
    {"type": "mcpToolCall", "id": "i6", "server": "docs", "tool": "lookup",
     "arguments": {"q": "x"}, "result": {"content": []}, "status": "completed"},
    {"type": "somethingNew", "id": "i7", "payload": 1},
    {"type": "agentMessage", "id": "i8", "text": "Fixed: **done**."},
]
CANNED = {
    "thread/list": {"data": [THREAD], "nextCursor": None, "backwardsCursor": None},
    "thread/read": {"thread": THREAD},
    "thread/turns/list": {"data": [{"id": "turn-1", "status": "completed", "items": ITEMS,
                                    "startedAt": 1795266010, "completedAt": 1795266020,
                                    "durationMs": 10000, "error": None}],
                          "nextCursor": None},
}


def send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    mode = sys.argv[1]
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as out:
            out.write(str(os.getpid()))
    if mode == "exit":
        print("fake: cannot start (as a host that refuses would)", file=sys.stderr)
        return 5
    answers: list[dict] = []  # the client's answers to our own requests
    for line in sys.stdin:
        message = json.loads(line)
        method, request_id = message.get("method"), message.get("id")
        if method is None:
            answers.append(message)
            continue
        if request_id is None:
            continue  # a notification (initialized)
        if mode == "silent":
            continue
        if mode.startswith("hang:") and method == mode[5:]:
            continue
        if mode.startswith("die:") and method == mode[4:]:
            print(f"fake: dying on {method}", file=sys.stderr)
            return 3
        if mode == "garbage":
            sys.stdout.write("this is not json\n")
            send({"jsonrpc": "2.0", "id": 900, "method": "item/commandExecution/requestApproval",
                  "params": {}})
        if mode == "nofs" and method.startswith("fs/"):
            send({"id": request_id, "error": {
                "code": -32600, "message": f"Invalid request: unknown variant `{method}`"}})
            continue
        if mode == "nofs" and method in CANNED:
            send({"id": request_id, "result": CANNED[method]})
            continue
        if mode == "old" and method not in ("initialize", "thread/list"):
            send({"id": request_id, "error": {
                "code": -32600,
                "message": f"Invalid request: unknown variant `{method}`, expected one of "
                           "`initialize`, `thread/list`"}})
            continue
        if method == "initialize":
            send({"id": request_id, "result": {
                "userAgent": "codex-tui/9.9.9 (fake)", "codexHome": "/nowhere"}})
        elif method == "sleep":
            time.sleep(float(message["params"].get("seconds", 0)))
            send({"id": request_id, "result": {"slept": True}})
        elif method == "answers":
            send({"id": request_id, "result": answers})
        elif method == "notify":
            send({"method": "thread/archived", "params": {"threadId": "abc"}})
            send({"id": request_id, "result": {}})
        elif method == "fail":
            send({"id": request_id, "error": {"code": -32603, "message": "it failed"}})
        else:
            send({"id": request_id, "result": {"echo": method,
                                               "params": message.get("params")}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
