"""Parsed files cached by content hash, so an unchanged file is never parsed twice.

The cache maps a hash of a file's bytes (and of the parser's version) to (exact?, data).
It lives outside the site root (``$LIAISON_CACHE_DIR``, else ``$XDG_CACHE_HOME/liaison``, else
``~/.cache/liaison``), one pickle file per site root, written by this program only. A cache that cannot be read or written
is simply not used: it only ever saves time.

The file begins with the parsers' version (``_HEAD``), read before anything is unpickled: a
cache of another version (another release, another YAML library, or a file of the format
before this one) is not unpickled at all, and the run that finds it replaces it (or removes
it, with nothing to keep). A cache of every file of a 10,000-physician site, left by a run
whose fast parser was missing, is 73 MB: unpickled only to be refused, it cost every later
``validate`` 1.3-1.7 s, and was never written again.
"""
from __future__ import annotations

import hashlib
import pickle
import os
import tempfile
from pathlib import Path

def _parser_fingerprint() -> bytes:
    """The parsers' own code and versions: a change to any of them invalidates the cache."""
    from liaison import __version__, yamlio

    h = hashlib.blake2b(digest_size=16)
    for part in (__version__, getattr(yamlio.yaml, "__version__", ""),
                 getattr(yamlio.yaml_rs, "__version__", "")):
        h.update(str(part).encode() + b"\0")
    try:
        h.update(Path(yamlio.__file__).read_bytes())
    except OSError:
        pass
    return h.digest()


CACHE_VERSION = b"liaison-parse-2-" + _parser_fingerprint()
# What a parse cache file begins with: its format and the parsers' version
_HEAD = b"liaison parse cache\n" + len(CACHE_VERSION).to_bytes(2, "big") + CACHE_VERSION


def cache_folder() -> Path:
    """The folder of this program's cache files: ``$LIAISON_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/liaison``, else ``~/.cache/liaison``."""
    return Path(os.environ.get("LIAISON_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "liaison",
    ))


def move_cache(outside: str) -> str:
    """What to set so that the cache folder is outside ``outside``: the variable that put
    it where it is."""
    if os.environ.get("LIAISON_CACHE_DIR"):
        return f"set $LIAISON_CACHE_DIR to a folder outside {outside}, or unset it to use the default"
    return f"set $XDG_CACHE_HOME, or $LIAISON_CACHE_DIR, to a folder outside {outside}"


def refuse_cache_among_inputs(root: Path) -> None:
    """A LiaisonError where the cache folder is in the site ``root``'s data/, content/ or
    templates/: its files would be read as inputs (its compiled templates as templates:
    every later check failed) or committed with the records."""
    from liaison.discover import input_tree
    from liaison.errors import LiaisonError

    folder = cache_folder().resolve()
    tree = input_tree(root.resolve(), folder)
    if tree:
        raise LiaisonError(
            f"the cache folder '{folder}' is in the site's {tree}/ folder, which every "
            f"command reads ({move_cache('data/, content/ and templates/')})")


def refuse_cache_in_output(out: Path, resolved: Path) -> None:
    """A LiaisonError where the cache folder is the output folder ``out`` (``resolved``) or
    in it: the cache made there first, the build then refused its own output as a folder it
    did not make, every time."""
    from liaison.errors import LiaisonError

    folder = cache_folder().resolve()
    if folder == resolved or resolved in folder.parents:
        raise LiaisonError(f"the cache folder '{folder}' is in the output folder '{out}', "
                           f"which every build replaces ({move_cache(str(out))})")


def cache_file(root: Path, kind: str, suffix: str) -> Path:
    """Where this program keeps what it knows of a site root between runs (never inside it)."""
    name = hashlib.blake2b(os.fsencode(root.resolve()), digest_size=8).hexdigest()
    return cache_folder() / f"{kind}-{name}.{suffix}"


def kept_for(folder: Path, version: str) -> bool:
    """Whether ``folder`` can keep what this program makes for ``version`` (files whose
    names begin with it): made if missing, the files of other versions removed, and
    writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with os.scandir(folder) as entries:
            stale = [e.path for e in entries if not e.name.startswith(version)]
        for path in stale:
            os.unlink(path)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def keep(path: Path, dump) -> None:
    """Write one of this program's cache files in one step: ``dump(binary file)`` into a
    temporary file beside it, renamed over it. A failure only costs time next run."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            dump(fh)
        os.replace(tmp, path)
    except (OSError, ValueError, pickle.PicklingError):
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


class ParseCache:
    MISS = object()

    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict[bytes, object] = {}
        self.new: dict[bytes, object] = {}
        self.stale = False  # a file is there that this version does not use: ``save`` replaces it
        # When a dict: the hashes of the files read whole, by relative path, as the build
        # record keeps them (liaison.buildrecord.Hashes.complete)
        self.digests: dict[str, str] | None = None
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    if fh.read(len(_HEAD)) == _HEAD:
                        loaded = pickle.load(fh)
                        if isinstance(loaded, dict):
                            self.old = loaded
                        else:
                            self.stale = True
                    else:  # another version's: not unpickled
                        self.stale = True
            except FileNotFoundError:
                pass
            except Exception:  # a damaged cache file is just not used
                self.old, self.stale = {}, True

    @classmethod
    def for_root(cls, root: Path) -> "ParseCache":
        return cls(cache_file(root, "parsed", "pickle"))

    @staticmethod
    def key(raw: bytes) -> bytes:
        return hashlib.blake2b(raw, digest_size=16, key=CACHE_VERSION).digest()

    def get(self, key: bytes):
        value = self.new.get(key, self.MISS)
        if value is self.MISS:
            value = self.old.get(key, self.MISS)
            if value is not self.MISS:
                self.new[key] = value
        return value

    def put(self, key: bytes, value) -> None:
        self.new[key] = value

    def child(self) -> "ParseCache":
        """A cache for a worker: reads this one's entries, collects its own new ones."""
        other = ParseCache(None)
        other.old = self.old
        other.digests = None if self.digests is None else {}
        return other

    def adopt(self, entries: dict, digests: dict | None = None) -> None:
        """Take the entries a worker used or added (and the hashes of the files it read)."""
        self.new.update(entries)
        if digests and self.digests is not None:
            self.digests.update(digests)

    def save(self) -> None:
        """Keep the entries of this run only (files that no longer exist drop out); with none,
        no file (a stale one removed)."""
        if self.path is None or (self.new.keys() == self.old.keys() and not self.stale):
            return
        if not self.new:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            return

        def dump(fh) -> None:
            fh.write(_HEAD)
            pickle.dump(self.new, fh, protocol=5)

        keep(self.path, dump)
