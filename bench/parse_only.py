#!/usr/bin/env python3
"""The yardstick of SPEC §4's performance target: the time it takes *just to parse* a site's
files with Liaison's parsers (read the bytes, yaml_rs for YAML, the csv module for CSV), one
core, nothing else.

    python bench/parse_only.py SITE_ROOT
"""
from __future__ import annotations

import csv
import os
import sys
import time

import yaml_rs


def main(root: str) -> None:
    start = time.perf_counter()
    files = 0
    for dirpath, _dirs, names in os.walk(os.path.join(root, "data")):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            if name.endswith((".yaml", ".yml")):
                with open(path, "rb") as fh:
                    yaml_rs.loads(fh.read().decode("utf-8"))
            elif name.endswith(".csv"):
                with open(path, encoding="utf-8-sig", newline="") as fh:
                    for _row in csv.reader(fh):
                        pass
            else:
                continue
            files += 1
    print(f"parsed {files} files in {time.perf_counter() - start:.2f} s (one core)")


if __name__ == "__main__":
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(__doc__.strip())
        sys.exit(0)
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: python bench/parse_only.py SITE_ROOT (a folder holding data/)")
    main(sys.argv[1])
