"""A generator of hostile CODEX_HOMEs: what years of real use leave behind.

`build_hostile_home(dest, seed)` writes, beside a few intact fixture sessions:
- every fixture rollout cut at a random byte offset (twice: once under its own name, once
  under another thread's id);
- files of garbage lines, of 100,000-level JSON nesting, of valid JSON with the wrong type in
  every field (`"cwd": 5`, `"payload": []`, nonsense timestamps, negative token counts), of
  non-UTF-8 bytes, lone surrogates and NUL bytes; empty files; optionally a 50 MB single line;
- directories named like rollouts, a FIFO named like one, symlinks (a loop, a dangling link,
  a link out of CODEX_HOME, a folder link back up the tree);
- a `session_index.jsonl` and a `history.jsonl` holding all of the above;
- Codex SQLite files that are corrupt, or point at missing and wrong files.

Deterministic for a seed. Nothing here imports the project: the corpus describes the files,
the tests decide what the tool must make of them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from support.homes import FIXTURE_HOME

DEPTH = 100_000  # levels of nesting in the deep lines
WRONG_VALUES: list[object] = [5, -1, [], {}, None, True, "nonsense", "2026-99-99T99:99:99Z",
                              -(2**63), 1e308, "\u202e\x1b[31m", [[[]]]]
HUGE_LINE_BYTES = 50 * 1024 * 1024


@dataclass
class HostileHome:
    path: Path
    outside: Path  # a folder beside the home, which a symlink points into
    rollouts: list[Path] = field(default_factory=list)  # every regular rollout file written
    cases: dict[str, list[Path]] = field(default_factory=dict)  # what each kind wrote

    def add(self, case: str, path: Path) -> None:
        self.cases.setdefault(case, []).append(path)
        if path.is_file() and not path.is_symlink():
            self.rollouts.append(path)


def tid(path: Path) -> str:
    """The thread id in a rollout file's name."""
    return path.name[-42:-6]


def fixture_rollouts() -> list[Path]:
    return sorted(FIXTURE_HOME.glob("sessions/**/rollout-*.jsonl")) + \
        sorted(FIXTURE_HOME.glob("archived_sessions/rollout-*.jsonl"))


def _uuid(rng: random.Random) -> str:
    # UUIDv7-shaped, so it sorts among real ids; random bits from the seed.
    value = rng.getrandbits(128)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def _name(day: str, stamp: str, thread_id: str) -> str:
    return f"rollout-{day}T{stamp}-{thread_id}.jsonl"


def _line(kind: str, payload: object, ts: str = "2026-11-19T10:00:00.000Z") -> bytes:
    # json, not orjson: it writes integers past 64 bits, which other tools may leave.
    return json.dumps({"timestamp": ts, "type": kind, "payload": payload}).encode() + b"\n"


def _meta(thread_id: str, cwd: object = "/home/dev/hostile") -> bytes:
    return _line("session_meta", {"id": thread_id, "timestamp": "2026-11-19T10:00:00.000Z",
                                  "cwd": cwd, "originator": "codex_cli_rs",
                                  "cli_version": "0.169.0", "source": "cli"})


def _user(text: str) -> bytes:
    return _line("response_item", {"type": "message", "role": "user",
                                   "content": [{"type": "input_text", "text": text}]})


def _agent(text: str) -> bytes:
    return _line("response_item", {"type": "message", "role": "assistant",
                                   "content": [{"type": "output_text", "text": text}]})


def _deep(opening: bytes, closing: bytes) -> bytes:
    return opening * DEPTH + closing * DEPTH + b"\n"


def mutate(value: object, rng: random.Random, depth: int = 0) -> object:
    """The same JSON shape with the wrong type in every field."""
    if isinstance(value, dict):
        return {key: (rng.choice(WRONG_VALUES) if depth >= 2 or not isinstance(v, dict | list)
                      else mutate(v, rng, depth + 1)) for key, v in value.items()}
    if isinstance(value, list):
        return [mutate(v, rng, depth + 1) for v in value]
    return rng.choice(WRONG_VALUES)


def build_hostile_home(dest: Path, seed: int = 0, huge: bool = False) -> HostileHome:
    rng = random.Random(seed)
    home = HostileHome(dest, dest.parent / f"{dest.name}-outside")
    day = dest / "sessions" / "2026" / "11" / "19"
    day.mkdir(parents=True)
    (dest / "archived_sessions").mkdir()
    home.outside.mkdir()
    sources = fixture_rollouts()

    # A few intact sessions, so that damage sits among healthy rows.
    for src in sources[:3]:
        target = dest / src.relative_to(FIXTURE_HOME)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        home.add("intact", target)

    # Every fixture cut at a random offset: under its own name, then under a new id.
    cut_day = dest / "sessions" / "2026" / "11" / "20"
    cut_day.mkdir(parents=True)
    for src in sources:
        data = src.read_bytes()
        for n, folder in enumerate((cut_day, day)):
            cut = rng.randrange(0, len(data))
            stamp = f"09-{n:02d}-{rng.randrange(60):02d}"
            name = src.name if n == 0 else _name("2026-11-19", stamp, _uuid(rng))
            path = folder / name
            if path.exists():
                continue  # the fixture already written intact above
            path.write_bytes(data[:cut])
            home.add("truncated", path)

    # The wrong type in every field, from real lines.
    real = sources[min(5, len(sources) - 1)].read_bytes().splitlines()
    for n in range(12):
        thread_id = _uuid(rng)
        lines = []
        for raw in real:
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            lines.append(orjson.dumps(mutate(obj, rng)) + b"\n")
        if n % 2:  # half of them keep a readable session_meta, so they list under their id
            lines.insert(0, _meta(thread_id, cwd=rng.choice(WRONG_VALUES)))
        path = day / _name("2026-11-19", f"10-{n:02d}-00", thread_id)
        path.write_bytes(b"".join(lines))
        home.add("wrong_types", path)

    # Per-field wrong types on a small hand-made session: each top field of each record.
    base = [_meta("PLACEHOLDER"), _user("hello"), _agent("hi"),
            _line("event_msg", {"type": "token_count", "info": {
                "total_token_usage": {"input_tokens": 10, "output_tokens": 5,
                                      "total_tokens": 15}}}),
            _line("turn_context", {"cwd": "/home/dev/hostile", "model": "gpt-5"})]
    for n, value in enumerate(WRONG_VALUES):
        thread_id = _uuid(rng)
        lines = []
        for raw in base:
            obj = orjson.loads(raw.replace(b"PLACEHOLDER", thread_id.encode()))
            key = rng.choice(["timestamp", "type", "payload"])
            obj[key] = value
            if isinstance(obj.get("payload"), dict) and obj["payload"]:
                inner = rng.choice(sorted(obj["payload"]))
                obj["payload"][inner] = rng.choice(WRONG_VALUES)
            lines.append(orjson.dumps(obj) + b"\n")
        path = day / _name("2026-11-19", f"11-{n:02d}-00", thread_id)
        path.write_bytes(b"".join(lines))
        home.add("field_types", path)
    tokens_id = _uuid(rng)
    path = day / _name("2026-11-19", "11-59-00", tokens_id)
    path.write_bytes(_meta(tokens_id) + _user("count me") + _line("event_msg", {
        "type": "token_count", "info": {"total_token_usage": {
            "input_tokens": -5, "output_tokens": -(2**70), "cached_input_tokens": "many",
            "total_tokens": -1}, "model_context_window": -3}}))
    home.add("negative_tokens", path)

    # Bytes no JSON parser likes.
    def garbage_file(case: str, stamp: str, *extra: bytes) -> None:
        thread_id = _uuid(rng)
        path = day / _name("2026-11-19", stamp, thread_id)
        path.write_bytes(_meta(thread_id) + _user(f"{case} follows") + b"".join(extra)
                         + _agent("still here"))
        home.add(case, path)

    garbage_file("garbage", "12-00-00",
                 *(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) + b"\n"
                   for _ in range(20)))
    garbage_file("deep_nesting", "12-01-00", _deep(b"[", b"]"), _deep(b'{"a":', b"}"),
                 b'{"type":"response_item","payload":' + _deep(b"[", b"]"))
    garbage_file("non_utf8", "12-02-00",
                 _user("caf\u00e9").replace(b"\xc3\xa9", b"\xe9\xff\xfe"),
                 b'{"type":"response_item","payload":{"type":"message","role":"user",'
                 b'"content":[{"type":"input_text","text":"\x80\x81\xc0\xaf"}]}}\n')
    garbage_file("lone_surrogates", "12-03-00",
                 b'{"type":"response_item","payload":{"type":"message","role":"user",'
                 b'"content":[{"type":"input_text","text":"a\\ud800b\\udfffc"}]}}\n',
                 b'{"type":"session_meta","payload":{"id":"\\udc80"}}\n')
    garbage_file("nul_bytes", "12-04-00", b"\x00" * 64 + b"\n",
                 _user("nul\x00inside").replace(b"\\u0000", b"\x00"),
                 b'{"type":"event_msg",\x00"payload":{}}\n')
    garbage_file("no_newline_at_end", "12-05-00", b'{"type":"response_item","payload":{')
    garbage_file("crlf_and_blank", "12-06-00", b"\r\n\r\n   \n",
                 _user("windows line").replace(b"\n", b"\r\n"))
    for n, content in enumerate([b"", b"\n", b"\n\n\n", b" ", b"null\n", b"[]\n", b"{}\n",
                                 b'"just a string"\n', b"\xef\xbb\xbf" + _meta(_uuid(rng))]):
        path = day / _name("2026-11-19", f"13-{n:02d}-00", _uuid(rng))
        path.write_bytes(content)
        home.add("empty_or_bare", path)
    if huge:
        thread_id = _uuid(rng)
        path = day / _name("2026-11-19", "14-00-00", thread_id)
        with open(path, "wb") as out:
            out.write(_meta(thread_id))
            out.write(b'{"timestamp":"2026-11-19T10:00:01.000Z","type":"response_item",'
                      b'"payload":{"type":"message","role":"user","content":[{"type":'
                      b'"input_text","text":"')
            chunk = b"the fifty megabyte line " * 4096
            for _ in range(HUGE_LINE_BYTES // len(chunk)):
                out.write(chunk)
            out.write(b'"}]}}\n')
            out.write(_agent("after the huge line"))
        home.add("huge_line", path)

    # Things named like rollouts that are not regular files.
    folder = day / _name("2026-11-19", "15-00-00", _uuid(rng))
    folder.mkdir()
    home.add("directory", folder)
    fifo = day / _name("2026-11-19", "15-01-00", _uuid(rng))
    os.mkfifo(fifo)
    home.add("fifo", fifo)
    a = day / _name("2026-11-19", "15-02-00", _uuid(rng))
    b = day / _name("2026-11-19", "15-03-00", _uuid(rng))
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    home.add("symlink_loop", a)
    dangling = day / _name("2026-11-19", "15-04-00", _uuid(rng))
    dangling.symlink_to("nowhere.jsonl")
    home.add("dangling_symlink", dangling)
    outside_id = _uuid(rng)
    outside_file = home.outside / "elsewhere.jsonl"
    outside_file.write_bytes(_meta(outside_id) + _user("I live outside CODEX_HOME")
                             + _agent("and yet I am listed"))
    link = day / _name("2026-11-19", "15-05-00", outside_id)
    link.symlink_to(outside_file)
    home.add("symlink_out", link)
    (day / "loop").symlink_to("..")  # a folder link back up: never walked
    (dest / "sessions" / "2026" / "99").mkdir()  # a month that cannot be
    (dest / "sessions" / "2026" / "99" / "rollout-garbage.jsonl").write_bytes(b"\x00\x01")

    # An archived copy that is cut short, and a thread in both places.
    archived_src = sources[-1]
    data = archived_src.read_bytes()
    arch = dest / "archived_sessions" / archived_src.name
    if not arch.exists():
        arch.write_bytes(data[: len(data) // 2])
        home.add("archived_truncated", arch)
    both = dest / "archived_sessions" / sources[0].name
    shutil.copyfile(sources[0], both)
    home.add("active_and_archived", both)

    _hostile_jsonl(dest / "session_index.jsonl", rng, [
        orjson.dumps({"id": tid(p), "thread_name": "a [bold]name[/] \x1b[31m",
                      "updated_at": "2026-11-19T10:00:00Z"}) + b"\n"
        for p in home.rollouts[:5]])
    _hostile_jsonl(dest / "history.jsonl", rng, [
        orjson.dumps({"session_id": tid(p), "ts": 1795000000 + n,
                      "text": f"prompt {n} [red]x[/]"}) + b"\n"
        for n, p in enumerate(home.rollouts[:8])] + [
        orjson.dumps({"session_id": _uuid(rng), "ts": 1795000100, "text": "gone session"})
        + b"\n"])
    _hostile_sqlite(dest, rng, home)
    return home


def _hostile_jsonl(path: Path, rng: random.Random, good: list[bytes]) -> None:
    bad = [
        b"not json at all\n", b"\x00\x00\x00\n", b"\xff\xfe\xfd\n", _deep(b"[", b"]"),
        b'{"id": 5, "thread_name": [], "updated_at": "yesterday"}\n',
        b'{"session_id": {}, "ts": "soon", "text": 7}\n',
        b'{"session_id": "\\ud800", "ts": -1, "text": "lone \\udfff surrogate"}\n',
        b"[]\n", b"null\n", b"\n", b'{"id": "x"', b"\r\n",
    ]
    lines = good + bad
    rng.shuffle(lines)
    path.write_bytes(b"".join(lines) + b'{"cut": "mid-li')


def _hostile_sqlite(dest: Path, rng: random.Random, home: HostileHome) -> None:
    (dest / "state_5.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(
        rng.randrange(256) for _ in range(4096)))
    db = sqlite3.connect(dest / "thread_history_1.sqlite")
    try:
        db.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT)")
        db.executemany("INSERT INTO threads VALUES (?, ?)", [
            (_uuid(rng), str(dest / "sessions" / "missing.jsonl")),
            (_uuid(rng), str(home.rollouts[0]) if home.rollouts else "/dev/null"),
            ("not-an-id", "/etc/passwd")])
        db.commit()
    finally:
        db.close()
    (dest / "state_5.sqlite-wal").write_bytes(b"\x00" * 100)


def snapshot_tree(root: Path) -> dict[str, tuple]:
    """Every entry's bytes digest (for regular files), link target, mode and mtime, without
    following links or opening FIFOs: to prove a run changed nothing."""
    import hashlib
    import stat

    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                digest = "-> " + os.readlink(path)
            else:
                digest = stat.filemode(st.st_mode)
            seen[rel] = (digest, st.st_mode, st.st_mtime_ns, st.st_size)
    return seen
