"""Cross-record rules (SPEC §3): references, duplicate NPIs and service keys, dates.

Input: the loaded Site and the as-of date. Output: problems, placed later like any other.
Which fields are references, and to what, is declared once, in the models (``Ref`` markers,
read by ``liaison.fields``): the same declaration checks the valid records, the referral rows
and the records that failed validation (their other fields still get checked).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from pathlib import PurePosixPath

from pydantic import BaseModel

from liaison.content import PAGE_IDS
from liaison.derived import practices_by
from liaison.diagnostics import Loc, Problem, did_you_mean, format_loc
from liaison.fields import references
from liaison.models import (
    DATE_MAX, DATE_MIN, RECORD_MODELS, DeckMeta, GuideMeta, Interaction, Physician, Practice,
    Referral, SiteConfig, TeamMember, _npi, email_href, id_problem, website_href,
)
from liaison.names import fold, name_order_problem
from liaison.records import ReferralRow, Site
from liaison.referral_rows import READ, column_of

# The references each record kind makes: a path into the record ("*": every list item) and the
# kind of record, or site.yaml key, it names.
REFERENCES = {model: references(model) for model in RECORD_MODELS}
WHAT = {"team": "team member", "practices": "practice", "physicians": "physician",
        "training": "training guide", "presentations": "presentation deck",
        "tiers": "tier", "services": "service"}


def _ids(site: Site) -> dict[str, object]:
    """Kind -> the ids a reference of that kind may name; None when they are not known
    (site.yaml has errors): such references are not checked."""
    ids: dict[str, object] = {kind: site.known.get(kind, set()) for kind in WHAT}
    cfg = site.config
    ids["tiers"] = cfg.tiers if cfg else None
    ids["services"] = {s.key for s in cfg.services} if cfg else None
    return ids


def _unknown(kind: str, value: str, ids) -> str:
    if kind == "tiers":
        if not ids:
            return (f"unknown tier '{value}': site.yaml has no tiers (its `tiers` is empty): "
                    "define the tier there, or delete this `tier`")
        # tier keys are the site's own text, capitals and all ('a' for A)
        same = [t for t in ids if isinstance(value, str) and t.casefold() == value.casefold()]
        hint = f" (did you mean '{same[0]}'?)" if same else _hint(value, ids)
        return f"unknown tier '{value}'{hint}: site.yaml has {', '.join(ids)}"
    if kind == "services":
        moved = column_of(value, "service")
        moved = (f" ('{value}' is a value of the {moved} column: are the columns of this row "
                 "swapped or shifted?)" if moved else "")
        return (f"unknown service '{value}'{_hint(value, ids)}; site.yaml has "
                f"{', '.join(sorted(ids))}{moved}")
    if kind == "training" and not _hint(value, ids):  # not a slip: a training recorded
        # before its guide was written, or a retired guide's file deleted
        return (f"unknown training guide '{value}': there is no content/training/{value}.md; "
                f"write the guide first (`liaison new guide {value} --title …`), and keep a "
                "retired guide's file while trainings name it")
    return f"unknown {WHAT[kind]} '{value}'{_hint(value, ids)}"


_HINTS: dict[int, tuple[object, dict[str, str]]] = {}
_TITLE = re.compile(r"^(?:dr|doctor)-(?=.)")


def _hint(value: str, table) -> str:
    """The "did you mean" hint of a dangling reference, worked out once per value and table:
    a renamed file can leave thousands of references to one id (about 1 ms each otherwise)."""
    entry = _HINTS.get(id(table))
    if entry is None or entry[0] is not table:
        if len(_HINTS) > 16:
            _HINTS.clear()
        entry = _HINTS[id(table)] = (table, {})
    memo = entry[1]
    hint = memo.get(value)
    if hint is None:
        # a short form of one id: 'alder-falls' for alder-falls-family-medicine, 'quill' for
        # nora-quill (too far apart for difflib); only when one id is so named. It comes
        # first: a file renamed p-00001 -> p-00001-southside left its references closer, to
        # difflib, to another record's p-00100 (the summary's likely cause names it first too).
        # A title written before it ('dr-wren', 'dr-tobias-wren', as a fax names the referring
        # physician) is no part of it
        part = []
        if isinstance(value, str) and value:
            bare = _TITLE.sub("", value) or value
            part = [i for i in table if isinstance(i, str) and (
                i == bare or i.startswith(bare + "-") or i.endswith("-" + bare))]
        hint = (f" (did you mean '{part[0]}'?)" if len(part) == 1
                else did_you_mean(value, table, cutoff=0.7))
        memo[value] = hint
    return hint


# ------------------------------------------------------------------------ references


def _walk(data, path: tuple, loc: tuple = ()):
    """(loc, value) for every value at ``path`` in a record: a valid one (a model instance,
    a referral row) or the raw data of one that failed validation."""
    if not path:
        yield loc, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, loc + (i,))
    elif isinstance(data, dict):
        if head in data:
            yield from _walk(data[head], rest, loc + (head,))
    elif isinstance(data, (BaseModel, ReferralRow)):
        yield from _walk(getattr(data, head), rest, loc + (head,))


def _all_known(model: type, tables: list) -> Callable[[object], bool]:
    """A function (valid record of ``model``) -> whether every reference it makes is known,
    ``tables[n]`` holding the ids of its n-th reference (None among them). It is compiled from
    the declared paths into plain attribute reads and set lookups, as fast as writing them
    out by hand (interactions and referral rows number in the hundreds of thousands). It may
    say False wrongly (``DeckMeta.targets`` 'all' is read letter by letter), never True
    wrongly: the finders then decide."""
    lines = ["def all_known(record):"]
    for n, (path, _kind) in enumerate(REFERENCES[model]):
        if tables[n] is not None:
            lines += _reads(path, "record", f"ids{n}", 1)
    lines.append("    return True")
    names = {f"ids{n}": table for n, table in enumerate(tables)}
    exec(compile("\n".join(lines), f"<references of {model.__name__}>", "exec"), names)
    # taken out of its globals: a function they held would be a reference cycle, left to the
    # cyclic collector (in ``serve``, at every save)
    return names.pop("all_known")


def _reads(path: tuple, var: str, ids: str, depth: int) -> list[str]:
    """The lines of ``_all_known`` that check the values at ``path`` below ``var``."""
    pad, name, rest = "    " * depth, path[0], path[1:]
    if not rest:
        return [f"{pad}if {var}.{name} not in {ids}: return False"]
    if rest[0] == "*":
        item = f"item{depth}"
        inner = ([f"{pad}    if {item} not in {ids}: return False"] if len(rest) == 1
                 else _reads(rest[1:], item, ids, depth + 1))
        return [f"{pad}for {item} in {var}.{name} or ():", *inner]
    value = f"value{depth}"  # a nested record
    return [f"{pad}{value} = {var}.{name}", f"{pad}if {value} is not None:",
            *_reads(rest, value, ids, depth + 1)]


class _Refs:
    """The reference checks of valid records of one kind against one site's ids."""

    def __init__(self, model: type, ids: dict[str, object]):
        refs = [(path, kind, ids[kind]) for path, kind in REFERENCES[model]]
        self.all_known = _all_known(model, [None if t is None else {*t, None}
                                            for _p, _k, t in refs])
        self.refs = [(path, kind, table) for path, kind, table in refs if table is not None]

    def dangling(self, record) -> list[tuple[Loc, str]]:
        """(location in the record, message) for each dangling reference (call it for the
        records that ``all_known`` refuses)."""
        return [(loc, _unknown(kind, value, ids))
                for path, kind, ids in self.refs
                for loc, value in _walk(record, path)
                if value is not None and value not in ids]


class Checker:
    def __init__(self, site: Site, as_of: dt.date):
        self.site = site
        self.as_of = as_of
        self.problems: list[Problem] = []
        self.ids = _ids(site)
        self._refs: dict[type, _Refs] = {}

    def add(self, src: tuple, sub: Loc, message: str, severity: str = "error", at="value"):
        path, prefix = src
        loc = prefix + sub
        where = format_loc(loc)
        self.problems.append(
            Problem(path, f"{where}: {message}" if where else message, severity, loc=loc, at=at)
        )

    def references(self, model: type) -> _Refs:
        """The reference checks of valid records (or referral rows) of ``model``."""
        refs = self._refs.get(model)
        if refs is None:
            refs = self._refs[model] = _Refs(model, self.ids)
        return refs

    def refs(self, model: type, records, sources) -> None:
        """Report the dangling references of valid records, each from its (path, prefix)."""
        refs = self.references(model)
        for record, src in zip(records, sources):
            if not refs.all_known(record):
                for sub, message in refs.dangling(record):
                    self.add(src, sub, message)


# ------------------------------------------------------------- records with errors


def _good(part, loc: Loc, value, kind) -> bool:
    """Whether the value at ``loc`` of a record that failed validation is valid on its own:
    of type ``kind`` and without a problem of its own (its other rules then apply to it)."""
    if part.prefix + loc in part.bad:
        return False
    if kind is dt.date:
        return type(value) is dt.date and DATE_MIN <= value <= DATE_MAX
    return isinstance(value, kind)


def _partial_interaction(c: Checker, part) -> None:
    """The rules of a valid interaction (``check_bulk``), on one that failed validation, for
    the fields that are valid."""
    data, src = part.data, (part.path, part.prefix)
    date = data.get("date")
    date = date if _good(part, ("date",), date, dt.date) else None
    practice, physicians = data.get("practice"), data.get("physicians")
    if practice is None and physicians in (None, []):
        if not any(part.prefix + (k,) in part.bad for k in ("practice", "physicians")):
            c.add(src, (), "an interaction needs a practice or physicians (or both)")
    if (_good(part, ("practice",), practice, str) and isinstance(physicians, list)
            and not id_problem(practice.strip())):
        practice = practice.strip()
        for i, pid in enumerate(physicians):
            if _good(part, ("physicians", i), pid, str):
                doc = c.site.physicians.get(pid.strip())
                if doc is not None and doc.practice != practice:
                    c.add(src, ("physicians", i), _not_at(pid.strip(), doc.practice, practice),
                          "warning")
    follow_ups = data.get("follow_ups")
    if date is not None and isinstance(follow_ups, list):
        for i, f in enumerate(follow_ups):
            done = f.get("done") if isinstance(f, dict) else None
            if done is not None and _good(part, ("follow_ups", i, "done"), done, dt.date) \
                    and done < date:
                c.add(src, ("follow_ups", i, "done"),
                      f"done {done.isoformat()} is before the interaction's date "
                      f"{date.isoformat()}")
            due = f.get("due") if isinstance(f, dict) else None
            if due is not None and _good(part, ("follow_ups", i, "due"), due, dt.date) \
                    and due_mistyped(due, date):
                c.add(src, ("follow_ups", i, "due"), _before(due, date), "warning")
    planned = data.get("next_visit")
    if date is not None and planned is not None \
            and _good(part, ("next_visit",), planned, dt.date) and planned < date:
        c.add(src, ("next_visit",), _before(planned, date), "warning")
    if date is not None and date > c.as_of:
        c.add(src, ("date",), _future(date, c.as_of), "warning")
    if date is not None and (elsewhere := folder_date_problem(part.path, date, {})):
        c.add(src, ("date",), elsewhere, "warning")


def _not_at(pid: str, at: str, practice: str) -> str:
    """A listed physician whose practice is another: a mistake, or a visit from before they
    moved (history, which stays as it happened)."""
    return (f"physician '{pid}' is at practice '{at}', not '{practice}': if they moved since, "
            "leave this earlier interaction as it is (it happened there); if not, correct the "
            "practice or the physician")


# A follow-up due this many days or more before its interaction's date: a mistyped year (last
# year's, in January) or month. Due a few days before is a lunch logged ahead, its order due
# the day before.
DUE_MISTYPED_DAYS = 28


def due_mistyped(due: dt.date, date: dt.date) -> bool:
    """Whether a follow-up due ``due`` on an interaction of ``date`` looks mistyped (it would
    read weeks or a year overdue from the day it was promised)."""
    return (date - due).days >= DUE_MISTYPED_DAYS


def _before(day: dt.date, date: dt.date) -> str:
    """A next visit planned before the interaction that planned it (the call plan would call it
    missed), or a follow-up due weeks before it (``due_mistyped``): a mistyped year or month,
    most likely. (A follow-up may be due a few days before its interaction's date: a lunch
    logged ahead, its order placed the day before.)"""
    return (f"{day.isoformat()} is before the interaction's date {date.isoformat()}: a "
            "mistyped year or month?")


# The dated layout of `new interaction` and the logging form, data/interactions/YYYY/MM/DD-….yaml:
# the year's folder, the month's and the day the file is named for (a file directly in a year's
# folder, 2026/q3.yaml, has only the year; 2026-10-12-event.yaml in a month's, no day of its own)
# A name that begins with two numbers (05-07-conference.yaml, 11-24-visit.yaml) says a span of
# days, or the month and the day (or the day and the month): each of those dates is its own.
_DATED_PATH = re.compile(r"data/interactions/(?P<y>[0-9]{4})/"
                         r"(?:(?P<m>[0-9]{2})/(?:(?P<d>[0-9]{2})(?![0-9])"
                         r"(?:-(?P<d2>[0-9]{2})(?![0-9]))?[^/]*$)?)?")


def folder_date_problem(path: str, date: dt.date, dated: dict) -> str | None:
    """The warning of an interaction dated ``date`` in the file ``path`` whose folders or name
    say another year, month or day (last year's year typed in January), or None. ``dated``
    keeps each path's parts between calls, with the days its folders or name surely allow
    (the check runs once per interaction: most dates are let through by two comparisons)."""
    found = dated.get(path, False)
    if found is False:
        found = dated[path] = _dated_parts(path)
    if found is None:
        return None
    first, last, parts = found
    if first is not None and first <= date <= last:
        return None
    year, month, day, second = parts
    if day:
        said, of = f"{year:04d}-{month:02d}-{day:02d}", "named for"
        if date.isoformat() == said:
            return None
        if second and (date.year, date.month) == (year, month) and (
                day <= date.day <= second or {day, second} == {month, date.day}):
            return None
    elif month:
        said, of = f"{year:04d}-{month:02d}", "in the folder of"
        if (date.year, date.month) == (year, month):
            return None
    else:
        said, of = f"{year:04d}", "in the folder of"
        if date.year == year:
            return None
    return (f"dated {date.isoformat()}, but its file is {of} {said}: a mistyped year or "
            "month? Correct the date, or move the file where its date says")


def _dated_parts(path: str) -> tuple | None:
    """What ``folder_date_problem`` keeps of ``path``: None where its folders say no date,
    else (the first and last day they surely allow, or None, None; the year, month, day and
    second day they say). A day or a month that is no calendar's allows nothing."""
    m = _DATED_PATH.match(path)
    if m is None:
        return None
    year, month, day, second = (int(m["y"]), m["m"] and int(m["m"]), m["d"] and int(m["d"]),
                                m["d2"] and int(m["d2"]))
    try:
        if day:
            first = last = dt.date(year, month, day)
        elif month:
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        first = last = None
    return first, last, (year, month, day, second)


# A referral file named for its year or month, as teams keep them (2025.yaml, 2026-h1.csv,
# 2027-q1.csv, 2024-12.yaml, 2026-web.csv): the year, the month when one follows (-01 to -12),
# then only words, halves or quarters. A name with another number says a span ("2025-26",
# "2026-10-to-11"): its rows are not checked.
_DATED_ROWS = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>0[1-9]|1[0-2]))?"
                         r"(?:[-_ ](?:h[12]|q[1-4]|[a-z]+))*\.[a-z]+", re.I)
# ... but a fiscal year's file (2026-fy.csv, 2026-fiscal.csv) names a span too: its year
# begins in the calendar year before (in July or October, as the practice reports)
_FISCAL = re.compile(r"(?<![a-z])(?:fy|fiscal)(?![a-z])", re.I)
# A week's rolled-up row is dated its first day (SPEC §2), which may fall a few days before
# the year or month of the file that keeps it
ROLLED_UP_DAYS = 6


def file_period_problem(path: str, date: dt.date, periods: dict) -> str | None:
    """The warning of a referral row dated ``date`` in the file ``path`` whose name says
    another year or month (last year's year typed in January: the row counts in the wrong
    year, unseen), or None. ``periods`` keeps each path's (first, last, said) between calls,
    its first day moved back by ROLLED_UP_DAYS (the check runs once per row)."""
    period = periods.get(path, False)
    if period is False:
        m = _DATED_ROWS.fullmatch(path.rsplit("/", 1)[-1])
        period = None
        if m is not None and 1900 <= int(m["y"]) <= 2099 and not _FISCAL.search(m.group()):
            year, month = int(m["y"]), m["m"] and int(m["m"])
            if month:
                last = calendar.monthrange(year, month)[1]
                period = (dt.date(year, month, 1), dt.date(year, month, last), f"{year:04d}-{month:02d}")
            else:
                period = (dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")
            period = (period[0] - dt.timedelta(days=ROLLED_UP_DAYS), *period[1:])
        periods[path] = period
    if period is None:
        return None
    first, last, said = period
    if first <= date <= last:
        return None
    return (f"dated {date.isoformat()}, but its file is named for {said}: a mistyped year or "
            "month? Correct the date, or move the row to a file of its own period")


_ZIP_SHORT = re.compile(r"[0-9]{3,4}")  # 02134 or 00501 without its leading zeros
_ZIP_DECIMALS = re.compile(r"([0-9]{5})\.0+")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]{1,2}", re.I)  # 9.84E+04, 3.60555E+09
_PHONE_DECIMALS = re.compile(r"([0-9]{7,15})\.0+")


def zip_spreadsheet_problem(text: str) -> str | None:
    """The warning of a practice's ZIP code ``text`` that a spreadsheet wrote as a number
    (its column not formatted as text), or None."""
    so = "a spreadsheet writes a ZIP code so when its column is not formatted as text"
    if _ZIP_SHORT.fullmatch(text):
        return (f"'{text}' is not a ZIP code (5 digits): its leading zeros lost? ({so}); "
                f"write '{text.zfill(5)}' if that is the code")
    return _number_problem(text, _ZIP_DECIMALS, "a ZIP code (5 digits)", "the ZIP code", so)


def phone_spreadsheet_problem(text: str) -> str | None:
    """The warning of a phone or fax number ``text`` that a spreadsheet wrote as a number
    (3605550111 as 3.60555E+09 in a narrow column, or 3605550111.0), or None: its tap-to-call
    link would dial other digits."""
    so = "a spreadsheet writes a phone number so when its column is not formatted as text"
    return _number_problem(text, _PHONE_DECIMALS, "a phone number", "the number", so)


def _number_problem(text: str, decimals: re.Pattern, what: str, it: str, so: str) -> str | None:
    """The warning of digits ``text`` that a spreadsheet wrote as a number: with decimals
    (``decimals`` finds the digits before them: write those) or in scientific notation (the
    digits are lost: write ``it`` again); or None. ``what`` the value should be, ``so`` why
    a spreadsheet writes it so."""
    m = decimals.fullmatch(text)
    if m is not None:
        return f"'{text}' is not {what}: write '{m.group(1)}' ({so})"
    if _SCIENTIFIC.fullmatch(text):
        return f"'{text}' is not {what}: its digits are lost ({so}); write {it} again"
    return None


def _partial_referral(c: Checker, part) -> None:
    """The date rules of a valid referral row (``check_bulk``: after the as-of date, outside
    its file's named period), on one that failed validation, when its date is valid: said in
    the same run as its error, not on the run after the error is fixed."""
    if part.prefix + ("date",) in part.bad:
        return
    date, problem, _missing = READ["date"](part.data.get("date"))
    if date is None or problem is not None:
        return
    found = [_future(date, c.as_of)] if date > c.as_of else []
    if elsewhere := file_period_problem(part.path, date, {}):
        found.append(elsewhere)
    for message in found:
        if part.line is None:
            c.add((part.path, part.prefix), ("date",), message, "warning")
        else:  # a CSV row: its line
            c.problems.append(Problem(part.path, f"date: {message}", "warning",
                                      line=part.line, col=1))


def _check_partials(c: Checker, partials) -> None:
    """The checks of records that failed validation, for the fields that have no problem of
    their own: references (where the values are text), and the rules of an interaction and
    the date rules of a referral row."""
    for part in partials:
        if part.model is Interaction:
            _partial_interaction(c, part)
        elif part.model is Referral:
            _partial_referral(c, part)
        for path, kind in REFERENCES.get(part.model, ()):
            ids = c.ids[kind]
            if ids is None:
                continue
            for loc, value in _walk(part.data, path):
                if isinstance(value, str) and part.prefix + loc not in part.bad:
                    value = value.strip()
                    if value not in ids:
                        if part.line is None:
                            c.add((part.path, part.prefix), loc, _unknown(kind, value, ids))
                        else:  # a CSV row: its line
                            c.problems.append(Problem(
                                part.path, f"{format_loc(loc)}: {_unknown(kind, value, ids)}",
                                line=part.line, col=1))


# ------------------------------------------------------------------------- the rules


def check_core(site: Site, as_of: dt.date) -> list[Problem]:
    """The rules on site.yaml, practices, physicians, team members, guides and decks."""
    c = Checker(site, as_of)
    _check_partials(c, site.partials)
    cfg = site.config

    if cfg:
        c.refs(SiteConfig, [cfg], [(site.config_path, ())])
        keys = [((i,), s.key) for i, s in enumerate(cfg.services)]
    else:  # a site.yaml with errors: the keys that are valid on their own are still compared
        keys = [(loc[1:2], value.strip()) for part in site.partials if part.model is SiteConfig
                for loc, value in _walk(part.data, ("services", "*", "key"))
                if isinstance(value, str) and loc not in part.bad]
    seen = set()
    for (i,), key in keys:
        if key in seen:
            c.add((site.config_path, ()), ("services", i, "key"), f"duplicate service key '{key}': give each service a key of its own")
        seen.add(key)
    # A service block copied with a new key and its old name: the referrals page, its chart
    # and the logging form would show two alike (capitals and spaces aside)
    named: dict[str, int] = {}
    for i, service in enumerate(cfg.services if cfg else ()):
        j = named.setdefault(" ".join(fold(service.name).split()), i)
        if j != i:
            c.add((site.config_path, ()), ("services", i, "name"),
                  f"'{service.name}' is the name of services[{j}] ({cfg.services[j].key}) too: "
                  "the pages would show two alike; give each its own", "warning")

    for model, records in ((Practice, site.practices), (Physician, site.physicians),
                           (TeamMember, site.team)):
        c.refs(model, list(records.values()), [site.src[id(r)] for r in records.values()])
    for model, docs in ((GuideMeta, site.guides), (DeckMeta, site.decks)):
        c.refs(model, [d.meta for d in docs.values()], [(d.path, ()) for d in docs.values()])
    # A deck's practice listed twice in its targets gets one customized deck: the second is a slip.
    for d in site.decks.values():
        if isinstance(d.meta.targets, list):
            first_at: dict[str, int] = {}
            for i, target in enumerate(d.meta.targets):
                j = first_at.setdefault(target, i)
                if j != i:
                    c.add((d.path, ()), ("targets", i), f"practice '{target}' is listed already "
                          f"(targets[{j}]): delete one", "warning")
    # A training dated after the as-of date (a year mistyped, a session booked ahead) is not
    # taken yet at that date: the competency matrix leaves it out, and says so here.
    # The same training (guide and date) written twice is said too: one of them is a slip.
    for m in site.team.values():
        first: dict[tuple, int] = {}
        for i, t in enumerate(m.trainings):
            j = first.setdefault((t.guide, t.completed), i)
            if j != i:
                c.add(site.src[id(m)], ("trainings", i),
                      f"the same training as trainings[{j}] ({t.guide}, completed "
                      f"{t.completed.isoformat()}): delete one of them (a retake that day: keep "
                      "the one of its score, as the matrix reads the first written)", "warning")
            if t.completed > as_of:
                c.add(site.src[id(m)], ("trainings", i, "completed"),
                      f"dated {t.completed.isoformat()}, after the as-of date {as_of.isoformat()}: "
                      "not counted in the competency matrix (a session booked ahead: write it "
                      "once it is taken)", "warning")
    # A website that is no web address ("see Facebook", a typo, "javascript:…") is shown on
    # the brief as text, never as a link: said here, rather than found missing in the car.
    for p in site.practices.values():
        if p.website and website_href(p.website) is None:
            c.add(site.src[id(p)], ("website",),
                  f"'{p.website.strip()}' is not a web address (https://… or a host name such as "
                  "www.example.org): the brief shows it as text, not as a link", "warning")
    # A ZIP code a spreadsheet rewrote as a number (02134 as 2134, 98391 as 98391.0, or
    # rounded to 9.84E+04) is accepted as text, and the brief's map link and address carry
    # it: said here, with the code to write where the digits are all there.
    for p in site.practices.values():
        if p.zip and (problem := zip_spreadsheet_problem(p.zip.strip())):
            c.add(site.src[id(p)], ("zip",), problem, "warning")
    # A name as a sheet's list of people keeps it ("Ruiz, Ana", "Ana Ruiz, MD") is shown as
    # written and sorted under its last word (A, MD): said at the name.
    for records, credentials in ((site.physicians, True), (site.team, False)):
        for rec in records.values():
            if problem := name_order_problem(rec.name, credentials):
                c.add(site.src[id(rec)], ("name",), problem, "warning")
    # A phone or fax number a spreadsheet rewrote as a number (3.60555E+09, 3605550111.0) is
    # text too, and the brief's tap-to-call link dials its digits: another number.
    phones = [(rec, (field,), getattr(rec, field, None))
              for records, fields in ((site.practices, ("phone", "fax")),
                                      (site.physicians, ("phone",)))
              for rec in records.values() for field in fields]
    phones += [(p, ("staff", i, "phone"), person.phone)
               for p in site.practices.values() for i, person in enumerate(p.staff)]
    for rec, loc, number in phones:
        if number and (problem := phone_spreadsheet_problem(number.strip())):
            c.add(site.src[id(rec)], loc, problem, "warning")
    # An e-mail that is no address ("ask the front desk", two addresses, a missing @) is shown
    # as text, never as a mailto: link: said here as the website is.
    def email_problem(text: str) -> str | None:
        if email_href(text) is not None:
            return None
        return (f"'{text.strip()}' is not an e-mail address (name@example.org; one address a "
                "field): the page shows it as text, not as a link")

    for records in (site.practices, site.physicians, site.team):
        for rec in records.values():
            if getattr(rec, "email", None) and (problem := email_problem(rec.email)):
                c.add(site.src[id(rec)], ("email",), problem, "warning")
    for p in site.practices.values():
        for i, person in enumerate(p.staff):
            if person.email and (problem := email_problem(person.email)):
                c.add(site.src[id(p)], ("staff", i, "email"), problem, "warning")
    # An image in the notes of a practice or physician (or an interaction's: check_bulk) is
    # dropped from the page without a trace: said here.
    for records in (site.practices, site.physicians):
        for rec in records.values():
            if note_image(rec.notes):
                c.add(site.src[id(rec)], ("notes",), NOTE_IMAGE, "warning")
            if rec.notes and (dest := note_link(rec.notes)):  # shown on its own page: relative works
                c.add(site.src[id(rec)], ("notes",), note_link_problem(dest), "warning")
    c.problems += guide_body_problems(site)

    # Duplicate NPIs, among valid physicians and those that failed validation for another
    # field. NPIs are compared as their ten ASCII digits (an integer NPI and a quoted one are
    # the same NPI; other digits are no NPI, see models._npi).
    npis: dict[str, str] = {}
    physicians = [(did, d.npi, site.src[id(d)]) for did, d in site.physicians.items()]
    seen_partials = set()
    for part in site.partials:
        if (part.model is Physician and (part.path, part.prefix) not in seen_partials
                and part.prefix + ("npi",) not in part.bad):
            seen_partials.add((part.path, part.prefix))
            try:
                npi = _npi(part.data.get("npi"))
            except ValueError:
                continue
            physicians.append((PurePosixPath(part.path).stem, npi, (part.path, part.prefix)))
    for did, npi, src in physicians:
        if npi is not None:
            if npi in npis:
                c.add(src, ("npi",), f"duplicate NPI {npi}: physician '{npis[npi]}' has it too (the same "
                                        "person twice? keep one file; else correct the NPI of one)")
            else:
                npis[npi] = did
    return c.problems


# The parts of a guide's page besides its headings' ids: base.html's ids, and "top", which a
# browser takes for the page's top without any element of that id (the HTML standard)
GUIDE_PAGE_IDS = PAGE_IDS | {"top"}


def guide_body_problems(site: Site) -> list[Problem]:
    """What a guide's body points at: its images, files beneath content/training/, PNG or
    JPEG, at their line (an image from another host is a warning: it is not shown; so is an
    HTML ``<img>`` that cannot be shown: HTML is taken as it is written, and the page builds);
    its links to a guide's file (``other.md``) that is no guide, and to any other file of the
    repository, which GitHub follows but the site does not have (``../presentations/x.md``,
    ``handouts/form.pdf``, a folder): warnings; so is a link to a part (``other.md#part``,
    ``#part``) that no heading of that guide names. A link to a page (``….html``) or to an
    address is left alone."""
    from liaison.decks import (
        _REMOTE, DECORATIVE, html_images, html_images_without_alt, image_problem, image_refs, images_without_alt,
    )
    from liaison.content import (
        GUIDE_FILE, REFERENCE, forbidden_characters, links, pictures_by_reference, prose_lines,
        repository_links, root_links, vague_links,
    )

    out = []
    parts: dict[str, set[str]] = {}  # guide id -> the ids of its page, rendered when a link needs them

    def part_problem(gid: str, part: str, dest: str, k: int, col: int, guide) -> None:
        from urllib.parse import unquote

        if gid not in parts:
            from html import unescape

            from liaison.content import MarkdownRenderer
            html, _toc = MarkdownRenderer().document(site.guides[gid].body)
            parts[gid] = {unescape(i) for i in re.findall(r'\sid="([^"]*)"', html)} | GUIDE_PAGE_IDS
        name = unquote(part)
        if name not in parts[gid]:
            where = "this guide" if gid == guide.id else site.guides[gid].path
            out.append(Problem(guide.path, f"link to '{dest}': no heading '{name}' in {where} (a part is "
                               f"a heading's id, as GitHub gives it){did_you_mean(name, sorted(parts[gid]))}",
                               severity="warning", line=guide.body_line + k, col=col))

    for guide in [*site.guides.values(), *_unread_guides(site)]:
        refs = [(ref, False) for ref in image_refs(guide.body)] + [(ref, True) for ref in html_images(guide.body)]
        for (k, col, path), html in sorted(refs):
            why = image_problem(path, site.root, "training")
            if why:
                out.append(Problem(guide.path, why, severity="warning" if html or _REMOTE.match(path) else "error",
                                   line=guide.body_line + k, col=col))
    for guide in site.guides.values():
        to_guides = set()  # (line, column) of each link to a guide's file: made a page's
        for k, line in prose_lines(guide.body):
            for col, dest in links(line):  # inline, and a reference's definition ([label]: other.md)
                file = GUIDE_FILE.fullmatch(dest)
                if file:
                    to_guides.add((k, col))
                    if file.group("id") not in site.guides:
                        near = did_you_mean(file.group("id"), site.guides)
                        out.append(Problem(guide.path, f"link to '{file.group('id')}.md': no training guide "
                                           f"'{file.group('id')}' in content/training/{near}",
                                           severity="warning", line=guide.body_line + k, col=col))
                        continue
                target = guide.id if dest.startswith("#") else file.group("id") if file else None
                part = dest.partition("#")[2]
                if target and part:
                    part_problem(target, part, dest, k, col, guide)
        pictures = pictures_by_reference(guide.body)
        lines = guide.body.split("\n")
        for k, col, dest in repository_links(guide.body):
            definition = REFERENCE.match(lines[k])
            if definition and definition.group("label").strip().lower() in pictures:
                out.append(Problem(guide.path, f"picture '{dest}' by reference ([{definition.group('label')}]: "
                                   "…): not shown on the guide's page; write it in place, "
                                   f"![alt text]({f'<{dest}>' if ' ' in dest else dest})",
                                   severity="warning", line=guide.body_line + k, col=col))
                continue
            if (k, col) not in to_guides and site.config is None:
                # site.yaml has errors: the site's files are not known (guide_page_link_problems
                # checks such a link against them)
                out.append(Problem(guide.path, no_file_of_the_site(dest), severity="warning",
                                   line=guide.body_line + k, col=col))
        for k, col, dest in root_links(guide.body):
            path, sep, part = dest.partition("#")
            to = f"../..{path}{'index.html' if path.endswith('/') else ''}{sep}{part}"  # from training/<id>/
            out.append(Problem(guide.path, f"link to '{dest}': an address from the server's root, which "
                               "leads nowhere when the site is opened from disk or served under a folder: "
                               f"write it from the guide's page, '{to}'", severity="warning",
                               line=guide.body_line + k, col=col))
        for k, col, warning in forbidden_characters(guide.body):
            out.append(Problem(guide.path, warning, severity="warning", line=guide.body_line + k, col=col))
        # what the decks are warned of too: a picture a screen reader says nothing of, a link
        # its list of links reads as "click here"
        for k, col in images_without_alt(guide.body):
            out.append(Problem(guide.path, "a picture without alt text: write what it shows between the "
                               "brackets, ![Our vascular lab](images/lab.png); a screen reader says nothing of "
                               "it; a picture that only decorates, say so: "
                               f"![](images/wave.png \"{DECORATIVE}\")", severity="warning",
                               line=guide.body_line + k, col=col))
        for k, col in html_images_without_alt(guide.body):
            out.append(Problem(guide.path, 'an <img> without alt text: write what it shows, alt="Our '
                               'vascular lab" (a screen reader reads out the file\'s name); alt="" for a '
                               "picture that only decorates", severity="warning",
                               line=guide.body_line + k, col=col))
        for k, col, text in vague_links(guide.body):
            out.append(Problem(guide.path, f"a link whose text says nothing of where it goes ('[{text}]'): "
                               "name what it opens, [the referral form](…); a screen reader's list of links "
                               "reads its text alone", severity="warning", line=guide.body_line + k, col=col))
    return out


def no_file_of_the_site(dest: str) -> str:
    """The warning of a guide's link to a file that the site does not have (a file of the
    repository: ``handouts/form.pdf``, ``../presentations/x.md``, a folder)."""
    path, sep, part = dest.partition("#")
    # ../../referrals/: the page's folder, which a browser opening the site from disk
    # shows as a list of files
    folder = (f"; a folder: if it is a page's, write the page's file, "
              f"'{path}index.html{sep}{part}'" if path.endswith("/") else "")
    return (f"link to '{dest}': no page of the site (the guide's page links to another guide by its "
            "file, other.md, to a page of the site by its file, ….html, written from the guide's page, "
            "as it does to another file the site makes, ../../calendar.ics, and to anything else by "
            f"its full address{folder})")


PROMISE = "promise"  # what marks a promise event among cost events (a cost's holds its shares)


def promise_events(site: Site, as_of: dt.date, interactions) -> list[tuple]:
    """(day, path, prefix, PROMISE, index, task, practices, open, done day) for every
    follow-up of the interactions ((record, source) pairs) dated ≤ as_of, its task with
    capitals, accents and spacing left aside, for ``repeated_promise_problems``: made beside
    ``compliance.cost_events`` wherever the interactions are read (in the processes that
    read them: the main one may hold none), in the same list, their path and prefix those
    of a cost event's. Where they are all at hand, only ``promises_that_can_warn`` are sent
    to another process or kept whole. The interaction's date and the follow-up's ``done``
    are day numbers (``date.toordinal()``; None when not done): these events are pickled by
    the hundred thousand (sent by the processes of ``validate``, kept by a build), and a
    date object took 1.4 µs of it where a number takes next to nothing (105,000 events at
    10,000 physicians: 0.38 s with dates, 0.07 s with day numbers)."""
    practice_of = {pid: doc.practice for pid, doc in site.physicians.items()}
    folded: dict[str, str] = {}  # each task as compared (the same one is typed again and again)
    out = []
    for r, (path, prefix) in interactions:
        follow_ups = r.follow_ups
        if follow_ups and r.date <= as_of:
            practices, day = practices_by(r, practice_of), r.date.toordinal()
            for i, f in enumerate(follow_ups):
                task = folded.get(f.task) or folded.setdefault(f.task, _promise_task(f.task))
                done = f.done
                out.append((day, path, prefix, PROMISE, i, task, practices,
                            done is None or done > as_of,  # (is_open)
                            None if done is None else done.toordinal()))
    return out


def promises_that_can_warn(events: list[tuple]) -> list[tuple]:
    """``events`` (cost and promise events) without the promise events that can neither
    warn nor be warned of among them: only a follow-up that shares its task and a practice
    with an open one can (most are done and promised once: at 10,000 physicians 9,400 of
    105,000 are left, which are what another process is sent and what is kept of all the
    interactions)."""
    open_keys = open_promises(events)
    return [e for e in events
            if e[3] != PROMISE or any((e[5], p) in open_keys for p in e[6])]


def open_promises(events: list[tuple]) -> set:
    """The (task, practice) of each open follow-up among ``events``' promise events."""
    return {(e[5], p) for e in events if e[3] == PROMISE and e[7] for p in e[6]}


def _promise_task(task: str) -> str:
    """A follow-up's task as two promises are compared: capitals, accents, spacing aside."""
    return " ".join(fold(task).split())


def repeated_promise_problems(events: list[tuple]) -> list[Problem]:
    """A warning at each follow-up whose task (capitals and spacing aside) repeats one of an
    earlier interaction (or earlier in the same one) with one of its practices that is still
    open at the as-of date: the same promise made twice, listed twice on the follow-ups page,
    a brief and the calendars; or, when this one is done, the first one's ``done`` written on
    a copy in a later visit, which leaves the first open (and overdue) for good. Promising
    again what was done is said nothing about. ``events``: ``promise_events`` (among cost
    events, left aside), any order."""
    first: dict[tuple[str, str], tuple] = {}  # (task, practice): the first open one
    out = []
    # only those that can warn or be warned of, before the sort (at 10,000 physicians
    # 105,000 follow-ups, 0.3 s of every check and of every save)
    promises = sorted((e for e in promises_that_can_warn(events) if e[3] == PROMISE),
                      key=lambda e: e[:3] + e[4:5])
    for day, path, prefix, _kind, i, task, practices, is_open_, done in promises:
        keys = [(task, p) for p in practices]
        earlier = next((first[k] for k in keys if k in first), None)
        if earlier is not None:
            e_day, e_path, e_loc = earlier
            # (in code spans: the validate summary's kinds keep one line for all of them)
            where = (f"`{format_loc(e_loc)}` of `{e_path}` "
                     f"({dt.date.fromordinal(e_day).isoformat()}), still open")
            advice = ("promised twice? write `done:` on the earlier one, or delete one; a task "
                      "that recurs says which time it is (`Send the November report`)"
                      if is_open_ else
                      f"a follow-up is done where it was promised: write "
                      f"`done: {dt.date.fromordinal(done).isoformat()}` there")
            loc = prefix + ("follow_ups", i, "task")
            out.append(Problem(path, f"{format_loc(loc)}: the same promise as {where}: "
                               f"{advice}", "warning", loc=loc))
        elif is_open_:
            for k in keys:
                first[k] = (day, path, prefix + ("follow_ups", i))
    return out


def guide_page_link_problems(site: Site, stats, as_of: dt.date) -> list[Problem]:
    """Each guide's link to a file of the site, written from the guide's page
    (``training/<id>/``), that the site does not have: a page (``../../referals/index.html``,
    a practice's page misspelt, one past the site's top), with the nearest page, or another
    file (``../../exports/physician.csv``, a file of the repository, ``handouts/form.pdf``,
    which GitHub follows): a warning at the link. The files the site makes, pages or not (a
    deck's .pptx, ``exports/*.csv``, ``calendar.ics``), are those a build writes
    (``render.output_paths``), listed only when a guide has such a link. (A link to
    another guide's file, ``other.md``, is checked with the guide: guide_body_problems.)"""
    import posixpath
    from urllib.parse import unquote

    from liaison.content import GUIDE_FILE, REFERENCE, links, pictures_by_reference, prose_lines
    from liaison.decks import _REMOTE

    found = []  # (guide, line offset, column, destination, the file's path in the site)
    for gid in sorted(site.guides):
        guide = site.guides[gid]
        pictures = None
        for k, line in prose_lines(guide.body):
            for col, dest in links(line):
                if not dest or dest.startswith(("#", "/")) or _REMOTE.match(dest) or GUIDE_FILE.fullmatch(dest):
                    continue
                definition = REFERENCE.match(line)
                if definition:  # a picture's (guide_body_problems says to write it in place)
                    pictures = pictures_by_reference(guide.body) if pictures is None else pictures
                    if definition.group("label").strip().lower() in pictures:
                        continue
                path = dest.split("#", 1)[0].split("?", 1)[0]
                found.append((guide, k, col, dest, posixpath.normpath(posixpath.join(f"training/{gid}", unquote(path)))))
    if not found or site.config is None:  # (without site.yaml, guide_body_problems says what it can)
        return []
    from liaison import pages as page_registry
    from liaison.render import output_paths

    paths = output_paths(page_registry.SiteView(site, stats, as_of), stats)
    pages = {p for p in paths if p.endswith(".html")}
    view = page_registry.SiteView(site, stats, as_of)
    rendered: dict[str, set[str] | None] = {}  # page -> its ids, rendered when a link names a part of it
    planned: dict = {}  # path -> page, planned at the first

    def ids_of(path: str) -> set[str] | None:
        from html import unescape

        from liaison.render import make_env, render_page

        if path not in rendered:
            rendered[path] = None
            if not planned:
                planned.update((p.path, p) for p in page_registry.plan(view))
            page = planned[path]
            try:
                html = render_page(view, page, make_env(site.root))
            except Exception:  # noqa: BLE001 - a template's failure is said where the page is built
                return None
            rendered[path] = {unescape(i) for i in re.findall(r'\sid="([^"]*)"', html)} | {"top"}
        return rendered[path]

    out = []
    for guide, k, col, dest, page in found:
        part = unquote(dest.partition("#")[2])
        # a part of another page (../../team/index.html#coverage) is one of its ids, known where
        # the pages can be rendered with every record (build; validate keeps no interactions);
        # a part holding "=" is the filters' state (app.js), not an id
        if page in pages and part and "=" not in part and site.interactions:
            ids = ids_of(page)
            if ids is not None and part not in ids:
                out.append(Problem(guide.path, f"link to '{dest}': no part '{part}' on the page '{page}' "
                                   f"(a part is an id of the page){did_you_mean(part, sorted(ids))}",
                                   severity="warning", line=guide.body_line + k, col=col))
            continue
        if page in paths:
            continue
        if not dest.split("#", 1)[0].split("?", 1)[0].endswith(".html"):
            message = no_file_of_the_site(dest)
        else:
            written = {posixpath.relpath(p, f"training/{guide.id}") for p in pages}  # as the link is
            near = did_you_mean(dest.split("#", 1)[0].split("?", 1)[0], written)
            at = "above the site's top" if page.startswith("../") else f"at '{page}'"
            message = f"link to '{dest}': no page of the site {at}{near}"
        out.append(Problem(guide.path, message, severity="warning", line=guide.body_line + k, col=col))
    return out


def _unread_guides(site: Site) -> list:
    """The guides whose front matter has errors, their bodies read again from their files:
    a missing image of theirs is said in the same run as the front matter's errors (SPEC §3:
    every problem in one run), not in the next."""
    from liaison import yamlio
    from liaison.content import FrontMatterError, Guide, split_front_matter
    from liaison.discover import stem
    from liaison.models import GuideMeta

    out = []
    for rel in sorted({p.path for p in site.partials if p.model is GuideMeta}):
        try:
            fm = split_front_matter(yamlio.decode((site.root / rel).read_bytes()))
        except (OSError, ValueError, FrontMatterError, yamlio.YamlSyntaxError):
            continue  # changed since it was read: what it holds now is said on the next run
        out.append(Guide(stem(rel), rel, None, fm.body, fm.body_line))
    return out


def check_bulk(site: Site, as_of: dt.date, interactions, referrals, partials) -> list[Problem]:
    """The rules on some interactions ((record, source) pairs) and referral rows; the core
    records of ``site`` are all there. Workers that load different files each run this."""
    c = Checker(site, as_of)
    _check_partials(c, partials)
    # Each physician's practice, read once (this loop runs once per interaction).
    practice_of = {pid: doc.practice for pid, doc in site.physicians.items()}
    add, refs = c.add, c.references(Interaction)
    all_known = refs.all_known
    dated: dict = {}  # each interaction file's dated folders (folder_date_problem)
    for r, src in interactions:
        if not all_known(r):
            for sub, message in refs.dangling(r):
                add(src, sub, message)
        practice, date, listed = r.practice, r.date, r.physicians
        if len(listed) > 1 and len(set(listed)) != len(listed):
            # counted once (stats), but named twice wherever the interaction is listed
            first: dict[str, int] = {}
            for i, pid in enumerate(listed):
                j = first.setdefault(pid, i)
                if j != i:
                    add(src, ("physicians", i),
                        f"physician '{pid}' is listed already (physicians[{j}]): delete one",
                        "warning")
        if practice is None:
            if not listed:
                add(src, (), "an interaction needs a practice or physicians (or both)")
        else:
            for i, pid in enumerate(listed):
                at = practice_of.get(pid, practice)
                if at != practice:
                    add(src, ("physicians", i), _not_at(pid, at, practice), "warning")
        if r.follow_ups:
            for i, f in enumerate(r.follow_ups):
                if f.done is not None and f.done < date:
                    add(src, ("follow_ups", i, "done"),
                        f"done {f.done.isoformat()} is before the interaction's date "
                        f"{date.isoformat()}")
                elif f.done is not None and f.done > as_of >= date:  # a year mistyped
                    add(src, ("follow_ups", i, "done"),
                        f"done {f.done.isoformat()}, after the as-of date {as_of.isoformat()}: "
                        "the follow-up stays open (and overdue once due) until then", "warning")
                if due_mistyped(f.due, date):
                    add(src, ("follow_ups", i, "due"), _before(f.due, date), "warning")
        if r.next_visit is not None and r.next_visit < date:
            add(src, ("next_visit",), _before(r.next_visit, date), "warning")
        if r.notes and note_image(r.notes):
            add(src, ("notes",), NOTE_IMAGE, "warning")
        if r.notes and (dest := note_link(r.notes, relative=True)):
            add(src, ("notes",), note_link_problem(dest), "warning")
        if date > as_of:
            add(src, ("date",), _future(date, as_of) + _promised_ahead(r.follow_ups),
                "warning")
        if elsewhere := folder_date_problem(src[0], date, dated):
            add(src, ("date",), elsewhere, "warning")

    def row_problem(row, sub: Loc, message: str, severity: str = "error") -> None:
        if row.line is None:
            add((row.path, row.loc), sub, message, severity)
        else:  # a CSV row: its line
            c.problems.append(Problem(row.path, f"{format_loc(sub)}: {message}", severity,
                                      line=row.line, col=1))

    refs = c.references(Referral)
    all_known = refs.all_known
    periods: dict = {}  # each referral file's dated name (file_period_problem)
    for row in referrals:
        if not all_known(row):
            for sub, message in refs.dangling(row):
                row_problem(row, sub, message)
        if row.date > as_of:
            row_problem(row, ("date",), _future(row.date, as_of), "warning")
        if elsewhere := file_period_problem(row.path, row.date, periods):
            row_problem(row, ("date",), elsewhere, "warning")
    return c.problems


_HTML_IMAGE = re.compile(r"<img\b", re.I)
NOTE_IMAGE = ("holds an image, which notes do not show (the brief shows nothing in its place): "
              "link to it instead, as [the floor plan](https://…)")


def note_image(notes: str | None) -> bool:
    """Whether a record's Markdown notes hold an image (``![…](…)`` or an HTML ``<img>``, not
    in code), which the sanitizer drops without a trace (liaison.content.sanitize: notes take
    no image). Rendered only when a quick look finds one of the two (rare): this runs once
    per interaction."""
    if not notes or ("![" not in notes and not ("<" in notes and _HTML_IMAGE.search(notes))):
        return False
    from liaison.content import gfm

    return _HTML_IMAGE.search(gfm(notes)) is not None


def note_link(notes: str, relative: bool = False) -> str | None:
    """The first link of a record's Markdown notes (not in code) from the server's root
    (``/referrals/index.html``), which leads nowhere from disk or under a folder; with
    ``relative``, or written from a page (``../../calendar.ics``), which an interaction's
    notes, shown on the activity log (``activity/``) and on briefs and month pages a folder
    deeper, cannot be: the same address leads to two places. None when there is none."""
    if "](" not in notes and "]:" not in notes:  # (this runs once per interaction)
        return None
    from liaison.content import _REMOTE, links, prose_lines

    for _k, line in prose_lines(notes):
        for _col, dest in links(line):
            if dest.startswith("/") and not dest.startswith("//"):
                return dest
            if relative and dest and not dest.startswith(("#", "/")) and not _REMOTE.match(dest):
                return dest
    return None


def note_link_problem(dest: str) -> str:
    if dest.startswith("/"):
        return (f"link to '{dest}': an address from the server's root, which leads nowhere when the "
                "site is opened from disk or served under a folder: link by its full address (https://…)")
    return (f"link to '{dest}': an interaction's notes show on pages in different folders (a brief, "
            "the activity log), from which an address written from the page leads to different "
            "places: link by its full address (https://…)")


def _promised_ahead(follow_ups) -> str:
    """What the warning at an interaction dated after the as-of date adds of its follow-ups:
    they wait for its day too (SPEC §4: open follow-ups are those of interactions of age ≥ 0),
    on follow-ups/, the briefs and the calendars, so that an order due before a lunch logged
    ahead first shows overdue."""
    if not follow_ups:
        return ""
    # (no count in it: the validate summary's kinds keep one line for all of them)
    first = min(f.due for f in follow_ups).isoformat()
    return (f"; its follow-ups wait for that day (on no list or calendar until then; the "
            f"first due {first})")


def _future(date: dt.date, as_of: dt.date) -> str:
    return (f"dated {date.isoformat()}, after the as-of date {as_of.isoformat()}: "
            "left out of the statistics")
