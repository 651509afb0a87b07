"""Incremental builds: what each page is made from, as one hash per page (its key).

A build records the key of every page beside the site (in the build record). The next build
into the same folder reads and checks every record as always (statistics need them all), then
works out the keys again: a page whose key is the same as last time is the same page, so its
file (and the files beside it, a deck's .pptx) is hard-linked from the previous site into the
new one instead of being rendered; the others are rendered. The new folder is swapped in as
a full build's is (SPEC §5): an interrupted build leaves the previous site whole.

Keys are conservative. Most pages read the whole site (directories, the dashboard, the
referral statistics, exports…): their key is a hash of every input, so they are made again
whenever anything changed (but for what some of them never show: SHOWN_ONLY, STATUS_ONLY,
FIGURES_ONLY, PROSPECTS_ONLY, FOLLOW_UPS_ONLY).
The pages that make up most of a large site have finer keys:

- a practice's **group**: its file, its statistics, and for each of its physicians their file,
  statistics, referral rows, monthly series, services referred for, rank among the top
  referrers, and the files of every interaction about them (listed, visited, promised);
- a physician's brief, a practice's brief and the practice's customized decks are made from
  their practice's group and the **site key** (the briefs also show the share of all our
  matured referrals that were treated);
- a team member's page from their figures, the groups of their physicians' practices and of
  the practices whose file names them (their call plan), the files of their interactions
  and of the follow-ups they own, and the site key;
- a month of the activity log is made from the files of its interactions, the months before
  and after it with their counts (its links show them) and the site key;
- the **site key** holds what any page may show of the whole site: the settings and code, every
  input file that is not a physician, practice, interaction or referral file (site.yaml,
  team, guides, decks, market data, templates), the names (and practice and NPI) of the
  physicians that an interaction names, the names of the practices that an interaction names
  or that such a physician belongs to, which decks go to which practice and the navigation.

What the keys read of the interactions alone (with their files' hashes) is worked out once
per build and kept (``Keys.parts``: which physicians and practices they name, and for each
physician, practice, team member and month, a hash of the files of the interactions its
pages list): a build keeps it under the key of the cold interaction files (pipeline._Split;
liaison.snapshot.KEY_PARTS: their hashes and what they read of the other records, which
decides the lists), with the key of all the interaction files and, for each hot file, its
hash and its records, each with a fingerprint of what it holds and the parts that read it
(``file_records``). The next build takes all of it while no interaction file changed, else
all but the parts that read a record of a hot file that changed, as it was or as it is: the
file's records are compared place by place (``changed_parts``), so that a visit appended to
a team member's month file makes again the pages of what it names, not those of the file's
other interactions. (A part taken so keeps the hash the file had when it was made: its value
still names the files its records were read from, as they were then, and those records are
what they were.)

So an edit of a physician's phone makes their practice's briefs and decks again, with the
whole-site pages; so does a new physician (with their liaison's page); renaming or moving a physician some interaction
names, or an edit of site.yaml or of a team member, makes everything again. ``tests/test_incremental.py`` checks after random edits that
an incremental build is byte-identical to a full one.
"""
from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from itertools import chain
from operator import attrgetter, itemgetter

from liaison.derived import effective_liaison, practices_of
from liaison.pages.briefs import site_share
from liaison.pages.rows import matured_yet
from liaison.pages.talking import not_visited_lately, top_referrers
from liaison.pages.view import Listed, _taken

# Inputs whose records have finer keys than "everything": the others are part of the site key.
RECORD_FOLDERS = ("data/physicians/", "data/practices/", "data/interactions/",
                  "data/referrals/")
MONTHS = "activity-month"  # the page kind of a month of the activity log
# The whole-site pages whose code shows none of a physician's OWN_FIELDS (read by their brief,
# their practice's brief and decks, and the physicians export only): their key holds what of
# each physician's record they may show instead of the physician files' hashes, so that a new
# phone number makes none of them again (1.6-2.4 s of processor time at 10,000 physicians).
# A site with templates of its own (which may show anything) keeps the hash of every input.
SHOWN_ONLY = frozenset(("search", "physicians", "follow-ups", "prospects", "referrals",
                        "activity", "dashboard", "practices"))
OWN_FIELDS = frozenset(("phone", "email", "office_days", "notes"))
# Of them, the physicians' and practices' directories show, of the interactions and referral
# rows, only the figures of their rows (liaison.pages.rows: PHYSICIAN_ROW_FIGURES,
# PRACTICE_ROW_FIGURES): their key holds those figures instead of the interaction and
# referral files (``whole_site_bases``), so that an edit that moves none of them (a note, a
# follow-up, a comment) does not make them again (0.4-0.7 s of processor time at 10,000
# physicians, in the process that renders, after such an edit of an interaction file).
FIGURES_ONLY = frozenset(("physicians", "practices"))
# The prospects page shows, of the interactions and referral rows, the figures of the
# physicians' rows and four more of each physician (``PROSPECT_FIGURES``, read from the
# statistics): its key holds those, with what the directories' key holds, so that an edit
# that moves none of them (a note, a summary, a visit logged on a day before the last
# contact of its people, a comment) does not make it again (0.15-0.25 s of processor time
# at 10,000 physicians).
PROSPECTS_ONLY = frozenset(("prospects",))
PROSPECT_FIGURES = ("potential", "last_referral", "days_since_referral", "referrals")
# Of them, the search page and its index show nothing of the interactions and referral rows
# but each physician's status and whether they are declining: their key holds those instead
# of the interaction and referral files (``whole_site_bases``), so that a visit logged, or a
# referral that changes no status, does not make the index again (0.3-0.45 s of processor
# time at 10,000 physicians).
STATUS_ONLY = frozenset(("search",))
# Of them, the follow-ups page shows nothing of the interactions and referral rows but the
# open follow-ups, each with what its row reads of its interaction (``follow_up_shown``):
# their key holds those instead of the interaction and referral files, so that an edit that
# opens, closes or changes no follow-up (a note, a summary, a visit logged without one, a
# comment) does not make it again (0.2-0.45 s of processor time at 10,000 physicians, at the
# end of an edit's pages).
FOLLOW_UPS_ONLY = frozenset(("follow-ups",))
# The compliance page shows, of the interactions and referral rows, the interactions with a
# cost in the as-of date's year (``compliance_shown``), what the year before gave in all, and
# each physician's and practice's spend in that year (read from the statistics): its key holds those instead of the
# interaction and referral files, so that an edit that gives or moves no cost (a phone, a
# note, a summary, a visit logged without one, a comment) does not make it again (0.3-0.4 s
# of processor time at 10,000 physicians).
COMPLIANCE_ONLY = frozenset(("compliance",))
NOT_TEMPLATES = ("templates/assets/", "templates/palette.", "templates/talking-points.",
                 "templates/README.md")  # not templates: they show no record's fields
# The files of this many interactions are looked up one by one before ``Keys._files_in`` maps
# every interaction to its file (0.06 s at 10,000 physicians) and looks them up from there.
FILES_ONE_BY_ONE = 20_000


def _hash(*parts) -> str:
    """The hash of the parts' ``repr``, made in one call (a page's key takes about two: 30,000
    at 10,000 physicians; a part's repr at a time, with a separator, took twice as long)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


class Keys:
    """The key of each page of a site (``of(page)``), from its view and input hashes."""

    def __init__(self, view, inputs: dict[str, str], settings: dict,
                 named: list[tuple] | None = None, parts: dict | None = None,
                 split_at: tuple | None = None, whole: dict | None = None,
                 rows: dict | None = None):
        self.view = view
        self.inputs = inputs
        # each physician's hash of what their brief shows of the referral rows, filled in as
        # they are made (a build keeps them under the referral files' key:
        # liaison.snapshot.ROW_DIGESTS)
        self.rows = {} if rows is None else rows
        # the keys of the whole-site pages (``whole_site_keys``), when the caller has them
        self.whole = whole
        # what the keys read of the interactions alone, filled in as they are made (a build
        # keeps them under the cold interaction files' key: liaison.snapshot.KEY_PARTS)
        self.parts = {} if parts is None else parts
        # the positions of the cold files' interactions and of the hot ones' (pipeline._Split)
        self.split_at = split_at
        site = view.site
        self.src = site.src
        self.settings = settings
        self._bases: tuple | None = None  # whole_site_bases(), made when first needed
        self.site_key = self._site_key(
            settings, named_physicians(site, self.parts, split_at) if named is None else named)
        self.share = site_share(view)  # beside every brief's own share of treated referrals
        # whether a record can be 90 to 454 days old yet (a liaison's return on visit "not …
        # yet" or not): the site's first month, which another group's oldest record sets
        self.young = matured_yet(view.stats)
        self._groups: dict[str, str] = {}
        self._named_by: dict[str, set] | None = None  # made by ``member`` when first needed
        self._doctors: dict[str, str] = {}
        self._months: list | None = None  # the months with interactions, in order
        self._file_at: list[str] | None = None  # an interaction's file by its position
        self._file_of: dict[int, str] | None = None  # an interaction's file by its id
        self._asked = 0  # interactions whose files were looked up one by one
        self._top = top_referrers(view)

    def _site_key(self, settings: dict, labels: list[tuple]) -> str:
        view, site = self.view, self.view.site
        rest = sorted(_not_records(self.inputs).items())
        # Names one page shows of another group's physicians and practices: those an
        # interaction names (in its snippet, on the briefs, months and team pages that list it).
        named = set(_named(site, self.parts, self.split_at, "practices", _places))
        named |= {practice for _pid, _name, practice, _npi in labels}
        places = [(pid, site.practices[pid].name) for pid in sorted(named) if pid in site.practices]
        decks = sorted((p, tuple(ds)) for p, ds in view.decks_for_practice.items())
        return _hash("site", json.dumps(settings, sort_keys=True), rest, labels, places, decks,
                     json.dumps(view.nav, sort_keys=True))

    def _part(self, name, make):
        """``parts[name]``, made (``make()``) when it is not there."""
        value = self.parts.get(name)
        if value is None:
            value = self.parts[name] = make()
        return value

    def _file(self, record) -> str:
        rel = self.src[id(record)][0]
        return rel + "=" + self.inputs.get(rel, "?")

    def _files_in(self, listed: tuple, records=()) -> list[str]:
        """The files holding the interactions of ``listed`` (pairs of a mapping of the
        view's and a key: the interactions it lists under the key) and ``records``, each
        with its hash: "path=hash", sorted. (Each interaction's file is worked out once, by
        its position in the site's interactions, then looked up without a loop in Python:
        the briefs, groups, team pages and months ask for about a million. A mapping that
        keeps its records' positions, ``Listed``, is read by position, without making its
        lists: 0.6 s less at 10,000 physicians than looking each record up by its id.)"""
        interactions = self.view.site.interactions
        at, rest = [], list(records)
        for mapping, key in listed:
            positions = mapping.positions(interactions) if isinstance(mapping, Listed) else None
            if positions is None:
                rest += mapping.get(key, ())
            elif key in positions:
                at.append(positions[key])
        if self._file_at is None and self._asked + len(rest) + sum(map(len, at)) \
                < FILES_ONE_BY_ONE:
            # (after an edit, most parts are taken as kept: a few files looked up one by one)
            rest += chain.from_iterable(_taken(interactions, p) for p in at)
            self._asked += len(rest)
            return sorted(set(map(self._file, rest)))
        file_at = self._files_at()
        names: set[str] = set()
        for positions in at:
            if len(positions) > 1:
                names.update(itemgetter(*positions)(file_at))
            elif positions:
                names.add(file_at[positions[0]])
        if rest:
            file_of = self._file_of
            if file_of is None:
                file_of = self._file_of = dict(zip(map(id, interactions), file_at))
            try:
                names.update(map(file_of.__getitem__, map(id, rest)))
            except KeyError:  # not all of them the site's interactions
                names.update(map(self._file, rest))
        return sorted(names)

    def _files_at(self) -> list[str]:
        """The file of each of the site's interactions, by position: "path=hash"."""
        if self._file_at is None:
            inputs = self.inputs
            rels = list(map(itemgetter(0), map(self.src.__getitem__,
                                               map(id, self.view.site.interactions))))
            names = {rel: rel + "=" + inputs.get(rel, "?") for rel in set(rels)}
            self._file_at = list(map(names.__getitem__, rels))
        return self._file_at

    def doctor(self, pid: str) -> str:
        """What a physician's brief shows of them (besides the site key and their practice)."""
        key = self._doctors.get(pid)
        if key is None:
            view = self.view
            d = view.site.physicians[pid]
            key = self._doctors[pid] = _hash(
                self._file(d), view.stats.physicians[pid], self._rows(pid), self._thanks(pid),
                self._part(("doctor", pid), lambda: _hash(self._files_in(
                    ((view.by_doc, pid), (view.visits_by_doc, pid)),
                    [t[1] for t in view.fu_by_doc.get(pid, ())]))))
        return key

    def _rows(self, pid: str) -> str:
        """What a physician's brief shows of their referral rows: their monthly series, the
        services they ever referred for and their recent rows (``rows``)."""
        digest = self.rows.get(pid)
        if digest is None:
            view = self.view
            digest = self.rows[pid] = _hash(
                view.doc_series.get(pid), [row[:8] for row in view.referrals_by_doc.get(pid, ())],
                sorted(view.services_ever.get(pid, ())))
        return digest

    def _thanks(self, pid: str):
        """A top referrer's rank, where their brief shows it (a thanks, when they were not
        visited lately): it moves with everybody's referrals."""
        rank = self._top.get(pid)
        return rank if rank is not None and not_visited_lately(self.view, pid) else None

    def group(self, practice: str) -> str:
        """A practice and its physicians: everything their briefs and decks show."""
        key = self._groups.get(practice)
        if key is None:
            view = self.view
            record = view.site.practices.get(practice)
            key = self._groups[practice] = _hash(
                practice, self._file(record) if record is not None else None,
                view.stats.practices.get(practice),
                [(d, self.doctor(d)) for d in view.docs_of_practice.get(practice, ())],
                self._part(("group", practice), lambda: _hash(self._files_in(
                    ((view.by_practice, practice),),
                    [t[1] for t in view.fu_by_practice.get(practice, ())]))))
        return key

    def member(self, tid: str) -> str:
        """A team member's page: their figures (their source capture too), the groups of their physicians' practices
        and of the practices whose file names them (the call plan, which lists such a
        practice without physicians too, and "Still named as their liaison"), and the files
        of their interactions and of the follow-ups they own."""
        view = self.view
        docs = view.docs_of_liaison.get(tid, [])
        if self._named_by is None:  # team member -> the practices whose file names them
            self._named_by = {}
            for practice, record in view.site.practices.items():
                if record.liaison:
                    self._named_by.setdefault(record.liaison, set()).add(practice)
        practices = sorted({view.site.physicians[d].practice for d in docs}
                           | self._named_by.get(tid, set()))
        return _hash(view.stats.liaisons.get(tid), docs,
                     view.stats.capture_by_member_365d.get(tid),
                     view.stats.source_capture_rate_365d,
                     [(p, self.group(p)) for p in practices],
                     self._part(("member", tid), lambda: _hash(self._files_in(
                         ((view.by_member, tid),),
                         [t[1] for t in view.fu_by_owner.get(tid, ())]))))

    def month_links(self, month: int) -> tuple:
        """What a month's page shows of the others (pages.activity.activity_month): the
        months before and after it that have interactions, each with its count, or None."""
        if self._months is None:
            self._months = sorted(self.view.by_month)
        months, count = self._months, self.view.month_count
        at = bisect_left(months, month)
        after = at + 1 if at < len(months) and months[at] == month else at
        return tuple((months[i], count(months[i])) if 0 <= i < len(months) else None
                     for i in (at - 1, after))

    def of(self, page) -> str:
        """The key of one page."""
        view = self.view
        if page.kind == "physician":
            practice = view.site.physicians[page.key].practice
            return _hash(page.kind, page.key, self.site_key, self.share, self.group(practice),
                         self.doctor(page.key))
        if page.kind == "practice":
            return _hash(page.kind, page.key, self.site_key, self.share, self.group(page.key))
        if page.kind == "deck" and "/" in page.key:
            practice = page.key.partition("/")[2]
            return _hash(page.kind, page.key, self.site_key, self.group(practice))
        if page.kind == "member":
            return _hash(page.kind, page.key, self.site_key, self.young, self.member(page.key))
        if page.kind == MONTHS:
            from liaison.derived import month_of_label

            month = month_of_label(page.key)
            return _hash(page.kind, page.key, self.site_key, self.month_links(month),
                         self._part((MONTHS, page.key), lambda: _hash(self._files_in(
                             ((view.by_month, month),)))))
        if self.whole is not None and page.path in self.whole:
            return self.whole[page.path]
        if self._bases is None:
            self._bases = whole_site_bases(view, self.inputs, self.settings)
        return broad_key(page, self._bases)


def whole_site_keys(view, pages, inputs: dict[str, str], settings: dict,
                    doctors: str | None = None) -> dict[str, str]:
    """Page path -> key of the pages without a key of their own (``own_key``): what
    ``Keys.of`` gives them, without the rest of ``Keys``. ``doctors``: ``shown_physicians``
    of the site's physicians, when the caller has it."""
    bases = whole_site_bases(view, inputs, settings, doctors)
    return {page.path: broad_key(page, bases) for page in pages if not own_key(page)}


def whole_site_bases(view, inputs: dict[str, str], settings: dict,
                     doctors: str | None = None) -> tuple[str, str | None, str | None,
                                                          str | None, str | None,
                                                          str | None, str | None]:
    """What the keys of the pages without a key of their own are made from: the hash of
    every input and setting; what the SHOWN_ONLY pages are made from (the physician files
    left out for what their records hold but OWN_FIELDS, ``shown_physicians`` or
    ``doctors`` when given, with the warnings: a warning may be about one of those fields);
    what the STATUS_ONLY pages are made from (the same without the interaction and referral
    files, with each physician's status and whether they are declining instead); what the
    FIGURES_ONLY pages are made from (the same without the interaction and referral files
    and the warnings, with the figures of each physician's and practice's row instead, and
    the navigation); what the FOLLOW_UPS_ONLY page is made from (the same without the
    interaction and referral files, with the open follow-ups as their rows read them
    instead, ``follow_up_shown``, and the navigation); what the PROSPECTS_ONLY page is made
    from (the FIGURES_ONLY pages' base with each physician's PROSPECT_FIGURES); what the
    COMPLIANCE_ONLY page is made from (the FOLLOW_UPS_ONLY page's base with what it shows
    of the interactions and of the year's spend instead of the open follow-ups,
    ``compliance_shown``). The last six are None for a site with templates of its own (a
    template may show anything)."""
    from liaison.pages.rows import (PHYSICIAN_ROW_FIGURES, physician_row_figures,
                                    practice_row_figures)

    everything = every_input(inputs, settings)
    if any(rel.startswith("templates/") and not rel.startswith(NOT_TEMPLATES) for rel in inputs):
        return everything, None, None, None, None, None, None
    if doctors is None:
        doctors = shown_physicians(view.site.physicians)
    told, warned = json.dumps(settings, sort_keys=True), [w.text() for w in view.warnings]
    rest = but_physicians(inputs)
    no_rows = _hash("inputs", [(rel, h) for rel, h in rest  # (read by two of the bases)
                               if not rel.startswith(("data/interactions/", "data/referrals/"))])
    figures, groups = view.stats.physicians, view.stats.practices
    doctors_in_order, groups_in_order = sorted(figures), sorted(groups)
    # (the rows' figures in C, by id: 0.03 s at 10,000 physicians, half of it their repr)
    shown_figures = list(map(physician_row_figures, map(figures.__getitem__, doctors_in_order)))
    status, declining = map(PHYSICIAN_ROW_FIGURES.index, ("status", "declining"))
    nav = json.dumps(view.nav, sort_keys=True)
    figures_base = _hash("figures", told, no_rows, doctors, nav,
                         doctors_in_order, shown_figures, groups_in_order,
                         list(map(practice_row_figures, map(groups.__getitem__, groups_in_order))))
    return (everything,
            _hash("shown", told, rest, doctors, warned),
            _hash("search", told, no_rows, doctors,
                  [(pid, f[status], f[declining])
                   for pid, f in zip(doctors_in_order, shown_figures)],
                  warned),
            figures_base,
            _hash("follow-ups", told, no_rows, doctors, nav, warned,
                  list(map(follow_up_shown, view.open_follow_ups))),
            _hash("prospects", figures_base,
                  list(map(attrgetter(*PROSPECT_FIGURES), map(figures.__getitem__,
                                                              doctors_in_order)))),
            _hash("compliance", told, no_rows, doctors, nav, warned, compliance_shown(view))
            if view.site.config.compliance is not None else None)  # (no page without it)


def follow_up_shown(entry: tuple) -> tuple:
    """What the follow-ups page shows of an open follow-up ((due, interaction, follow-up),
    as ``SiteView.open_follow_ups`` holds it; pages.follow_ups): its due date and task, its
    owner (its own, else who logged the interaction), and its interaction's date, practice
    and physicians (the physicians' and practices' names and the team's are in the other
    inputs of its key)."""
    due, record, task = entry
    return due, task.task, task.owner, record.liaison, record.date, record.practice, \
        tuple(record.physicians)


def compliance_shown(view) -> tuple:
    """What the compliance page shows of the interactions and of the statistics
    (pages.compliance): the interactions with a cost in the as-of date's year
    (``year_costly``), each with its date, type, summary, cost, author, physicians,
    practice and place in the files (``record_place``); how many lunches of that year record
    no cost (``year_no_cost``); each physician's spend in that year and their liaison, each
    practice's, and the total; what the year before gave in all (``year_before``) (the names
    of the people and practices, and validate's warnings, are in the other inputs of its
    key)."""
    from liaison.pages.compliance import record_place, year_before, year_costly, year_no_cost

    stats = view.stats
    return ([(r.date, r.type, r.summary, r.cost, r.liaison, tuple(r.physicians), r.practice,
              record_place(view, r))
             for r in year_costly(view)], year_no_cost(view), year_before(view),
            sorted((pid, s.spend_ytd_cents, s.liaison)
                   for pid, s in stats.physicians.items() if s.spend_ytd_cents),
            sorted((prac, s.spend_ytd_cents)
                   for prac, s in stats.practices.items() if s.spend_ytd_cents),
            stats.totals.spend_ytd_cents)


def statistics_key(as_of, inputs: dict[str, str], doctors: str) -> str:
    """What the statistics are made from (pipeline._statistics): the as-of date, every input
    but the physician files (the sums are made of them) and ``shown_physicians``: none of
    the statistics reads a physician's OWN_FIELDS."""
    return _hash("statistics", as_of.isoformat(), but_physicians(inputs), doctors)


def but_physicians(inputs: dict[str, str]) -> list[tuple[str, str]]:
    """The input files but the physicians' with their hashes, in order."""
    return sorted((rel, h) for rel, h in inputs.items() if not rel.startswith("data/physicians/"))


def shown_physicians(physicians: dict) -> str:
    """The hash of what the physicians' records hold but OWN_FIELDS (one ``itemgetter`` a
    record: 0.03 s at 10,000 physicians). Neither the statistics nor the SHOWN_ONLY pages
    read more of them."""
    from liaison.models import Physician

    names = [name for name in Physician.model_fields if name not in OWN_FIELDS]
    values = itemgetter(*names)  # every field is in a record's __dict__, set or not
    return _hash("physicians", names,
                 [(pid, values(physicians[pid].__dict__)) for pid in sorted(physicians)])


def every_input(inputs: dict[str, str], settings: dict) -> str:
    """The hash of every input and setting: the key of the pages that read the whole site
    is made from it (``broad_key``)."""
    return _hash("all", json.dumps(settings, sort_keys=True), sorted(inputs.items()))


def broad_key(page, bases: tuple[str, str | None, str | None, str | None, str | None,
                                str | None, str | None]) -> str:
    """The key of a page without a key of its own (``own_key``) from ``whole_site_bases``:
    what the STATUS_ONLY, the FIGURES_ONLY, the FOLLOW_UPS_ONLY, the PROSPECTS_ONLY, the
    COMPLIANCE_ONLY or the SHOWN_ONLY pages show (when the site has no templates of its
    own), else every input."""
    everything, shown, *narrow = bases
    for kinds, base in zip(NARROW_KINDS, narrow):
        if base and page.kind in kinds:
            return _hash(page.kind, page.key, base)
    return _hash(page.kind, page.key, shown if shown and page.kind in SHOWN_ONLY else everything)


# The kinds of the pages keyed by ``whole_site_bases``' third to last bases, in that order.
NARROW_KINDS = (STATUS_ONLY, FIGURES_ONLY, FOLLOW_UPS_ONLY, PROSPECTS_ONLY, COMPLIANCE_ONLY)


def record_parts(records: list, positions: tuple[dict, list], physicians: dict,
                 at_practice: dict) -> list[set]:
    """For each of ``records`` (``positions``: their InteractionIndex.positions), the names
    of the keys' parts (``Keys.parts``) that read it."""
    from liaison.derived import listed_physicians, month_label, owner, practices_of

    maps, open_fu = positions
    names: list[set] = [{"listed", "practices"} for _r in records]
    for kind, lists in (("doctor", maps["by_doc"]), ("doctor", maps["visits"]),
                        ("group", maps["by_practice"]), ("member", maps["by_member"])):
        for key, lst in lists.items():
            for i in lst:
                names[i].add((kind, key))
    for month, lst in maps["by_month"].items():
        for i in lst:
            names[i].add((MONTHS, month_label(month)))
    for _due, i, j in open_fu:  # as SiteView files the open follow-ups
        r, mine = records[i], names[i]
        mine.update(("doctor", pid)
                    for pid in listed_physicians(r) or at_practice.get(r.practice, ()))
        mine.update(("group", practice) for practice in practices_of(r, physicians))
        mine.add(("member", owner(r.follow_ups[j], r)))
    return names


def file_records(records: list, srcs: list, parts: list[set],
                 same: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """For each file of ``records`` (``srcs``: each one's (file, place in it); ``parts``:
    ``record_parts``), its records by place: (place, fingerprint, the parts that read it).
    An edit that changes some records of a file changes what those parts read only
    (``changed_parts``). ``same``: what this gave of the files unchanged since, taken as
    it was (their records are not hashed again)."""
    same = same or {}
    out: dict[str, list] = {}
    for r, (rel, place), mine in zip(records, srcs, parts):
        if rel not in same:
            out.setdefault(rel, []).append((place, fingerprint(r), frozenset(mine)))
    return {rel: same[rel] if rel in same else tuple(sorted(out[rel], key=itemgetter(0)))
            for rel in dict.fromkeys(rel for rel, _place in srcs)}


def fingerprint(record) -> bytes:
    """What a record holds, hashed: its fields' values and which of them were set."""
    h = hashlib.blake2b(record.model_dump_json().encode(), digest_size=16)
    h.update(repr(sorted(record.model_fields_set)).encode())
    return h.digest()


def dropped_parts(then: dict, now: dict) -> set:
    """The keys' parts kept by a build that are not taken after an interaction file changed:
    ``then`` and ``now``, for each hot file, what ``pipeline._Split.touched`` gave in that
    build and gives now; for each file whose hash changed (or that is hot in one only), the
    parts that read a record that changed (``changed_parts``)."""
    drop: set = set()
    for rel in then.keys() | now.keys():
        was, new = then.get(rel), now.get(rel)
        if was is None or new is None or was[0] is None or was[0] != new[0]:
            drop |= changed_parts(was, new)
    return drop


def changed_parts(was: tuple, now: tuple) -> set:
    """The keys' parts that read a record of a file whose hash changed, from what
    ``pipeline._Split.touched`` gave of it in the build whose parts are kept (``was``) and
    gives now (``now``): (hash, the parts that read one of its records, ``file_records``'s
    entry), or None for a file without interactions then or now. The parts that read a
    record that is not, at its place in the file, what it was: as it was and as it is (an
    edit of one record, or one added at the end, leaves the others' parts as they were);
    where either lacks its records, every part that read one of them."""
    if was is None or now is None or len(was) < 3 or len(now) < 3 \
            or was[2] is None or now[2] is None:
        return set(was[1] if was is not None else ()) | set(now[1] if now is not None else ())
    try:
        old = {place: (fp, parts) for place, fp, parts in was[2]}
        new = {place: (fp, parts) for place, fp, parts in now[2]}
        drop: set = set()
        for place in old.keys() | new.keys():
            a, b = old.get(place), new.get(place)
            if a is None or b is None or a[0] != b[0]:
                drop.update(a[1] if a is not None else (), b[1] if b is not None else ())
        return drop
    except (TypeError, ValueError):  # records not as this version keeps them: every part
        return set(was[1]) | set(now[1])


def _listed(records) -> set:
    """The physicians the interactions ``records`` name."""
    return set(chain.from_iterable(map(attrgetter("physicians"), records)))


_NO_PLACE = frozenset((None, ""))  # an interaction's practice when it names none


def _places(records) -> set:
    """The practices the interactions ``records`` name."""
    return set(map(attrgetter("practice"), records)) - _NO_PLACE


def cold_named(listed: set, places: set) -> dict:
    """The parts of ``Keys.parts`` that the cold files' interactions give, as ``_named``
    makes them, from the physicians and practices they name (``listed``, ``places``: what
    their index gathered where it read them, pipeline.page_indexes): taken by the keys
    (render._Rendering.key_parts)."""
    return {("cold", "listed"): sorted(listed), ("cold", "practices"): sorted(places - _NO_PLACE)}


def named_physicians(site, parts: dict | None = None, split_at: tuple | None = None
                     ) -> list[tuple]:
    """(id, name, practice, NPI) of every physician an interaction names, by id. ``parts``
    (``Keys.parts``): which they are is taken from there, or put there (``_named``)."""
    listed = _named(site, parts, split_at, "listed", _listed)
    doctors = site.physicians
    return [(pid, d.name, d.practice, d.npi)
            for pid, d in ((pid, doctors.get(pid)) for pid in listed) if d is not None]


def _named(site, parts: dict | None, split_at: tuple | None, name: str, of) -> list:
    """``parts[name]``, else ``of(records)`` (a set) of all the site's interactions, sorted,
    then put there. With ``split_at`` (the positions of the cold files' interactions and of
    the hot ones': pipeline._Split), what the cold files' interactions give is a part of its
    own (kept while they are the same: a change to a hot file never drops it) and the hot
    ones' is added to it."""
    value = None if parts is None else parts.get(name)
    if value is not None:
        return value
    interactions = site.interactions
    if parts is None or split_at is None:
        value = sorted(of(interactions))
    else:
        cold_at, hot_at = split_at
        cold = parts.get(("cold", name))
        if cold is None:
            cold = parts[("cold", name)] = sorted(of(_taken(interactions, cold_at)))
        value = sorted(set(cold) | of(_taken(interactions, hot_at)))
    if parts is not None:
        parts[name] = value
    return value


# The non-page files with keys of their own (by their group's first path, as
# liaison.render's extra groups name them): the others are made again after any change.
INTERACTIONS_EXPORT = "exports/interactions.csv"
CALENDARS = "calendar.ics"


def extra_keys(view, inputs: dict[str, str], settings: dict,
               named: list[tuple] | None = None) -> dict[str, str]:
    """The keys of the non-page files that do not read the whole site:

    - the interactions export shows the interaction records as written: it is made from the
      interaction files alone;
    - the calendars show the open follow-ups and planned visits of the interactions, with
      the names of the team, of the practices (and their addresses) and of the physicians
      an interaction names, and the last contact of what a visit is planned for: they are
      made from what they show of the interactions (``calendar_shown``), the practice files,
      every input that is not a record (site.yaml, the team…) and those physicians' names
      and practices.

    So an edit of a physician that no interaction names, or of a referral row, makes
    neither again, and an interaction edited without a change to an open follow-up or a
    planned visit (a note, a visit logged without either, a comment) leaves the calendars
    as they are. ``named``: ``named_physicians(view.site)``, when the caller has it."""
    shown = json.dumps(settings, sort_keys=True)
    logs = sorted((rel, h) for rel, h in inputs.items() if rel.startswith("data/interactions/"))
    rest = sorted((rel, h) for rel, h in inputs.items()
                  if not rel.startswith(("data/physicians/", "data/referrals/",
                                         "data/interactions/")))
    return {INTERACTIONS_EXPORT: _hash(INTERACTIONS_EXPORT, shown, logs),
            CALENDARS: _hash(CALENDARS, shown, rest,
                             named_physicians(view.site) if named is None else named,
                             calendar_shown(view))}


def calendar_shown(view) -> tuple[list, list]:
    """What the calendars (exports.calendars) show of the interactions: each open follow-up
    (``SiteView.open_follow_ups``) with its interaction's date, type, author, summary,
    practice and physicians; each interaction that plans a visit (``planned_visits``) with
    the same, its next visit and the last contact of what the visit is for (which decides
    whether the plan stands)."""
    stats = view.stats

    def about(r) -> tuple:
        return r.date, r.type, r.liaison, r.summary, r.practice, tuple(r.physicians)

    def last_contact(kind: str, ident: str) -> str | None:
        figures = getattr(stats, kind).get(ident)
        return figures.last_contact if figures is not None else None

    doctors, practices = view.site.physicians, view.site.practices
    follow_ups = [(f.task, f.due, f.owner, about(r)) for _due, r, f in view.open_follow_ups]
    # (a visit planned for physicians alone is in their liaison's calendar too: a physician's
    # own ``liaison``, which no other part of the calendars' key holds)
    visits = [(r.next_visit, about(r),
               tuple((p, last_contact("practices", p)) for p in practices_of(r, doctors)),
               tuple(effective_liaison(doctors[d], practices) for d in r.physicians
                     if d in doctors))
              for r in view.planned_visits]
    return follow_ups, visits


def every_page_changes(before: dict | None, now: dict) -> bool:
    """Whether an input file that is not a record changed, was added or was removed between
    two builds' input hashes (site.yaml, the team, a guide, a deck, market data, a
    template…): every page's key holds them (the site key, or the hash of every input), so
    every page is made again."""
    return _not_records(before) != _not_records(now)


def _not_records(inputs: dict | None) -> dict[str, str]:
    """The input hashes of the files that are not records (part of the site key)."""
    return {rel: h for rel, h in (inputs or {}).items() if not rel.startswith(RECORD_FOLDERS)}


def own_key(page) -> bool:
    """Whether a page has a key of its own; the others' is the hash of every input, so after
    any change they are made again."""
    return page.kind in ("physician", "practice", "member", MONTHS) or \
        (page.kind == "deck" and "/" in (page.key or ""))


def page_keys(view, pages, inputs: dict[str, str], settings: dict,
              named: list[tuple] | None = None, parts: dict | None = None,
              split_at: tuple | None = None, whole: dict | None = None,
              rows: dict | None = None) -> dict[str, str]:
    """Page path -> key, for every page; ``named``: ``named_physicians(view.site)``, when the
    caller has it (it reads every interaction: 0.2 s at 10,000 physicians); ``parts``:
    ``Keys.parts`` (what the interactions alone give the keys) as the last build kept
    them, filled in here; ``split_at``: pipeline._Split's; ``whole``: ``whole_site_keys``,
    when the caller has them; ``rows``: ``Keys.rows`` as the last build kept them, filled
    in here."""
    keys = Keys(view, inputs, settings, named, parts, split_at, whole, rows)
    return {page.path: keys.of(page) for page in pages}


def reusable(previous: dict | None, keys: dict[str, str]) -> dict[str, list[str]]:
    """Of the pages of the previous build (its record's ``made``: page path -> [key, files
    beside it]), those whose key is the same now: page path -> every file it made."""
    made = (previous or {}).get("made")
    if not isinstance(made, dict):
        return {}
    out = {}
    for path, key in keys.items():
        entry = made.get(path)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key \
                and isinstance(entry[1], list):
            out[path] = [path, *entry[1]]
    return out
