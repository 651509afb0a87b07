"""Decks per second: the deck pages of a site (each HTML deck and the .pptx beside it) rendered
in one process, the way `build` renders them, and timed.

    python bench/decks.py [ROOT] [--as-of 2026-11-26] [--runs 3]

ROOT is a site root (default: the repository's sample site); for a large one,
`python bench/generate.py /tmp/slides-1k --physicians 1000` writes one deck with `targets: all`.
Prints the decks (pages), the .pptx files and their bytes, and for each run the seconds and
decks per second (of wall-clock and of processor time), then the best run, with the load
average beside it (wall-clock figures mean little on a busy machine; processor time less so). Only the standard library and Liaison itself: the same script times an
older version of Liaison (run it with that version first on PYTHONPATH)."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This checkout's liaison, after PYTHONPATH's entries (an older checkout there wins, as the
# README says) and before site-packages (an installed liaison is another checkout's).
_GIVEN = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
sys.path.insert(1 + max((i for i, p in enumerate(sys.path) if i and p and os.path.abspath(p) in _GIVEN),
                        default=0), str(HERE.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", nargs="?", default=str(HERE.parent))
    ap.add_argument("--as-of", default="2026-11-26")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import liaison
    from liaison import pages as page_registry
    from liaison import palette as palette_stage
    from liaison import pipeline, talking_points
    from liaison.render import make_env, render_pages

    as_of = dt.date.fromisoformat(args.as_of)
    root = Path(args.root).resolve()
    checked = pipeline.check(root, as_of, keep_records=True)
    if not checked.ok:
        print(f"{root}: the site has errors; run validate", file=sys.stderr)
        return 1
    site, stats = checked.site, checked.stats
    palette = palette_stage.for_site(site.root)
    fits = talking_points.for_site(site.root, [s.key for s in site.config.services])
    print(f"liaison from {Path(liaison.__file__).parent}")
    best = None
    for run in range(1, args.runs + 1):
        # a fresh view per run: nothing compiled or cached by the run before
        view = page_registry.SiteView(site, stats, as_of, palette, fits)
        decks = [p for p in page_registry.plan(view) if p.kind == "deck"]
        env = make_env(site.root, palette)
        with tempfile.TemporaryDirectory(prefix="bench-decks-") as tmp:
            out = Path(tmp)
            for folder in {str(Path(p.path).parent) for p in decks}:
                (out / folder).mkdir(parents=True, exist_ok=True)
            t, cpu = time.perf_counter(), time.process_time()
            render_pages(view, decks, out, env)
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
            pptx = list(out.rglob("*.pptx"))
            size = sum(f.stat().st_size for f in pptx)
        rate, cpu_rate = len(decks) / seconds, len(decks) / cpu
        best = max(best or (0, 0), (rate, cpu_rate))
        print(f"run {run}: {len(decks)} deck pages and {len(pptx)} .pptx ({size / 1e6:.1f} MB) in "
              f"{seconds:.2f} s ({cpu:.2f} s of processor time): {rate:.0f} decks/s, "
              f"{cpu_rate:.0f} per processor second")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"best: {best[0]:.0f} decks/s, {best[1]:.0f} per processor second (load average {load})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
