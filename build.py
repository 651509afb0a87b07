#!/usr/bin/env python3
"""Thin entry point: `python build.py COMMAND …` runs the Liaison CLI from a checkout."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from liaison import main  # noqa: E402

if __name__ == "__main__":
    main()
