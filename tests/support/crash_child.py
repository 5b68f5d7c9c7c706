"""Run one store write in this process and "crash" (os._exit, no clean-up, no finally) at its
N-th file-system step: what a power cut or a kill -9 leaves behind.

    python tests/support/crash_child.py HOME OP THREAD_ID ARG CRASH_AT [torn]

OP is fork (ARG: turns to keep), rename (ARG: the name), archive, unarchive or delete.
CRASH_AT counts the steps of the operation only (the store is opened and read first); with
`torn`, a crash that falls on a write writes half of its bytes first. Exit status: 0 when the
operation ended before CRASH_AT steps (printing the steps it took), 137 when it crashed, 3
when the store refused it.
"""

from __future__ import annotations

import os
import sys

STEPS = ("write", "fsync", "rename", "replace", "link", "unlink", "remove", "mkdir", "rmdir",
         "open", "close", "ftruncate", "fchmod", "truncate")


def main() -> None:
    home, op, thread_id, arg, crash_at = sys.argv[1:6]
    torn = len(sys.argv) > 6 and sys.argv[6] == "torn"
    from codex_tui.store import LocalThreadStore, StoreError, atomic

    store = LocalThreadStore(home, cache=False)
    store.scan()
    limit = int(crash_at)
    count = 0

    def step(name: str, real):
        def hooked(*args, **kwargs):
            nonlocal count
            count += 1
            if count == limit:
                if torn and name == "write" and len(args) > 1 and len(args[1]) > 1:
                    real(args[0], bytes(args[1][: len(args[1]) // 2]))
                os._exit(137)
            return real(*args, **kwargs)
        return hooked

    for name in STEPS:
        if hasattr(os, name):
            setattr(os, name, step(name, getattr(os, name)))
    resolve = getattr(atomic, "_renameat2", None)  # a libc call, not an os function
    if resolve is not None and (fn := resolve()) is not None:
        atomic._renameat2_fn = step("renameat2", fn)
    try:
        if op == "fork":
            store.fork_thread(thread_id, int(arg))
        elif op == "rename":
            store.set_name(thread_id, arg)
        elif op == "archive":
            store.archive(thread_id)
        elif op == "unarchive":
            store.unarchive(thread_id)
        elif op == "delete":
            store.delete(thread_id)
        else:
            raise SystemExit(f"unknown op {op}")
    except StoreError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        os._exit(3)
    sys.stdout.write(f"{count}\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
