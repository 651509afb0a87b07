"""Reading a git revision of a site root without touching the working tree: ``git archive``
of the site root's folder into a temporary one (what ``changes`` compares). Only ``git`` on
the PATH is needed (no git library).
"""
from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from liaison.errors import LiaisonError

# What a revision's site root holds that validation reads (template overrides included: they
# are checked too).
_SITE_ENTRIES = ("site.yaml", "site.yml", "data", "content", "templates")

class ChangesError(LiaisonError):
    """The revisions cannot be compared (not a git repository, unknown revision, no site)."""


# --------------------------------------------------------------------------- git


def _git(top: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(top), *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise ChangesError("git is not installed (or not on the PATH)") from None
    except OSError as exc:
        raise ChangesError(f"cannot run git: {exc.strerror or exc}") from None


def _message(proc: subprocess.CompletedProcess) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    lines = [line.removeprefix("fatal: ").removeprefix("error: ") for line in text.splitlines()
             if line.strip()]
    return "; ".join(lines) or f"git exited with status {proc.returncode}"


def toplevel(repo: Path) -> Path:
    if not repo.is_dir():
        raise ChangesError(f"'{repo}' is not a folder")
    proc = _git(repo, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise ChangesError(f"'{repo}' is not a git repository: {_message(proc)}")
    return Path(proc.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


def commit_of(top: Path, rev: str) -> str:
    """The commit id a revision names, or ChangesError with git's message."""
    if not rev or rev.startswith("-") or "\0" in rev:
        raise ChangesError(f"'{rev}' is not a revision")
    proc = _git(top, "rev-parse", f"{rev}^{{commit}}", "--")
    if proc.returncode != 0:
        msg = _message(proc).replace(f"{rev}^{{commit}}", rev)
        raise ChangesError(f"unknown revision '{rev}': {msg}{_why_unknown(top)}")
    return proc.stdout.decode().split()[0]


def _why_unknown(top: Path) -> str:
    """Why a revision may be missing when the repository is the cause, not its name: no
    commit yet (a site just put under git), or a shallow clone that never fetched the base
    (`git clone --depth 1`, CI's checkout without ``fetch-depth: 0``). git says "bad
    revision" alike for a typo and for these."""
    if _git(top, "rev-parse", "--verify", "-q", "HEAD").returncode != 0 and \
            not _git(top, "for-each-ref", "--count=1").stdout.strip():
        return " (the repository has no commit yet: commit the site first, then compare)"
    shallow = _git(top, "rev-parse", "--is-shallow-repository")
    if shallow.returncode == 0 and shallow.stdout.strip() == b"true":
        return (" (this clone is shallow: the revision may not have been fetched; "
                "`git fetch --unshallow origin`, or in CI a checkout with `fetch-depth: 0`)")
    return ""


def site_rel(top: Path, repo: Path, root: str) -> str:
    """The site root as a '/'-separated path inside the repository ('' for its top)."""
    site = (repo / root).resolve()
    try:
        rel = site.relative_to(top)
    except ValueError:
        raise ChangesError(f"the site root '{site}' is not inside the git repository {top}") from None
    return rel.as_posix() if rel.parts else ""


def export(top: Path, commit: str, rev: str, rel: str, dest: Path) -> Path:
    """The site root at ``commit`` as files under ``dest`` (via git archive, no checkout)."""
    where = f"'{rel}'" if rel else "the repository's top folder"
    tree = f"{commit}:{rel}"
    proc = _git(top, "ls-tree", "-z", "--name-only", tree)
    if proc.returncode != 0:
        raise ChangesError(f"no site root {where} at revision '{rev}': {_message(proc)}")
    entries = {e.decode("utf-8", "surrogateescape") for e in proc.stdout.split(b"\0") if e}
    if not entries & {"site.yaml", "site.yml"}:
        raise ChangesError(f"no site.yaml in {where} at revision '{rev}'")
    wanted = [e for e in _SITE_ENTRIES if e in entries]
    dest.mkdir(parents=True)
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                ["git", "-C", str(top), "archive", "--format=tar", tree, "--", *wanted],
                stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise ChangesError(f"cannot run git: {exc.strerror or exc}") from None
        failure = None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                for member in tar:
                    if not _inside(member):
                        continue
                    if member.isreg() or member.isdir():
                        tar.extract(member, dest, **_FILTER)
                    elif member.issym() or member.islnk():
                        _link_placeholder(dest, member.name)
        except (tarfile.TarError, OSError) as exc:
            failure = str(exc)
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            err.seek(0)
            msg = err.read().decode("utf-8", "replace").strip().removeprefix("fatal: ")
            raise ChangesError(f"git archive of '{rev}' failed: {msg or f'exit status {code}'}")
        if failure is not None:
            raise ChangesError(f"cannot unpack revision '{rev}': {failure}")
    return dest


# tarfile's extraction filters exist from Python 3.11.4 on; extracting only plain files and
# folders whose names stay inside (_inside) is enough without them.
_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


# What a link of a revision is extracted as: a link to nothing. Validating the export then
# reports it at its path, as it reports a link of the working tree (SPEC §1: an error, never
# followed); what the link pointed at is never written.
PLACEHOLDER = ".liaison-link-not-extracted"


def _inside(member: tarfile.TarInfo) -> bool:
    """Whether a member's name stays inside the export."""
    parts = PurePosixPath(member.name).parts
    return bool(parts) and not member.name.startswith("/") and ".." not in parts


def _link_placeholder(dest: Path, name: str) -> None:
    """A symbolic or hard link of the revision -> a dangling link at its path (its target is
    never extracted nor followed). Other special members (git archive writes none) are left
    out."""
    path = dest.joinpath(*PurePosixPath(name).parts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(PLACEHOLDER, path)
    except OSError:  # a folder of the same name, or a parent that is a link itself
        pass


# --------------------------------------------------------------------------- the summary
