"""Where evidence bytes live: a small key → bytes interface and a local-folder implementation.

Keys are content-addressed (`content_key`): a key always names the same bytes, so storing it
twice is harmless and the media job can be retried freely (R5). Callers depend on `Storage`,
so an object store can replace the folder later without touching them.
"""

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

KINDS = ("originals", "display", "thumbs", "files")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[a-z0-9]{1,8}")


class Storage(Protocol):
    """Evidence bytes by key; a folder today, perhaps an object store later."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`; storing the same key again is fine."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`; KeyError if there are none."""

    def exists(self, key: str) -> bool:
        """Whether bytes are stored under `key`."""


def content_key(kind: str, sha256: str, ext: str) -> str:
    """The key for content by its sha256, e.g. `originals/ab/cd/abcd….jpg`.

    The first two byte pairs of the hash become folders, so no folder grows past 256 entries
    per level however many photos arrive.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown storage kind: {kind!r}")
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a lowercase sha256 hex digest: {sha256!r}")
    if not _EXT.fullmatch(ext):
        raise ValueError(f"bad file extension: {ext!r}")
    return f"{kind}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


class LocalStorage:
    """Storage in a folder: key `a/b/c.jpg` is the file `<root>/a/b/c.jpg`.

    Files are created readable by the app's own user only (0600): evidence originals carry GPS.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def put(self, key: str, data: bytes) -> None:
        """Write `data` under `key` atomically; an existing file is replaced.

        The bytes go to a temporary file in the same folder, are synced, then renamed over the
        target (`os.replace` is atomic on one file system), so a reader or a crash never sees a
        half-written photo; the temporary file is removed if anything fails.
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def get(self, key: str) -> bytes:
        """The bytes under `key`; KeyError if there are none."""
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        """Whether a file is stored under `key`."""
        return self._path(key).is_file()

    def _path(self, key: str) -> Path:
        """The file for `key`, refusing any key that could leave the root folder.

        Refused: `..` anywhere, absolute paths, backslashes, NUL, empty or dot-led segments
        (the last also keeps keys apart from the `.…tmp` files `put` writes).
        """
        parts = key.split("/")
        unsafe = ".." in key or "\\" in key or "\x00" in key
        if unsafe or any(not part or part.startswith(".") for part in parts):
            raise ValueError(f"unsafe storage key: {key!r}")
        return self.root.joinpath(*parts)
