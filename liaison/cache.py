"""Parsed files cached by content hash, so an unchanged file is never parsed twice.

The cache maps a hash of a file's bytes (and of the parser's version) to its canonical data.
It lives outside the site root (``$LIAISON_CACHE_DIR``, else ``$XDG_CACHE_HOME/liaison``, else
``~/.cache/liaison``), one marshal file per site root. A cache that cannot be read or written
is simply not used: it only ever saves time.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path

# Bump when canonical data changes shape, so old entries are never trusted.
CACHE_VERSION = b"liaison-parse-1"


class ParseCache:
    MISS = object()

    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict[bytes, object] = {}
        self.new: dict[bytes, object] = {}
        self.hits = 0
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    loaded = marshal.load(fh)
                if isinstance(loaded, dict):
                    self.old = loaded
            except (OSError, EOFError, ValueError, TypeError):
                self.old = {}

    @classmethod
    def for_root(cls, root: Path) -> "ParseCache":
        base = os.environ.get("LIAISON_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "liaison",
        )
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
        return cls(Path(base) / f"parsed-{name}.marshal")

    @staticmethod
    def key(raw: bytes) -> bytes:
        return hashlib.blake2b(raw, digest_size=16, key=CACHE_VERSION).digest()

    def get(self, key: bytes):
        value = self.new.get(key, self.MISS)
        if value is self.MISS:
            value = self.old.get(key, self.MISS)
            if value is not self.MISS:
                self.hits += 1
                self.new[key] = value
        return value

    def put(self, key: bytes, value) -> None:
        self.new[key] = value

    def save(self) -> None:
        """Keep the entries of this run only (files that no longer exist drop out)."""
        if self.path is None or self.new.keys() == self.old.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(self.new, fh)
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            pass
