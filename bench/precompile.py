"""Liaison's modules compiled before anything is timed, as an installed package has them.

``pip install`` compiles a package's modules; a checkout run where the environment sets
``PYTHONDONTWRITEBYTECODE`` (some CI images and sandboxes do) never writes them, so every
run would compile each module it imports again (0.1-0.15 s of processor time for the
build's). ``compileall`` writes them whatever that variable says."""
from __future__ import annotations

import compileall
from pathlib import Path


def compile_package(repo: Path | str) -> None:
    """Compile ``repo``/liaison's modules where their compiled files are missing or stale."""
    compileall.compile_dir(str(Path(repo) / "liaison"), quiet=1)
