"""`init [DIR]`: a new site root to start from (SPEC §5).

What it writes is stored in the package, in ``liaison/starter/`` (shipped in the wheel as
package data), plus what is generated from the record models by ``liaison.schema``: the JSON
Schemas (``write_schemas``, the same files as ``liaison schema``) and the editor settings that
map the YAML files to them (``vscode_yaml_schemas``). In ``starter/`` a first path component
``dot-NAME`` stands for ``.NAME`` (``dot-gitignore`` is ``.gitignore``), so that no stored file is
hidden from the package-data globs; the dates of the example records are written
``@DATE-14@`` (14 days before the date of the run) so that the examples are recent on any day.

Nothing is written into a folder that holds anything, and nothing is left half-done: the
files are written into a temporary folder first and checked the way ``validate`` checks a
site root (no error, no warning), then the temporary folder is renamed into place (a new DIR)
or its entries are moved into the empty DIR, each without replacing anything, and moved back
if one of them fails.

``create_site(target, today)`` does it and returns the paths written; ``next_steps`` is what the
command prints then. The command ``init`` itself is in ``liaison.cli``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from liaison.errors import LiaisonError

STARTER = Path(__file__).parent / "starter"
DOT = "dot-"  # starter/dot-NAME -> DIR/.NAME (first path component only)
DATE_TOKEN = re.compile(r"@DATE(?:([+-])(\d{1,4}))?@( *)")


# ------------------------------------------------------------------------------ the files


def site_path(stored: str) -> str:
    """The path in the new site of a file stored at ``starter/<stored>``."""
    first, sep, rest = stored.partition("/")
    if first.startswith(DOT):
        first = "." + first[len(DOT):]
    return first + sep + rest


def starter_files() -> dict[str, str]:
    """Path in the new site -> path under ``liaison/starter/``, for every stored file."""
    out = {}
    for path in sorted(STARTER.rglob("*")):
        stored = path.relative_to(STARTER).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
            out[site_path(stored)] = stored
    return dict(sorted(out.items()))


def fill_dates(text: str, today: dt.date) -> str:
    """``@DATE@``, ``@DATE-14@``, ``@DATE+7@`` -> the date that many days from ``today``
    (the blanks after a token shrink by what the date is longer: comments stay aligned)."""
    def date(match: re.Match) -> str:
        sign, days, blanks = match.group(1), int(match.group(2) or 0), match.group(3)
        text = (today + dt.timedelta(days=-days if sign == "-" else days)).isoformat()
        if blanks:
            token = len(match.group(0)) - len(blanks)
            blanks = " " * max(1, len(blanks) - (len(text) - token))
        return text + blanks

    return DATE_TOKEN.sub(date, text)


def vscode_settings() -> str:
    """``.vscode/settings.json``: the YAML files mapped to the schemas in ``schemas/``."""
    from liaison.schema import vscode_yaml_schemas

    return json.dumps({"yaml.schemas": vscode_yaml_schemas()}, indent=2) + "\n"


def stored_files(today: dt.date) -> dict[str, bytes]:
    """The starter files as written into a new site on ``today`` (site path -> bytes)."""
    files = {}
    for dest, stored in starter_files().items():
        data = (STARTER / stored).read_bytes()
        if dest.startswith("data/"):
            data = fill_dates(data.decode("utf-8"), today).encode("utf-8")
        files[dest] = data
    files[".vscode/settings.json"] = vscode_settings().encode("utf-8")
    return files


def _write_all(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Write ``files`` and the JSON Schemas into the (new, empty) ``folder``; the site paths
    written, sorted."""
    from liaison.schema import write_schemas

    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as fh:
            fh.write(data)
    schemas = [p.relative_to(folder).as_posix() for p in write_schemas(folder / "schemas")]
    return sorted([*files, *schemas])


def _self_check(folder: Path, today: dt.date) -> None:
    """The new site must validate at once, without a warning; else it is a bug of the
    starter files, said plainly (and nothing is written)."""
    from liaison.pipeline import check

    checked = check(folder, today, use_cache=False)
    lines = checked.report.lines("text")
    if lines or not checked.ok:
        raise LiaisonError("the starter site does not validate (a bug of Liaison; nothing "
                           "was written):\n  " + "\n  ".join(lines or ["(no diagnostic)"]))


# ------------------------------------------------------------------------------ placing it


def _mode(default: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return default & ~mask


def _missing_parents(target: Path) -> list[Path]:
    """The folders above ``target`` that do not exist yet, outermost first."""
    missing = []
    for parent in target.parents:
        if parent.exists() or parent.is_symlink():
            break
        missing.append(parent)
    return missing[::-1]


def _move_no_clobber(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst`` (same file system) without ever replacing a file."""
    if src.is_dir():
        os.rename(src, dst)  # fails onto a file or a non-empty folder (an empty one is nothing)
        return
    try:
        os.link(src, dst)  # fails when dst exists: no window where a file could be replaced
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if os.path.lexists(dst):
            raise FileExistsError(17, "File exists", str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def _create(target: Path, files: dict[str, bytes], today: dt.date) -> list[str]:
    """A new folder ``target``: written beside it, checked, renamed into place."""
    made = []
    try:
        for folder in _missing_parents(target):
            folder.mkdir()
            made.append(folder)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.liaison-init-", dir=target.parent))
    except BaseException:
        _remove_folders(made)
        raise
    try:
        written = _write_all(tmp, files)
        _self_check(tmp, today)
        os.chmod(tmp, _mode(0o777))  # mkdtemp makes it private; a new folder is not
        if os.path.lexists(target):
            raise FileExistsError(17, "created meanwhile by something else", str(target))
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_folders(made)
        raise
    return written


def _fill(target: Path, files: dict[str, bytes], today: dt.date) -> list[str]:
    """An empty folder ``target``: written into a hidden folder inside it (the same file
    system, whatever the parent's permissions), checked, its entries moved up."""
    tmp = Path(tempfile.mkdtemp(prefix=".liaison-init-", dir=target))
    moved: list[str] = []
    try:
        written = _write_all(tmp, files)
        _self_check(tmp, today)
        try:
            for name in sorted(os.listdir(tmp)):
                _move_no_clobber(tmp / name, target / name)
                moved.append(name)
        except BaseException:
            for name in reversed(moved):  # put back what was moved: nothing half-done
                try:
                    os.rename(target / name, tmp / name)
                except OSError:
                    pass
            raise
        tmp.rmdir()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return written


def _remove_folders(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass


# ------------------------------------------------------------------------------ the stage


def _shown(path: Path) -> str:
    """A path as it can be printed (undecodable bytes as U+FFFD, like click's format_filename)."""
    return os.fspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def create_site(target: Path, today: dt.date) -> list[str]:
    """Write a new site root into ``target`` (new, or an empty folder) with the examples dated
    from ``today``; the site paths written, sorted. LiaisonError (nothing written) when
    ``target`` holds anything, is a file, or cannot be written."""
    shown = _shown(target)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise LiaisonError(f"'{shown}' is not a folder: give a new or empty folder "
                               "for the site; nothing was written")
        try:
            entries = sorted(os.listdir(target))
        except OSError as exc:
            raise LiaisonError(f"cannot read '{shown}': {exc.strerror or exc}") from None
        if entries:
            listed = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            clone = (". In a clone of your repository, start the site beside it and copy it in "
                     "without replacing a file: `liaison init ../new-site && cp -Rn "
                     "../new-site/. .`" if ".git" in entries else "")
            raise LiaisonError(
                f"'{shown}' is not empty ({listed}): `liaison init` starts a site in a new "
                f"or empty folder and never writes over files; nothing was written{clone}")
    files = stored_files(today)
    try:
        if target.exists():
            return _fill(target, files, today)
        return _create(target, files, today)
    except OSError as exc:
        raise LiaisonError(f"cannot write the new site into '{shown}': "
                           f"{exc.strerror or exc}; nothing was written") from None


def next_steps(target: Path, written: list[str]) -> list[str]:
    """What ``init`` prints after writing the site: the files, then the next steps."""
    here = target.resolve() == Path.cwd().resolve()
    where = "the current folder" if here else f"{_shown(target)}/"
    lines = [f"Wrote a new Liaison site into {where}:"]
    lines += [f"  {rel}" for rel in written]
    lines += [
        "",
        "The practice, physician, team member, visit and referrals in data/ are invented",
        "examples: edit them into your own records or delete them; put your practice",
        "and its service lines into site.yaml. Next steps:",
        "",
    ]
    if not here:
        lines.append(f"  cd {shlex.quote(str(target))}")
    steps = (
        ("liaison validate", "check every file (each problem as file:line:col)"),
        ("liaison serve", "see the site on http://127.0.0.1:8000/, rebuilt on every save"),
        ("liaison build", "write the site into site/"),
        ("liaison new --help", "write new records: physician, practice, interaction, …"),
    )
    lines += [f"  {command:<20}# {what}" for command, what in steps]
    lines += [
        # the branch the workflow builds: a bare `git init` names it `master` by default
        '  git init -b main && git add . && git commit -m "A new Liaison site"',
        "",
        "For CI, set the repository variable LIAISON_SPEC to a pip requirement that",
        "installs Liaison (see the top of .github/workflows/liaison.yml).",
    ]
    return lines
