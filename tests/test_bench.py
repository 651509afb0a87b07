"""The benchmark scripts that time the start of a build (bench/checked.py)."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_start_of_a_build_is_timed_until_the_records_are_checked(example_site, tmp_path):
    """bench/checked.py runs a build with no site to compare and stops it where it would
    render: nothing is written beside the site, and a version that cannot get there fails
    the benchmark with its own message."""
    before = sorted(p.name for p in example_site.parent.iterdir())
    done = subprocess.run([sys.executable, str(REPO / "bench" / "checked.py"), str(example_site),
                           "--rounds", "2", "--build-py", str(REPO / "build.py")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    runs = [line for line in done.stdout.splitlines() if line.startswith("round ")]
    assert len(runs) == 2 and all(" s (load " in line for line in runs), done.stdout
    assert "median" in done.stdout.splitlines()[-1] and "2 runs" in done.stdout
    assert sorted(p.name for p in example_site.parent.iterdir()) == before
    failed = subprocess.run([sys.executable, str(REPO / "bench" / "checked.py"),
                             str(tmp_path / "missing"), "--rounds", "1"],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert "is not a folder" in failed.stderr and "did not get there" in failed.stderr
