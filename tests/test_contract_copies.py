"""The worked examples under tests/fixtures/ are copies of the contract's (../shared/).

The tests read only the copies, so a plain clone of the repository runs them. When the
contract's folder is present beside the repository (as where the contract is kept), this test
compares every file byte for byte, so a change to the contract's examples is noticed here
instead of passing unseen.
"""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = ["spec-example", "spec-example-v2"]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", EXAMPLES)
def test_fixture_copy_is_complete(name):
    files = _files(FIXTURES / name)
    assert "site.yaml" in files and "expected-stats-2026-11-26.json" in files
    assert any(k.startswith("data/physicians/") for k in files)


@pytest.mark.parametrize("name", EXAMPLES)
def test_fixture_copy_matches_the_contract(name):
    if not (SHARED / name).is_dir():
        pytest.skip(f"no {SHARED / name} beside the repository: nothing to compare with")
    ours, theirs = _files(FIXTURES / name), _files(SHARED / name)
    assert sorted(ours) == sorted(theirs), "files added or removed in the contract's example"
    changed = [k for k in theirs if ours[k] != theirs[k]]
    assert not changed, f"the contract's example changed; copy it again: {changed}"
