"""A remote picker (`codex-tui --remote HOST`) and writes through `codex app-server`, side by
side with the local picker and writes on the files, on a large generated home.

    python -m benchmarks.remote [--home /tmp/bench-home] [--codex PATH] [--runs 5]
        [--full-runs 3] [--reindex] [--skip-picker] [--skip-writes] [--out PATH]

It needs a home made by `generate_home`, the Codex CLI (--codex, $CODEX_TUI_CODEX_BIN, PATH)
and OpenSSH's sshd. It WRITES to the home: Codex's own files (its index, state_5.sqlite,
made by one `codex exec resume ID warm` against a loopback mock model, which adds a turn to
that session), and one session is archived and unarchived, renamed, and forked (each fork
deleted again), through Codex and on the files. See README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._remote_setup import (
    ALIAS,
    FORK_TURN,
    find_codex,
    index_home,
    pick_thread,
    start_sshd,
    stop_sshd,
)
from benchmarks.picker import PYCACHE, machine, median, ms, run_child, save_and_report

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "remote.json"
CONFIGS = ("bare", "local/warm", "local/cold", "remote/command", "remote/ssh")
OPS = ("archive", "unarchive", "rename", "fork")


# -- the picker: fresh processes (benchmarks/_picker_child.py) -----------------------------------

def picker(opts: argparse.Namespace, work: Path, command: str) -> dict[str, list[dict]]:
    PYCACHE["PYTHONPYCACHEPREFIX"] = str(work / "pycache")  # compiled once, in the warm-up
    warm = work / "warm-cache"
    warm.mkdir()
    extra = {"remote/ssh": ["--remote", ALIAS], "remote/command": ["--remote-command", command]}

    def run(config: str, until: str, cache: Path | None = None) -> dict[str, Any]:
        directory = cache or Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        try:
            return run_child("bare" if config == "bare" else "picker", home=opts.home,
                             cwd=str(work), all_dirs=True, cache_dir=str(directory),
                             until=until, size=opts.size, extra=extra.get(config, ()))
        finally:
            if cache is None:
                shutil.rmtree(directory, ignore_errors=True)

    print("picker: warming up (pyc files, page cache) and filling the warm cache...", flush=True)
    run("bare", "rows")
    run("remote/command", "rows")
    run("local/cold", "done", cache=warm)
    samples: dict[str, list[dict]] = {c: [] for c in CONFIGS}
    rng = random.Random(1)
    for i in range(opts.runs):
        until = "done" if i < opts.full_runs else "rows"
        for config in rng.sample(CONFIGS, len(CONFIGS)):
            samples[config].append(run(config, "rows" if config == "bare" else until,
                                       warm if config == "local/warm" else None))
        print(f"  run {i + 1}/{opts.runs} ({until}): " + ", ".join(
            f"{c} {ms(_first(c, v[-1]))}" for c, v in samples.items()), flush=True)
    return samples


def _first(config: str, run: dict[str, Any]) -> float | None:
    return run["marks"].get("first_paint" if config == "bare" else "first_rows")


# Marks of a remote first page, in order (seconds since the process started), and the phases
# between them: what the report's "where the time goes" shows.
PHASES = (
    ("python, imports, app", None, "app_built"),
    ("server start + initialize", "spawn", "rpc initialize done"),
    ("thread/list, first page", "rpc thread/list", "rpc thread/list done"),
    ("convert the page", "rpc thread/list done", "names"),
    ("names (fs/getMetadata, fs/readFile)", "names", "names done"),
    ("rows to the screen, painted", "cached_first_batch", "first_rows"),
)


def summarize_picker(samples: dict[str, list[dict]]) -> dict[str, Any]:
    def series(config: str, mark: str) -> list[float]:
        return [r["marks"][mark] for r in samples[config] if mark in r["marks"]]

    bare = median(series("bare", "first_paint"))
    local = {c: median(series(c, "first_rows")) for c in ("local/warm", "local/cold")}
    local_done = median(series("local/cold", "loading_done"))
    out: dict[str, Any] = {}
    for c in CONFIGS:
        first = [t for t in (_first(c, r) for r in samples[c]) if t is not None]
        done = series(c, "loading_done")
        entry = {"first_rows_s": first, "median_s": median(first),
                 "ratio_to_bare": median(first) / bare if first and bare else None,
                 "whole_listing_s": done, "whole_listing_median_s": median(done),
                 "whole_listing_ratio_to_local_cold": median(done) / local_done
                 if done and local_done else None,
                 "rows_first": median([r.get("first_rows_count") or 0 for r in samples[c]]),
                 "rows_done": median([r["rows_at_done"] for r in samples[c]
                                      if "rows_at_done" in r])}
        for ref, value in local.items():
            entry[f"ratio_to_{ref.replace('/', '_')}"] = median(first) / value \
                if first and value else None
        if c.startswith("remote/"):
            entry["phases_median_s"] = {label: median([
                r["marks"][b] - (r["marks"][a] if a else 0.0) for r in samples[c]
                if b in r["marks"] and (a is None or a in r["marks"])])
                for label, a, b in PHASES}
            full = [r for r in samples[c] if "at_done" in r]
            pages = median([r["at_done"]["list_pages"][0] for r in full])
            requests = median([r["at_done"]["rpc"]["thread/list"][1] for r in full])
            names = median([r["at_done"]["names_seconds"] for r in full])
            entry["listing"] = {  # every page, the first one included
                "pages": pages, "thread_list_requests_s": requests, "names_s": names,
                "rows": median([r["at_done"]["list_pages"][1] for r in full]),
                "conversion_s": median([r["at_done"]["list_pages"][2] for r in full]),
                "scan_s": median([r["marks"]["scan_end"] - r["marks"]["scan_start"]
                                  for r in full]),
            }
        out[c] = entry
    return out


# -- the protocol alone (in this process) ------------------------------------------------------

def protocol(runs: int, ssh_config: Path, command: str) -> dict[str, Any]:
    """ssh alone, a server's start + initialize, single pages and a whole listing."""
    import orjson

    from codex_tui.store.thread_store.convert import ALL_SOURCE_KINDS, summary_from_thread
    from codex_tui.store.thread_store.jsonrpc import AppServerClient, ServerCommand

    ssh = ["ssh", "-F", str(ssh_config)]
    routes = {"command": ServerCommand(command, "command", shell=True),
              "ssh": ServerCommand([*ssh, "-T", ALIAS, "codex", "app-server"], "ssh")}
    out: dict[str, Any] = {"ssh_true_s": []}
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([*ssh, ALIAS, "true"], check=True)
        out["ssh_true_s"].append(time.monotonic() - started)

    def page(client: AppServerClient, limit: int, cursor: str | None = None,
             archived: bool = False, **extra: Any) -> tuple[dict, float]:
        params = {"limit": limit, "sortKey": "updated_at", "sourceKinds": ALL_SOURCE_KINDS,
                  "archived": archived, **({"cursor": cursor} if cursor else {}), **extra}
        started = time.perf_counter()
        return client.request("thread/list", params), time.perf_counter() - started

    for name, command_ in routes.items():
        times: dict[str, list[float]] = {"start_initialize_s": [], "page_50_s": [],
                                         "page_100_s": []}
        for _ in range(runs):
            client = AppServerClient(command_)
            started = time.perf_counter()
            client.start()
            times["start_initialize_s"].append(time.perf_counter() - started)
            times["page_50_s"].append(page(client, 50)[1])
            times["page_100_s"].append(page(client, 100)[1])
            client.close()
        out[name] = times

    def listing(**extra: Any) -> dict[str, Any]:
        client = AppServerClient(routes["command"])
        client.start()
        summaries = {}
        total: dict[str, Any] = {"pages": 0, "rows": 0, "request_s": 0.0, "json_bytes": 0,
                                 "decode_s": 0.0, "convert_s": 0.0}
        for archived in (False, True):
            cursor = None
            while True:
                result, seconds = page(client, 1000, cursor, archived, **extra)
                raw = orjson.dumps(result)
                started = time.perf_counter()
                data = orjson.loads(raw)["data"]  # what the client's reader thread does
                decoded = time.perf_counter()
                rows = [summary_from_thread(t, archived, "bench") for t in data]
                summaries.update((r.id, r) for r in rows if r is not None)
                total["convert_s"] += time.perf_counter() - decoded
                total["decode_s"] += decoded - started
                total["request_s"] += seconds
                total["json_bytes"] += len(raw)
                total["pages"] += 1
                total["rows"] += len(rows)
                cursor = result.get("nextCursor")
                if not cursor or not data:
                    break
        client.close()
        return total, summaries

    print("protocol: a whole listing, then one with useStateDbOnly...", flush=True)
    out["listing"], full = listing()
    out["listing_state_db_only"], db_only = listing(useStateDbOnly=True)
    # What codex-tui would show differently: useStateDbOnly skips reading each rollout (its
    # status and stats), and gives the index's cwd and time (a resumed thread's latest).
    differ = [(full[k], v) for k, v in db_only.items() if k in full and full[k] != v]
    out["state_db_only_differ"] = {
        "rows": len(differ), "missing": len(full.keys() ^ db_only.keys()),
        "fields": sorted({f for a, b in differ for f in a._fields
                          if getattr(a, f) != getattr(b, f)})}
    return out


# -- writes: through Codex's app-server and on the files --------------------------------------

def writes(opts: argparse.Namespace, codex: str, thread_id: str) -> dict[str, Any]:
    """Each op end to end (a fresh `codex-tui` process, as a user runs it) and in process
    (LocalThreadStore methods: the files; Codex with its app-server stopped before each op,
    `cold`; Codex with it running, `warm`). Forks are deleted again, untimed."""
    from codex_tui.store import LocalThreadStore

    cli = str(Path(sys.executable).with_name("codex-tui"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYCACHE)
    out: dict[str, dict[str, list[float]]] = {}

    def record(route: str, op: str, seconds: float, via: str | None) -> None:
        if not (via or "").startswith("files" if route.endswith("files") else "codex"):
            raise RuntimeError(f"{route} {op} went {via!r}")
        out.setdefault(route, {}).setdefault(op, []).append(seconds)

    def e2e(route: str, i: int) -> None:
        run_env = dict(env, CODEX_TUI_WRITES="files") if route == "cli/files" else env

        def run(*args: str) -> tuple[float, dict]:
            started = time.monotonic()
            proc = subprocess.run([cli, "--codex-home", opts.home, "--codex-bin", codex, *args,
                                   "--json"], env=run_env, capture_output=True, text=True,
                                  timeout=120)
            if proc.returncode != 0:
                raise RuntimeError(f"codex-tui {' '.join(args)}: {proc.stderr}")
            return time.monotonic() - started, json.loads(proc.stdout)

        for op, args in (("archive", ["archive", thread_id]),
                         ("unarchive", ["unarchive", thread_id]),
                         ("rename", ["rename", thread_id, f"bench {route} {i}"]),
                         ("fork", ["fork", thread_id, "--turn", str(FORK_TURN)])):
            seconds, answer = run(*args)
            record(route, op, seconds, answer.get("via"))
        run("delete", answer["id"], "--yes")

    def in_process(route: str, store: LocalThreadStore, i: int) -> None:
        calls = (("archive", lambda: store.archive(thread_id)),
                 ("unarchive", lambda: store.unarchive(thread_id)),
                 ("rename", lambda: store.set_name(thread_id, f"bench {route} {i}")),
                 ("fork", lambda: store.fork_thread(thread_id, FORK_TURN)))
        for op, call in calls:
            if route == "store/codex-cold":
                store.close()  # its app-server: the next write starts one
            started = time.perf_counter()
            result = call()
            record(route, op, time.perf_counter() - started, store.last_write_via())
        store.delete(result.id)

    files = LocalThreadStore(opts.home)
    codex_store = LocalThreadStore(opts.home, codex_bin=codex)
    for i in range(opts.write_runs + 1):  # the first round warms up and is dropped
        print(f"writes: round {i}/{opts.write_runs}", flush=True)
        for route in random.Random(i).sample(["cli/codex", "cli/files", "store/files",
                                              "store/codex-cold", "store/codex-warm"], 5):
            if route.startswith("cli/"):
                e2e(route, i)
            else:
                in_process(route, files if route == "store/files" else codex_store, i)
        if i == 0:
            out.clear()
    codex_store.close()
    return out


def summarize_writes(raw: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for op in OPS:
        m = {route: median(ops[op]) for route, ops in raw.items() if op in ops}
        out[op] = {**{f"{r}_median_s": v for r, v in m.items()},
                   "cli_codex_over_files": m["cli/codex"] / m["cli/files"],
                   "store_cold_over_files": m["store/codex-cold"] / m["store/files"],
                   "store_warm_over_files": m["store/codex-warm"] / m["store/files"]}
    return out


# -- report -------------------------------------------------------------------------------------

def _x(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x" if value < 100 else f"{value:.0f}x"


def report(result: dict[str, Any]) -> str:
    lines = []
    index = result.get("index", {})
    if index.get("indexed_now"):
        lines.append(f"Codex's index: first `codex exec resume` {index['first_exec_s']:.1f} s, "
                     f"the same on the indexed home {index['indexed_exec_s']:.1f} s: indexing "
                     f"~{index['indexing_s']:.1f} s")
    if index:
        lines.append(f"Codex's index holds {index['threads']:,} threads "
                     f"({index['archived']} archived); the home has "
                     f"{result['config']['sessions']:,} sessions")
    picker = result.get("picker")
    if picker:
        lines += ["", f"Picker, --all, fresh processes, medians of {result['config']['runs']} "
                      f"(whole listing: {result['config']['full_runs']}), ms since spawn",
                  f"{'':16}{'first rows':>11}{'x bare':>8}{'x warm':>8}{'x cold':>8}"
                  f"{'rows':>6}{'whole list':>12}{'x cold':>8}{'rows':>7}"]
        for c, e in picker.items():
            lines.append(f"{c:16}{ms(e['median_s']):>11}{_x(e['ratio_to_bare']):>8}"
                         f"{_x(e.get('ratio_to_local_warm')):>8}"
                         f"{_x(e.get('ratio_to_local_cold')):>8}{e['rows_first'] or 0:>6.0f}"
                         f"{ms(e['whole_listing_median_s']):>12}"
                         f"{_x(e['whole_listing_ratio_to_local_cold']):>8}"
                         f"{e['rows_done'] or 0:>7.0f}")
        for c in ("remote/command", "remote/ssh"):
            lines.append(f"  {c}, first rows: " + ", ".join(
                f"{k} {ms(v)}" for k, v in picker[c]["phases_median_s"].items()))
            listing = picker[c]["listing"]
            lines.append(f"  {c}, whole listing: {listing['rows']:,.0f} rows in "
                         f"{listing['pages']:.0f} pages; thread/list "
                         f"{ms(listing['thread_list_requests_s'])}, names "
                         f"{ms(listing['names_s'])}, conversion {ms(listing['conversion_s'])}"
                         f"; scan() alone {ms(listing['scan_s'])}")
    proto = result.get("protocol")
    if proto:
        lines += ["", "Protocol, in process, medians (ms): "
                  f"`ssh {ALIAS} true` {ms(median(proto['ssh_true_s']))}"]
        for route in ("command", "ssh"):
            t = {k: ms(median(v)) for k, v in proto[route].items()}
            lines.append(f"  {route:8} start+initialize {t['start_initialize_s']}, thread/list "
                         f"50 rows {t['page_50_s']}, 100 rows {t['page_100_s']}")
        for key, label in (("listing", "whole listing"),
                           ("listing_state_db_only", "  with useStateDbOnly")):
            t = proto[key]
            lines.append(f"  {label}: {t['rows']:,} rows in {t['pages']} pages, requests "
                         f"{ms(t['request_s'])}, {t['json_bytes'] / 1e6:.1f} MB JSON, "
                         f"decode {ms(t['decode_s'])}, convert {ms(t['convert_s'])}")
        d = proto["state_db_only_differ"]
        lines.append(f"  rows that differ between the two: {d['rows']} ({', '.join(d['fields'])})"
                     f", in one only: {d['missing']}")
    w = result.get("writes")
    if w:
        lines += ["", f"Writes, medians of {result['config']['write_runs']} (ms): fresh "
                      "`codex-tui ... --json` process, and LocalThreadStore in process",
                  f"{'':10}{'cli codex':>10}{'files':>8}{'ratio':>7}{'store files':>13}"
                  f"{'codex cold':>11}{'ratio':>7}{'codex warm':>11}{'ratio':>7}"]
        for op, e in w.items():
            lines.append(f"{op:10}{ms(e['cli/codex_median_s']):>10}"
                         f"{ms(e['cli/files_median_s']):>8}{_x(e['cli_codex_over_files']):>7}"
                         f"{ms(e['store/files_median_s'], 1):>13}"
                         f"{ms(e['store/codex-cold_median_s']):>11}"
                         f"{_x(e['store_cold_over_files']):>7}"
                         f"{ms(e['store/codex-warm_median_s']):>11}"
                         f"{_x(e['store_warm_over_files']):>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--home", default="/tmp/bench-home", help="a home made by generate_home")
    p.add_argument("--codex", help="the Codex CLI (default: $CODEX_TUI_CODEX_BIN, PATH)")
    p.add_argument("--runs", type=int, default=5, help="picker runs per config")
    p.add_argument("--full-runs", type=int, default=3,
                   help="of those, how many go on to the whole listing")
    p.add_argument("--write-runs", type=int, default=5, help="rounds of writes per route")
    p.add_argument("--size", default="150x40")
    p.add_argument("--reindex", action="store_true",
                   help="delete Codex's index (state_5.sqlite) and time indexing it again")
    p.add_argument("--skip-picker", action="store_true")
    p.add_argument("--skip-writes", action="store_true")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    opts = p.parse_args(argv)
    home = Path(opts.home).resolve()
    opts.home = str(home)
    meta = home / "generate_home.json"
    if not meta.exists():
        p.error(f"{home} was not made by `python -m benchmarks.generate_home` "
                "(this benchmark writes to it)")
    codex = find_codex(opts.codex)
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"home": opts.home, "codex": codex, "runs": opts.runs,
                   "full_runs": opts.full_runs, "write_runs": opts.write_runs,
                   "size": opts.size,
                   "sessions": json.loads(meta.read_text()).get("sessions")},
        "machine": machine(),
    }
    result["codex_version"] = subprocess.run([codex, "--version"], capture_output=True,
                                             text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        work = Path(tmp)
        os.environ["CODEX_TUI_CACHE_DIR"] = str(work / "cache")  # this process's stores
        thread_id = pick_thread(home)
        result["config"]["thread"] = thread_id
        print(f"indexing {home} with Codex (once)...", flush=True)
        result["index"] = index_home(home, codex, thread_id, opts.reindex, work)
        node = shutil.which("node")
        path = [os.path.dirname(codex), *([os.path.dirname(node)] if node else []),
                "/usr/local/bin", "/usr/bin", "/bin"]
        sshd, ssh_config = start_sshd(work, {"PATH": ":".join(dict.fromkeys(path)),
                                             "CODEX_HOME": opts.home,
                                             "HOME": str(work / "remote-user")})
        os.environ["CODEX_TUI_SSH_COMMAND"] = shlex.join(["ssh", "-F", str(ssh_config)])
        command = f"env CODEX_HOME={shlex.quote(opts.home)} {shlex.quote(codex)} app-server"
        try:
            if not opts.skip_picker:
                samples = picker(opts, work, command)
                result["picker"] = summarize_picker(samples)
                result["picker_raw"] = samples
                result["protocol"] = protocol(opts.runs, ssh_config, command)
        finally:
            result["ssh_sessions_left_running"] = stop_sshd(sshd)
        if not opts.skip_writes:
            raw = writes(opts, codex, thread_id)
            result["writes"] = summarize_writes(raw)
            result["writes_raw"] = raw
    save_and_report(result, opts.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
