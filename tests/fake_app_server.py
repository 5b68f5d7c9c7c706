"""A stand-in for `codex app-server` that misbehaves on purpose, for the JSON-RPC client's
tests: `python fake_app_server.py MODE [PIDFILE]`.

Modes: `ok` (answers initialize and echoes every request), `hang:METHOD` (never answers
METHOD), `die:METHOD` (exits with status 3 when asked METHOD), `silent` (never answers
anything, initialize included), `exit` (exits at once, saying why on stderr), `garbage`
(writes non-JSON and a request of its own before each answer), `old` (knows only
initialize and thread/list, answering others as codex 0.171 does an unknown method).
The pid is written to PIDFILE, so a test can check the process is gone afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time


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
