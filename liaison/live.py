"""The site in memory, for ``serve``: records, statistics and indexes stay in the server's
process; a change re-reads only the files that changed, and pages are rendered when the
browser asks for them.

``LiveSite.refresh`` runs the checks of ``validate`` through a memo (liaison.memo): an
unchanged file is not read again, and the rules and sums of the interactions and of the
referral rows are made again only when their files, or what they read of the core records,
changed. ``LiveSite.get`` renders one page (or makes the file ``build`` would write at that
path) from the last refresh without errors. Nothing is frozen out of the garbage collector:
what a refresh replaces is freed, so memory stays flat from save to save.
"""
from __future__ import annotations

import datetime as dt
import gc
import mimetypes
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from liaison import pages as page_registry
from liaison.memo import Memo


@dataclass
class Refreshed:
    """What one refresh did."""

    ok: bool
    lines: list[str]  # its diagnostics, as ``validate`` prints them, errors first
    seconds: float
    read: int  # files read again (the others were unchanged)
    pages: int = 0
    laps: list = field(default_factory=list)
    errors: int = 0  # how many of ``lines`` are errors (a failed refresh has one at least)
    # a failed refresh, one of whose files was saved again while it read the others: its
    # errors may be of a state already gone (an editor's two saves, the first half-done)
    superseded: bool = False


class Snapshot:
    """One refresh's site: its view, its pages by path, and what was made of it already."""

    def __init__(self, view: page_registry.SiteView, env):
        self.view = view
        self.env = env
        self.pages = {page.path: page for page in page_registry.plan(view)}
        self.made: dict[str, bytes] = {}  # non-page files made for this snapshot


class LiveSite:
    """A site root kept in memory; ``refresh`` after a change, ``get`` a path."""

    def __init__(self, root: Path, as_of: dt.date | None = None):
        """``as_of`` None: today's date (SOURCE_DATE_EPOCH's), looked up at every refresh."""
        self.root = root.resolve()
        self.fixed = as_of
        self.as_of = as_of
        self.memo = Memo(self.root)
        self.current: Snapshot | None = None
        self.lock = threading.Lock()  # one render at a time: they share the templates' memo
        self._env = None  # (what the templates folder held, environment): kept while unchanged

    def refresh(self, changed: set[str] | None = None, settle: bool = True) -> Refreshed:
        """Read what changed and check the site; on success the next ``get`` sees it.
        ``changed``: the files (paths relative to the root) known to be the only ones
        changed, none added or removed; None: look at every file.

        The cyclic collector is paused for the whole refresh; at its end (``settle``, or
        when the caller calls ``settle()``: ``serve`` answers the pages the refresh wakes
        first), the cycles it made are collected in one scan of what it made, and the rest
        is frozen out of later scans: what a refresh replaces is freed by reference
        counting. (Collections between its steps and after it scanned what it made three
        times: 0.4-0.5 s a save at 10,000 physicians, and every few saves a full
        collection, 3.3 s; the one scan takes 0.15-0.25 s.)"""
        gc.disable()
        try:
            return self._refresh(changed)
        finally:
            if settle:
                self.settle()

    @staticmethod
    def settle() -> None:
        """The end of a refresh (``refresh``): the cycles it made collected, the rest frozen,
        the collector running again. The scan is a full one: what is frozen is not scanned,
        so it looks at what was made since the last refresh, the pages rendered between
        included, whose survivors the collections while they were rendered had moved to the
        oldest generation (a cycle of a replaced view's left there was frozen for good)."""
        gc.collect()
        gc.freeze()
        gc.enable()

    def _refresh(self, changed: set[str] | None) -> Refreshed:
        from liaison import palette as palette_stage, talking_points
        from liaison.errors import LiaisonError
        from liaison.overrides import override_names
        from liaison.pipeline import _check, resolve_as_of
        from liaison.render import snippets_of

        start = time.perf_counter()
        self.as_of = self.fixed or resolve_as_of(None)
        memo = self.memo
        memo.begin(changed)
        try:
            checked = _check(self.root, self.as_of, False, True, True, 1,
                             check_templates=bool(override_names(self.root)), memo=memo)
        except LiaisonError as exc:
            return Refreshed(False, [f"error: {exc.format_message()}"],
                             time.perf_counter() - start, len(memo.read), errors=1)
        finally:
            memo.end()
        report = checked.report
        lines = [d.text() for d in report.errors + report.warnings]
        if not checked.ok:
            return Refreshed(False, lines, time.perf_counter() - start, len(memo.read),
                             laps=checked.timings, errors=len(report.errors),
                             superseded=memo.saved_again())
        t = time.perf_counter()
        site, stats = checked.site, checked.stats
        try:
            palette = palette_stage.for_site(site.root)
            fits = talking_points.for_site(site.root, [s.key for s in site.config.services])
        except LiaisonError as exc:  # validate has reported it already; to be safe
            return Refreshed(False, [f"error: {exc.format_message()}"],
                             time.perf_counter() - start, len(memo.read), errors=1)
        view = page_registry.SiteView(
            site, stats, self.as_of, palette, fits, warnings=checked.report.warnings,
            referral_index=self._referral_index(site, checked.files),
            interaction_index=self._interaction_index(site, checked.files, checked.core_key))
        if self.current is not None:  # a note renders the same from save to save
            with self.lock:  # (a page being rendered may be adding to it)
                view.md.memo.update(self.current.view.md.memo)
        snapshot = Snapshot(view, self._environment(palette))
        with self.lock:
            self.current = snapshot
            snippets_of(snapshot.env).forget()
            snapshot.env.globals["fragment"].forget()
        laps = checked.timings + [("index records, plan pages", time.perf_counter() - t)]
        return Refreshed(True, lines, time.perf_counter() - start, len(memo.read),
                         len(snapshot.pages), laps)

    def _referral_index(self, site, files):
        """The briefs' index of referral rows, made again only when a referral file changed."""
        from liaison.pages.view import ReferralIndex

        return self.memo.derive("view referrals", (self.as_of, self.memo.tokens(files.referrals)),
                                lambda: ReferralIndex.of(site.referrals, self.as_of))

    def _interaction_index(self, site, files, core_key: tuple):
        """The pages' index of interactions: that of the files not edited lately is kept
        while they and what it reads of the core records stay the same; the files edited
        lately are added at every refresh (``Memo.split``). ``core_key``: what it reads of
        the core records (``pipeline._core_key``)."""
        from liaison.load import interactions_read
        from liaison.pages.view import InteractionIndex, practice_physicians

        src, D, memo = site.src, self.as_of, self.memo
        cold, hot = memo.split(files.interactions)
        edited = set(hot)
        at_practice = practice_physicians(site.physicians)
        index = memo.derive(
            "view interactions", (core_key, memo.tokens(cold)),
            lambda: InteractionIndex.of([r for r in site.interactions if src[id(r)][0] not in edited],
                                        site.physicians, D, at_practice))
        if not hot:
            return index
        # site.interactions is sorted by date, then by file (listed sorted by path), then by
        # place in the file: that order (load._InOrder's), for the interactions the merge
        # compares
        def order(r):
            return (r.date, *src[id(r)])

        records = sorted((r for rel in hot for _d, r, _src in interactions_read(memo, rel)), key=order)
        return index.merged(InteractionIndex.of(records, site.physicians, D, at_practice), order)

    def _environment(self, palette):
        """The templates' environment, kept (with its compiled templates) while nothing in the
        site's ``templates/`` folder changes (an edited template among them: the environment
        does not look at the files again, render.make_env); a template is known by its size,
        modification and change times and inode (a save of the same size whose modification
        time is put back, ``cp -p``, moves the change time: ``memo.Memo._signature``), and
        one saved in the last 2 s by its content too (coarse file times: ``memo.Memo._recent``)."""
        from liaison.buildrecord import RACY_NS
        from liaison.memo import content_hash
        from liaison.render import make_env

        folder = self.root / "templates"
        seen = []
        recent = time.time_ns() - RACY_NS
        if folder.is_dir():
            for path, dirs, names in os.walk(folder):
                dirs.sort()
                for name in sorted(names):
                    file = os.path.join(path, name)
                    try:
                        st = os.stat(file, follow_symlinks=False)
                    except OSError:
                        continue
                    seen.append((path, name, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                 st.st_ino,
                                 content_hash(file) if st.st_mtime_ns > recent else None))
        key = tuple(seen)
        if self._env is None or self._env[0] != key:
            self._env = (key, make_env(self.root, palette))
        return self._env[1]

    def get(self, rel: str) -> tuple[bytes, str] | None:
        """The file ``build`` would write at ``rel`` (a '/'-separated path in the site), as
        (bytes, content type); None when there is none. Raises TemplateFailure for a page
        whose template fails."""
        from liaison.render import BUDGET, extra_files, render_page

        with self.lock:
            snap = self.current
            if snap is None:
                return None
            page = snap.pages.get(rel)
            if page is not None:
                with BUDGET.armed():
                    html = render_page(snap.view, page, snap.env)
                return html.encode("utf-8"), "text/html; charset=utf-8"
            data = snap.made.get(rel)
            if data is None:
                made = extra_files(snap.view, snap.view.stats, rel) or self._beside(snap, rel)
                snap.made.update(made)
                data = made.get(rel)
            if data is None:
                return None
            return data, mimetypes.guess_type(rel)[0] or "application/octet-stream"

    def is_page(self, rel: str) -> bool:
        """Whether ``rel`` is a page of the site (nothing is rendered)."""
        with self.lock:
            return self.current is not None and rel in self.current.pages

    @staticmethod
    def _beside(snap: Snapshot, rel: str) -> dict[str, bytes]:
        """The files beside the nearest page above ``rel`` (a deck's .pptx and pictures, the
        search index, the logging form's data)."""
        folder = rel
        while "/" in folder:
            folder = folder.rsplit("/", 1)[0]
            page = snap.pages.get(f"{folder}/index.html")
            if page is not None:
                return page_registry.files_beside(snap.view, page)
        return {}
