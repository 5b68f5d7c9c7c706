"""Local copies of a server's rollout files, fetched with the app-server's `fs/readFile`.

A transcript is read from the rollout itself, by the same reader as local sessions: every
record Codex wrote, every format generation, exactly as `show` gives it on that machine.
(Codex's own `thread/turns/list` returns what its SQLite projection holds: nothing for a
paginated thread whose projection is missing, and a summary of each item.) A copy is kept
in the cache directory (a folder per server, private to the user) and fetched again only
when the server says the file changed; a file that grew is appended to its copy, so a
follower of the copy reads just the new lines.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import threading
import time
import zlib

from ..cache import cache_dir
from ..paths import ARCHIVED, RolloutFile, parse_rollout_name
from .jsonrpc import AppServerClient, AppServerError, MethodNotFound

MIRROR_MAX_BYTES = 2 * 1024**3  # copies beyond this are pruned, least recently used first
READ_TIMEOUT = 300.0  # fs/readFile of a 30 MB rollout over a slow link


class MirrorError(AppServerError):
    pass


def mirror_root(key: str) -> str:
    """The folder of one server's copies (`key`: the command that reaches it)."""
    digest = f"{zlib.crc32(key.encode()):08x}"
    return os.path.join(cache_dir(), "remote", digest)


class Mirror:
    """Copies of one server's files under `root`, laid out as its CODEX_HOME is."""

    def __init__(self, client: AppServerClient, root: str, remote_home: str | None) -> None:
        self.client = client
        self.root = root
        self.remote_home = remote_home.rstrip("/") if remote_home else None
        self._lock = threading.Lock()
        self._pruned = False

    def local_path(self, remote_path: str) -> str:
        home = self.remote_home
        if home and remote_path.startswith(home + "/"):
            rel = remote_path[len(home) + 1:]
        else:  # outside the home (Codex lists what its index says): keep the file name
            rel = os.path.join("_elsewhere", f"{zlib.crc32(remote_path.encode()):08x}",
                               os.path.basename(remote_path))
        parts = [p for p in rel.split("/") if p not in ("", ".", "..")]
        return os.path.join(self.root, *parts)

    def remote_label(self, local_path: str) -> str:
        """What a problem about a copy should name: the file on the server."""
        if self.remote_home and local_path.startswith(self.root + os.sep):
            return self.remote_home + "/" + local_path[len(self.root) + 1:]
        return local_path

    def modified_ms(self, remote_path: str) -> int | None:
        """The server's mtime of the file (ms), or None when it is not there."""
        try:
            meta = self.client.request("fs/getMetadata", {"path": remote_path})
        except AppServerError:
            return None
        if not isinstance(meta, dict) or not meta.get("isFile"):
            return None
        value = meta.get("modifiedAtMs")
        return value if isinstance(value, int) else None

    def fetch(self, remote_path: str, modified_ms: int | None = None,
              force: bool = False) -> str:
        """The local copy of `remote_path`, fetched now unless the copy is as new as the
        server's file (`modified_ms`, asked for when not given)."""
        local = self.local_path(remote_path)
        if modified_ms is None:
            modified_ms = self.modified_ms(remote_path)
        with self._lock:
            if not force and modified_ms is not None and _mtime_ms(local) == modified_ms:
                with contextlib.suppress(OSError):
                    os.utime(local, ns=(time.time_ns(), modified_ms * 1_000_000))  # recently used
                return local
        try:
            result = self.client.request("fs/readFile", {"path": remote_path},
                                         timeout=READ_TIMEOUT)
        except MethodNotFound:
            raise  # an older Codex: the caller reads the thread another way
        except AppServerError as exc:
            raise MirrorError(f"cannot read {remote_path} on {self.client.label}: {exc}",
                              exc.code, "fs/readFile") from None
        encoded = result.get("dataBase64") if isinstance(result, dict) else None
        if not isinstance(encoded, str):
            raise MirrorError(f"{self.client.label} sent no data for {remote_path}")
        data = base64.b64decode(encoded)
        with self._lock:
            _store(local, data)
            if modified_ms is not None:
                os.utime(local, ns=(time.time_ns(), modified_ms * 1_000_000))
        if not self._pruned:
            self._pruned = True
            prune(self.root)
        return local

    def rollout_file(self, local: str) -> RolloutFile | None:
        name = parse_rollout_name(os.path.basename(local))
        if name is None:
            return None
        st = os.stat(local)
        archived = os.path.basename(os.path.dirname(local)) == ARCHIVED
        return RolloutFile(local, name, archived, st.st_size, st.st_mtime_ns, st.st_ino)


def _mtime_ms(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns // 1_000_000
    except OSError:
        return None


def _store(local: str, data: bytes) -> None:
    """Write `data` as the copy: appended when it extends the copy (a follower of the copy
    sees the new lines), else replaced through a temporary file (a follower starts over)."""
    os.makedirs(os.path.dirname(local), mode=0o700, exist_ok=True)
    try:
        size = os.path.getsize(local)
    except OSError:
        size = -1
    if 0 <= size <= len(data):
        with open(local, "rb") as old:
            same = old.read(size) == data[:size]
        if same:
            if size < len(data):
                with open(local, "ab") as out:
                    out.write(data[size:])
            return
    fd, tmp = tempfile.mkstemp(prefix=".copy-", dir=os.path.dirname(local))
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, local)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def prune(root: str, limit: int = MIRROR_MAX_BYTES) -> None:
    """Delete the least recently used copies until the folder holds at most `limit` bytes."""
    files: list[tuple[int, int, str]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                st = os.stat(path)
                files.append((st.st_atime_ns, st.st_size, path))
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            total -= size
