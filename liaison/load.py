"""Load stage: the files of a site root -> records, each knowing where it came from.

Each file is read once; problems of every file are gathered, none stops the load. The parts:

* ``discover``: which files are records, by kind;
* ``parse``: the ``Loader``, which reads a file, parses its YAML and validates its records
  (``translate`` words pydantic's errors);
* ``referral_rows``: referral rows from YAML lists and CSV files, by the ``Referral`` model;
* this module: the order of the load, core records first (``load_core``), then interactions
  and referrals (``load_bulk``, shared out among workers);
* ``place``: the line and column of each problem, once the run is over.
"""
from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from liaison import guard, yamlio
from liaison.cache import ParseCache
from liaison.content import Deck, FrontMatterError, Guide, split_front_matter, split_slides
from liaison.diagnostics import Loc, Problem, format_loc
from liaison.discover import SITE_NAMES, YAML_EXT, Files, discover, stem
from liaison.memo import Memo
from liaison.models import (
    FILE_KINDS, DeckMeta, GuideMeta, Interaction, Referral, SiteConfig, id_problem,
)
from liaison.parse import Loader, Partial
from liaison.place import place
from liaison.records import ReferralRow, ReferralRows, Site
from liaison.referral_rows import (
    REFERRAL_COLUMNS, _load_referral_csv, _referral_yaml, check_referral,
)
from liaison.snapshot import INTERACTIONS

# The load stage's names, where other modules and the tests have always found them.
__all__ = [
    "REFERRAL_COLUMNS", "Bulk", "Files", "Loader", "Partial", "attach", "check_referral",
    "core_only", "discover", "load_bulk", "load_core", "load_site", "place",
]


def load_site(root: Path, cache: ParseCache | None = None) -> tuple[Site, list[Problem], Files]:
    """Read every file of the site root once: (records, problems, the files found)."""
    site, loader, files = load_core(root, cache)
    bulk = load_bulk(Loader(root, cache), files.interactions + files.referrals)
    attach(site, bulk)
    return site, loader.problems + bulk.problems, files


def where_to_run(root: Path) -> str:
    """What to do when ``root`` has no site.yaml: a command typed in the wrong folder (the
    site's data/, or the home folder) is the likely cause, rather than a file to write."""
    try:
        here = root.resolve()
        other = _site_file_misnamed(here)
        if other is not None:
            return other
        held = [f"data/{kind}" for kind in ("practices", "physicians", "team", "interactions",
                                            "referrals") if (here / "data" / kind).is_dir()]
        if held:  # the site's own folder, whose site.yaml a change deleted or renamed
            return (f"this folder holds {held[0]}/ as a site root does: put its site.yaml back "
                    "(deleted or renamed?)")
        folder = site_root_above(here)
        if folder is not None:
            return (f"the site root is '{folder}', which holds one: run the command there, "
                    f"or give --root {folder}")
    except (OSError, RuntimeError, ValueError):
        pass
    return ("run the command in the site's folder (or give it with --root), or start a new "
            "site with `liaison init`")


def _site_file_misnamed(here: Path) -> str | None:
    """What to do when ``here`` holds the settings file under another spelling of its name
    (`site.YAML`, `Site.yml`, or `site.yaml.txt` as Notepad saves it with the extensions
    hidden): it is read under its own name only (SPEC §1), so say which file to rename."""
    for entry in sorted(os.listdir(here)):
        lower = entry.lower()
        if lower.endswith(".txt") and lower[:-4] in SITE_NAMES:
            return (f"this folder holds '{entry}': name it {lower[:-4]} (an editor added "
                    "'.txt', which Windows hides when it hides file extensions)")
        if lower in SITE_NAMES and entry not in SITE_NAMES:
            return (f"this folder holds '{entry}': name it {lower} (the settings file is read "
                    "by that name only, in lower case)")
    return None


def site_root_above(here: Path) -> Path | None:
    """The nearest folder above ``here`` (resolved) that holds a site.yaml, or None: where a
    command typed in the site's data/ was meant to run."""
    for folder in here.parents:
        if any((folder / name).is_file() for name in ("site.yaml", "site.yml")):
            return folder
    return None


def load_core(root: Path, cache: ParseCache | None = None,
              files: Files | None = None, memo: Memo | None = None) -> tuple[Site, Loader, Files]:
    """site.yaml, practices, physicians, team, guides and decks: the records every other
    file refers to. Interaction and referral files are left to ``load_bulk``. With ``memo``
    (liaison.memo), a file unchanged since the memo's last run is not read again."""
    files = files or discover(root)
    loader = Loader(root, cache)
    loader.problems += files.problems  # links and special files: never read (SPEC §1)
    site = Site(root=root)

    if files.site is None:
        if not any(p.path in ("site.yaml", "site.yml") for p in files.problems):  # not "missing"
            loader.error("site.yaml", "missing site.yaml: every site root needs one (our practice "
                                      f"and its service lines): {where_to_run(root)}")
    else:
        site.config_path = rel = files.site

        def build_config(data):
            if data is None:
                loader.error(rel, "the file holds nothing: site.yaml needs practice and services")
                return None
            return loader.validate(SiteConfig, data, rel)

        site.config = _each(loader, rel, lambda: loader.records(rel, loader.parse(rel), build_config),
                            memo)

    for kind, model in FILE_KINDS.items():
        target = getattr(site, kind)
        rels = _unique_stems(loader, files.by_kind[kind])
        site.known[kind] = {stem(rel) for rel in rels}
        for rel in rels:

            def build_one(data, rel=rel, model=model):
                if data is None or data == {} or data == []:
                    loader.error(rel, "the file holds no record: write its fields (`name: …` "
                                      "and the others, one a line), or delete the file")
                    return None
                return loader.validate(model, data, rel)

            rec = _each(loader, rel, lambda: loader.records(rel, loader.parse(rel), build_one), memo)
            if rec is not None:
                target[stem(rel)] = rec
                site.src[id(rec)] = (rel, ())

    for kind, rels, meta, target in (
        ("training", files.training, GuideMeta, site.guides),
        ("presentations", files.presentations, DeckMeta, site.decks),
    ):
        rels = _unique_stems(loader, rels)
        site.known[kind] = {stem(rel) for rel in rels}
        for rel in rels:
            doc = _each(loader, rel, lambda: _load_markdown(loader, rel, meta), memo)
            if doc is not None:
                target[stem(rel)] = doc
    for rel in files.others:  # a template or a note left in data/ goes into git as a record does
        folder, _, name = rel.rpartition("/")
        if folder == "data/market" and name.lower().endswith(YAML_EXT):
            continue  # read (and guarded) by liaison.market
        _each(loader, rel, lambda rel=rel: loader.guard_unread(rel), memo)
    site.partials = loader.partials
    return site, loader, files


def core_only(site: Site) -> Site:
    """What workers checking interactions and referrals need of the core records: site.yaml,
    the physicians (their practice), the team (their role) and every id; not the practices'
    records (the ids say which exist) nor the source positions (those stay with the parent).
    It is pickled to every worker: the practices would make it twice as long to send."""
    return Site(root=site.root, config_path=site.config_path, config=site.config,
                physicians=site.physicians, team=site.team, known=site.known)


@dataclass
class Bulk:
    """What ``load_bulk`` read from some interaction and referral files."""

    interactions: list[tuple[object, tuple[str, Loc]]]  # (record, (path, prefix)), by date
    referrals: list[ReferralRow]
    problems: list[Problem]
    partials: list[Partial]


def load_bulk(loader: Loader, rels: list[str], memo: Memo | None = None,
              same_dates: bool = True) -> Bulk:
    """Interaction and referral files (any subset, so that workers can share them out). They
    need no other record to be read: references are checked later (checks.check_bulk).
    ``same_dates``: see ``_read_bulk``."""
    interactions = []
    referrals: list[ReferralRow] = []
    for rel in rels:
        value = _each(loader, rel, lambda: _read_bulk(loader, rel, same_dates), memo)
        if rel.startswith(INTERACTIONS):
            interactions += value
        else:
            referrals += value
    return _bulk(interactions, referrals, loader.problems, loader.partials)


def load_bulk_again(loader: Loader, rels: list[str], memo: Memo) -> tuple[Bulk, list[dict]]:
    """``load_bulk`` of these files through ``memo`` (``serve``), with the interactions'
    sources by record id, for ``attach``. The interactions of the files not edited lately
    (``Memo.split``) are kept in order from run to run, and those of the files edited lately
    merged in, instead of every interaction being sorted and listed again at every save."""
    referrals: list[ReferralRow] = []
    for rel in rels:
        value = _each(loader, rel, lambda: _read_bulk(loader, rel), memo)
        if not rel.startswith(INTERACTIONS):
            referrals += value
    cold, hot = memo.split([rel for rel in rels if rel.startswith(INTERACTIONS)])
    kept = memo.derive("interactions in order", (tuple(cold), memo.tokens(cold)), lambda: (
        _InOrder.of([entry for rel in cold for entry in interactions_read(memo, rel)])))
    pairs, hot_src = kept.merged([entry for rel in hot for entry in interactions_read(memo, rel)])
    return Bulk(pairs, referrals, loader.problems, loader.partials), [kept.src, hot_src]


@dataclass(frozen=True)
class _InOrder:
    """Interactions (date, record, source) each in the order a full load gives them: by date,
    then by path (the files are listed sorted), then by place in the file (``_bulk``).
    ``pairs``: (record, source) each; ``keys``: (date, path, place) each, the same order;
    ``src``: the sources by record id."""

    pairs: list
    keys: list
    src: dict

    @classmethod
    def of(cls, entries: list) -> "_InOrder":
        """Of the entries of files in their listed order, each file's in file order."""
        entries.sort(key=itemgetter(0))  # stable
        return cls([(rec, src) for _d, rec, src in entries],
                   [(date, *src) for date, _rec, src in entries],
                   {id(rec): src for _d, rec, src in entries})

    def merged(self, entries: list) -> tuple[list, dict]:
        """These pairs and those of ``entries`` (of other files), in order; with the
        sources of ``entries`` by record id. Neither is changed."""
        if not entries:
            return list(self.pairs), {}
        pairs, keys, out, start = self.pairs, self.keys, [], 0
        for date, rec, src in sorted(entries, key=lambda e: (e[0], *e[2])):
            at = bisect_right(keys, (date, *src), start)
            out += pairs[start:at]
            out.append((rec, src))
            start = at
        out += pairs[start:]
        return out, {id(rec): src for _d, rec, src in entries}


def _read_bulk(loader: Loader, rel: str, same_dates: bool = True) -> list:
    """What an interaction file gives ((date, record, (path, prefix)) each, in file order) or
    a referral file (its rows). ``same_dates``: the records' equal dates made one object
    (``_same_dates``), for records that are pickled or kept; a check that only reads them
    (``validate``) skips it (0.17 s of processor time at 10,000 physicians)."""
    if rel.startswith(INTERACTIONS):
        date_of = _same_dates if same_dates else _DATE
        records = _load_list(loader, rel, Interaction)
        if len(records) > 1:
            _written_twice(loader, rel, records)
        return [(date_of(rec), rec, (rel, prefix)) for prefix, rec in records]
    return _load_referrals(loader, rel)


def _written_twice(loader: Loader, rel: str, records: list) -> None:
    """A warning at each interaction that repeats an earlier one of its file field for field
    (two visits of a day with the same summary but other notes or outcome are two visits): a
    record pasted twice, or both sides of a merge conflict kept, passed and counted twice in
    every figure. Records are compared whole only when their date, liaison and summary are."""
    seen: dict[tuple, list] = {}
    for prefix, rec in records:
        alike = seen.setdefault((rec.date, rec.liaison, rec.summary), [])
        same = next((at for at, other in alike if other == rec), None)
        if same is not None:
            loader.error(rel, f"{format_loc(prefix)}: the same interaction as {format_loc(same)}, "
                              "field for field: written twice? delete one; if both happened (a "
                              "second voicemail that day), say so in its summary", loc=prefix,
                         severity="warning")
        else:
            alike.append((prefix, rec))


_DAYS: dict = {}
_DATE = attrgetter("date")  # a record's date as it is


def _same_dates(rec: Interaction):
    """Makes the record's equal dates one object each (``_DAYS``; a pickle holds a shared
    object once, and unpickling a date calls its class: see models._shape). Returns its
    date."""
    values, day = rec.__dict__, _DAYS.setdefault
    date = values["date"] = day(rec.date, rec.date)
    if rec.next_visit is not None:
        values["next_visit"] = day(rec.next_visit, rec.next_visit)
    for task in rec.follow_ups:
        task.__dict__["due"] = day(task.due, task.due)
        if task.done is not None:
            task.__dict__["done"] = day(task.done, task.done)
    return date


def _bulk(interactions: list[tuple], referrals: list, problems: list, partials: list) -> Bulk:
    interactions.sort(key=itemgetter(0))  # stable: files and records are in order already
    return Bulk([(rec, src) for _d, rec, src in interactions], referrals, problems, partials)


def bulk_entry(loader: Loader, rel: str, same_dates: bool = True) -> tuple:
    """One interaction or referral file as ``load_bulk`` reads it: (its path, what it gave,
    the problems and the failed records it gave), which the loader does not keep."""
    problems, partials = len(loader.problems), len(loader.partials)
    entry = (rel, _read_bulk(loader, rel, same_dates), loader.problems[problems:],
             loader.partials[partials:])
    del loader.problems[problems:], loader.partials[partials:]
    return entry


def assemble(entry_lists: list[list[tuple]]) -> Bulk:
    """``Bulk`` of the entries of files (``bulk_entry``), lists of them in file order: the
    same as ``load_bulk`` of those files."""
    interactions, referrals, problems, partials = [], [], [], []
    for entries in entry_lists:
        for rel, value, noted, failed in entries:
            if rel.startswith(INTERACTIONS):
                interactions += value
            else:
                referrals += value
            problems += noted
            partials += failed
    return _bulk(interactions, referrals, problems, partials)


def _load_referrals(loader: Loader, rel: str) -> ReferralRows:
    if rel.lower().endswith(".csv"):
        rows = ReferralRows()
        _load_referral_csv(loader, rel, rows)
        return rows
    return ReferralRows(loader.records(rel, loader.parse(rel), lambda data: (
        [] if _misfiled(loader, rel, data, Interaction) or _wrapped(loader, rel, data, Referral)
        else _referral_yaml(loader, rel, data)))
        or ())


# A file of one of the two kinds moved into the other's folder (`git mv data/referrals/2025.yaml
# data/interactions/2025/`, a drag in the web editor): each of its records was an error a
# field, `[0].source: unknown field (did you mean 'outcome'?)`, `[0].liaison: required field
# is missing`, … (1,937 for a year of referrals), none saying where the file belongs.
_FOLDER = {Interaction: ("interaction", "data/interactions/", ("liaison", "summary")),
           Referral: ("referral", "data/referrals/", ("source", "service"))}


def _misfiled(loader: Loader, rel: str, data, model) -> bool:
    """Whether ``data`` (a file's records) are each a record of ``model`` and not of the kind
    of the folder they are in: every key a field of ``model``, a field only ``model`` has
    among them. Then one error says where the file goes, and its records are not read."""
    what, folder, own = _FOLDER[model]
    here = _FOLDER[Referral if model is Interaction else Interaction][0]
    records = data if isinstance(data, list) else [data]
    fields = model.model_fields
    if not records or not all(type(r) is dict and r and all(k in fields for k in r)
                              and any(k in r for k in own) for r in records):
        return False
    loader.error(rel, f"the records of this file are {what}s, not {here}s (their fields are "
                      f"{'an' if what[0] in 'aeiou' else 'a'} {what}'s: {own[0]}, {own[1]}, …): {what} files go in {folder}; move "
                      "it there", line=1, col=1)
    return True


def _wrapped(loader: Loader, rel: str, data, model) -> bool:
    """Whether ``data`` is a list of records written under one key (`interactions:` or
    `referrals:` above them, as an example found online or another program's export has
    it); then one error at that key says to delete it, and the records are not read (it
    was "interactions: unknown field" and a "required field is missing" for each field of a
    record, or "expected a list of referral records")."""
    if not (type(data) is dict and len(data) == 1):
        return False
    [(key, value)] = data.items()
    if key in model.model_fields or not (
            type(value) is list and value and all(type(r) is dict for r in value)):
        return False
    what = _FOLDER[model][0]
    loader.error(rel, f"{key}: the {what}s are written under '{key}:', and a file of {what}s "
                      f"holds them at its top, as a list: delete the line '{key}:' (each "
                      "record then starts with '- ')", loc=(key,), at="key")
    return True


def _each(loader: Loader, rel: str, read, memo: Memo | None):
    """``read()`` of the file ``rel``; with a memo, what it gave last time if the file has not
    changed since, with the problems and failed records it noted then."""
    if memo is None:
        return read()
    problems, partials = len(loader.problems), len(loader.partials)
    fresh = []

    def read_now():
        fresh.append(rel)
        return read(), loader.problems[problems:], loader.partials[partials:]

    value, noted, failed = memo.file(rel, read_now)
    if not fresh:  # what it gave last time: its problems count again
        loader.problems += noted
        loader.partials += failed
    return value


def interactions_read(memo: Memo, rel: str) -> list[tuple]:
    """The interactions of the file ``rel`` as ``load_bulk`` read them through ``memo`` in
    this run: (date, record, (path, prefix)), in file order."""
    return memo.records(rel)[0]


def attach(site: Site, bulk: Bulk, sources: list[dict] | None = None) -> None:
    """Make the bulk records part of the site. ``sources``: the interactions' sources by
    record id, when the caller has them (``load_bulk_again``)."""
    if sources is None:
        for rec, src in bulk.interactions:
            site.interactions.append(rec)
            site.src[id(rec)] = src
    else:
        site.interactions += map(itemgetter(0), bulk.interactions)
        for found in sources:
            site.src.update(found)
    site.referrals = bulk.referrals
    site.bulk_partials = bulk.partials


def _unique_stems(loader: Loader, rels: list[str]) -> list[str]:
    """The files whose stem is a valid, not yet seen id; problems for the others."""
    seen: dict[str, str] = {}
    out = []
    for rel in rels:
        rid = stem(rel)
        problem = id_problem(rid)
        if problem:
            loader.error(rel, f"file name: {problem} (the file name is the record id)")
            continue
        if rid in seen:
            loader.error(rel, f"duplicate id '{rid}': {seen[rid]} has the same name: keep one of "
                              "the two files (merge what they hold into it) and delete the other")
            continue
        seen[rid] = rel
        out.append(rel)
    return out


@lru_cache(maxsize=None)
def _list_adapter(model) -> TypeAdapter:
    return TypeAdapter(list[model])


def _load_list(loader: Loader, rel: str, model) -> list[tuple[Loc, object]]:
    """The records of a file that holds one record or a list of them (interactions)."""
    def build(data):
        if model is Interaction and (_misfiled(loader, rel, data, Referral)
                                     or _wrapped(loader, rel, data, Interaction)):
            return []
        if isinstance(data, list) and data and all(type(x) is dict for x in data):
            try:  # one call for the whole file; on any problem, record by record below
                return [((i,), rec) for i, rec in enumerate(_list_adapter(model).validate_python(data))]
            except ValidationError:
                pass
        out = []
        for prefix, item in loader.items(rel, data):
            rec = loader.validate(model, item, rel, prefix)
            if rec is not None:
                out.append((prefix, rec))
        return out

    return loader.records(rel, loader.parse(rel), build) or []


def _slide_syntax(loader: Loader, rel: str, fm) -> None:
    """The slides of a deck whose front matter has errors, checked all the same for what
    needs no site to render: their template syntax and layouts (so that one run says every
    problem; such a deck is not rendered). The error path only."""
    from liaison.decks import compile_deck, make_env

    deck = Deck(stem(rel), rel, None, split_slides(fm.body, fm.body_line))
    for e in compile_deck(make_env(), deck)[1]:
        loader.error(rel, e.message, line=e.line, col=1)


def _load_markdown(loader: Loader, rel: str, meta_model) -> Guide | Deck | None:
    """A training guide or deck (``meta_model`` GuideMeta or DeckMeta), or None."""
    raw = loader.read_bytes(rel)
    if raw is None:
        return None
    if loader.conflicted(rel, raw):
        return None
    try:
        text = yamlio.decode(raw)
        fm = split_front_matter(text)
    except yamlio.YamlSyntaxError as exc:
        loader.error(rel, exc.message, line=exc.line, col=exc.col)
        return None
    except FrontMatterError as exc:
        loader.error(rel, exc.message, line=exc.line, col=exc.col)
        loader.guard_text(rel, raw, text)
        return None

    def build(data):
        if not isinstance(data, dict):
            loader.error(rel, "front matter: expected fields like 'title: …'", line=2, col=1)
            return None
        return loader.validate(meta_model, data, rel)

    parsed = loader.parse(rel, fm.yaml_text.encode("utf-8"), line_offset=fm.line_offset)
    meta = loader.records(rel, parsed, build)
    for line, kind in guard.scan_text(fm.body, fm.body_line):  # the body, as the guard reads it
        loader.error(rel, f"looks like {kind}: {guard.PATIENT_MESSAGE}", line=line, col=1)
    for line, kind in guard.scan_text(fm.body, fm.body_line, near=True):
        loader.error(rel, f"may hold {kind}: {guard.PATIENT_MESSAGE}; {guard.near_advice(kind)}",
                     line=line, col=1, severity="warning")
    if meta is None:
        if meta_model is DeckMeta:
            _slide_syntax(loader, rel, fm)
        return None
    rid = stem(rel)
    if meta_model is GuideMeta:
        return Guide(rid, rel, meta, fm.body, fm.body_line)
    slides = split_slides(fm.body, fm.body_line)
    if not slides:  # its pages would show nothing at all, and its .pptx no slide
        loader.error(rel, "the deck has no slides: write them after the front matter, separated by "
                     "lines holding only '---'", line=fm.body_line - 1, col=1, severity="warning")
    return Deck(rid, rel, meta, slides)
