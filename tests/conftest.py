"""Shared fixtures for the Liaison tests."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

# The contract's worked examples, copied into the repository (test_contract_copies.py
# compares them with ../shared/ when that folder exists). The second edition's example is
# the one the tests build (golden pages included); the first edition's is kept as a copy.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC_EXAMPLE = FIXTURES / "spec-example-v2"
REPO = Path(__file__).resolve().parents[1]


def _make_writable(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            p = Path(dirpath) / name
            p.chmod(p.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
        for name in filenames:
            p = Path(dirpath) / name
            p.chmod(p.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR)
    root.chmod(root.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/spec-example-v2 at tmp_path/"site"."""
    dest = tmp_path / "site"
    shutil.copytree(SPEC_EXAMPLE, dest)
    _make_writable(dest)
    return dest


@pytest.fixture(autouse=True)
def _no_job_summary(monkeypatch):
    """Tests that run `validate --format github` must not append to the job summary of the CI
    run that runs them (GitHub sets GITHUB_STEP_SUMMARY); tests that need one set their own."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture(autouse=True)
def _private_parse_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own parse cache, so no test sees another's cached parses."""
    cache_dir = tmp_path_factory.mktemp("liaison-cache")
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(cache_dir))
    return cache_dir


def build_sample_site(base: Path, as_of: str = "2026-11-26") -> Path:
    """The repository's sample site built by `python build.py build` into ``base``/site, with
    a parse cache of its own; the output folder."""
    import subprocess
    import sys

    out = base / "site"
    env = dict(os.environ, LIAISON_CACHE_DIR=str(base / "cache"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(REPO), "--out", str(out),
         "--as-of", as_of],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.html").is_file(), "the build wrote no index.html"
    return out


def one_physician_site(root: Path, interaction: str, site_extra: str = "") -> Path:
    """A new site at ``root``: one practice (solo), its physician (ida-lone), one liaison (lou)
    and one interaction file holding ``interaction`` (YAML); ``site_extra`` is added to
    site.yaml. ``root``."""
    for sub in ("data/practices", "data/physicians", "data/team", "data/interactions"):
        (root / sub).mkdir(parents=True)
    (root / "site.yaml").write_text("practice: {name: Tiny Vein}\nservices:\n"
                                    "  - {key: ablation, name: Ablation}\n" + site_extra,
                                    encoding="utf-8")
    (root / "data/practices/solo.yaml").write_text("name: Solo Clinic\n", encoding="utf-8")
    (root / "data/physicians/ida-lone.yaml").write_text(
        "name: Ida Lone\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    (root / "data/team/lou.yaml").write_text("name: Lou Park\nrole: liaison\n", encoding="utf-8")
    (root / "data/interactions/first.yaml").write_text(interaction, encoding="utf-8")
    return root


def visited_once(root: Path, physician: str, liaison: str, when) -> None:
    """In the example site ``root``: a physician of a practice of their own (``physician``,
    'pat-quill': Dr. Pat Quill of Quill Vein Care, an Asheville practice of ``liaison``'s),
    visited once by ``liaison`` on the date ``when``."""
    first, last = physician.split("-")
    name, practice = f"{first.title()} {last.title()}", f"{last}-vein-care"
    data = root / "data"
    (data / "practices" / f"{practice}.yaml").write_text(
        f"name: {last.title()} Vein Care\ncity: Asheville\nstate: NC\nliaison: {liaison}\n",
        encoding="utf-8")
    (data / "physicians" / f"{physician}.yaml").write_text(
        f"name: {name}\ncredentials: MD\nspecialty: Family Medicine\npractice: {practice}\n",
        encoding="utf-8")
    (data / "interactions" / f"{last}.yaml").write_text(
        f"- date: {when.isoformat()}\n  liaison: {liaison}\n  type: visit\n"
        f"  practice: {practice}\n  physicians: [{physician}]\n"
        f"  summary: First visit to Dr. {last.title()}.\n", encoding="utf-8")


def many_promises(root: Path, logged, dues: dict) -> None:
    """An interaction file in the example site ``root``: a visit of Lena Brooks at Mountain
    View Family Medicine on the date ``logged``, promising each task of ``dues`` (its text ->
    its due date)."""
    (root / "data" / "interactions" / "promises.yaml").write_text(
        f"- date: {logged.isoformat()}\n  liaison: lena-brooks\n"
        "  type: visit\n  practice: mountain-view-family-medicine\n  summary: Many promises.\n"
        "  follow_ups:\n" + "".join(f"    - task: {task}\n      due: {due.isoformat()}\n"
                                     for task, due in dues.items()),
        encoding="utf-8")


def run_validate(root, *args) -> tuple[int, str, list[str]]:
    """Run `liaison validate --root ROOT ARGS…` in-process.

    Returns (exit code, stdout text, stderr lines). No Python traceback may escape: an
    unexpected exception fails the calling test.
    """
    from liaison.cli import main

    runner = CliRunner()  # click >= 8.2: stdout and stderr are kept apart
    result = runner.invoke(main, ["validate", "--root", str(root), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"validate raised an exception instead of reporting it:\n{tb}")
    return result.exit_code, result.stdout, result.stderr.splitlines()


def cli(*args: str) -> tuple[int, str, str]:
    """`liaison ARGS…` in-process: (exit code, stdout, stderr); a traceback fails the test."""
    from click.testing import CliRunner

    from liaison.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"liaison {' '.join(args)} raised instead of reporting:\n{tb}")
    return result.exit_code, result.stdout, result.stderr
