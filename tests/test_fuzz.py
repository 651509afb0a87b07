"""Mangled input files (bench/fuzz.py, seeded): `validate` and `build` never raise, exit 0 or 1,
and say every problem as `PATH:LINE:COL: error|warning: MESSAGE` at a line the file has."""
from __future__ import annotations

import importlib.util
import random

import pytest

from conftest import REPO


def _fuzz():
    spec = importlib.util.spec_from_file_location("liaison_fuzz", REPO / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("only, overrides, trials, build_every, seed", [
    ("data/", [], 120, 15, 1),
    ("content/", [], 40, 8, 2),
    # a site's own templates: a byte that is not UTF-8 in one raised UnicodeDecodeError in build
    ("templates/", ["physician.html", "base.html", "macros.html", "palette.yaml"], 60, 3, 5),
])
def test_mangled_files_get_diagnostics_never_a_traceback(example_site, tmp_path, only, overrides,
                                                         trials, build_every, seed):
    fuzz = _fuzz()
    site = fuzz.copy_site(example_site, tmp_path / "copy", overrides)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    said = []
    failed, codes = fuzz.fuzz(site, tmp_path, seed, trials, build_every, only, out=said.append)
    assert failed == 0, "\n\n".join(said)
    assert codes.get(1, 0) > trials // 10, codes  # the mangling does break files
    assert codes.get(0, 0) > 0, codes  # and the files are put back after each trial
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_the_fuzzer_tells_a_traceback_and_a_line_past_the_end(example_site, monkeypatch):
    """What ``wrong`` says of a command that raises, and of one that points past the end of
    a file: the checks the test above relies on can fail."""
    import click

    import liaison.cli

    fuzz = _fuzz()
    args = ["validate", "--root", str(example_site)]
    assert fuzz.wrong(example_site, args) == (0, [])

    def raises(*_args, **_kwargs):
        raise UnicodeDecodeError("utf-8", b"\x92", 0, 1, "invalid start byte")

    monkeypatch.setattr(liaison.cli, "_check", raises)
    code, found = fuzz.wrong(example_site, args)
    assert code is None and found[0].startswith("a traceback:") and "UnicodeDecodeError" in found[0]

    def past_the_end(*_args, **_kwargs):
        click.echo("site.yaml:9999:1: error: somewhere", err=True)
        raise SystemExit(1)

    monkeypatch.setattr(liaison.cli, "_check", past_the_end)
    code, found = fuzz.wrong(example_site, args)
    assert code == 1
    assert found[0] == "a line past the end of the file: site.yaml:9999:1: error: somewhere"


def test_a_mangling_changes_the_bytes_and_is_the_same_for_a_seed():
    fuzz = _fuzz()
    text = b"name: Dana Example\npractice: p-1\ntier: A\n"
    first = [fuzz.mangle(text, random.Random(seed)) for seed in range(40)]
    assert first == [fuzz.mangle(text, random.Random(seed)) for seed in range(40)]
    # most change it (a line swapped with itself, or the empty last one stripped, does not)
    assert sum(m != text for m in first) >= 30, first
