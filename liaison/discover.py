"""Which files of a site root are records: site.yaml, data/ and content/, by kind.

Plain names only: nothing is read here. Hidden files and README.md are ignored (SPEC §1).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from liaison.models import FILE_KINDS

YAML_EXT = (".yaml", ".yml")


@dataclass
class Files:
    """The files of a site root, by kind, as sorted '/'-separated paths relative to it."""

    site: str | None = None
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    interactions: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)
    presentations: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # of interaction and referral files


def discover(root: Path) -> Files:
    """The record files of the site root ``root``."""
    files = Files()
    for name in ("site.yaml", "site.yml"):
        if (root / name).is_file():
            files.site = name
            break
    for kind in FILE_KINDS:
        files.by_kind[kind] = _list(root, f"data/{kind}", YAML_EXT, recursive=False)
    files.interactions = _list(root, "data/interactions", YAML_EXT, True, files.sizes)
    files.referrals = _list(root, "data/referrals", YAML_EXT + (".csv",), True, files.sizes)
    files.training = _list(root, "content/training", (".md",), recursive=False)
    files.presentations = _list(root, "content/presentations", (".md",), recursive=False)
    return files


def stem(rel: str) -> str:
    """A record file's id: its name without folder and extension."""
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _list(root: Path, sub: str, exts: tuple[str, ...], recursive: bool,
          sizes: dict[str, int] | None = None) -> list[str]:
    """The wanted files below ``sub`` (one scandir pass: no extra stat per file), with their
    sizes into ``sizes`` when given (the workers' shares are balanced by size)."""
    out: list[str] = []
    folders = [sub]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(os.path.join(root, folder)))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if recursive:
                    folders.append(f"{folder}/{entry.name}")
            elif entry.is_file() and _wanted(entry.name, exts):
                rel = f"{folder}/{entry.name}"
                out.append(rel)
                if sizes is not None:
                    sizes[rel] = entry.stat().st_size
    return sorted(out)


def _wanted(name: str, exts: tuple[str, ...]) -> bool:
    return name.lower().endswith(exts) and name != "README.md" and not name.startswith(".")
