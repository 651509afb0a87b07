"""Cross-record rules (SPEC §3): references, duplicate NPIs and service keys, dates.

Input: the loaded Site and the as-of date. Output: problems, placed later like any other.
"""
from __future__ import annotations

import datetime as dt

from liaison.diagnostics import Loc, Problem, did_you_mean, format_loc
from liaison.records import Site
from liaison.models import Interaction, Physician, Practice, TeamMember

class Checker:
    def __init__(self, site: Site, as_of: dt.date):
        self.site = site
        self.as_of = as_of
        self.problems: list[Problem] = []

    def add(self, src: tuple, sub: Loc, message: str, severity: str = "error", at="value"):
        path, prefix = src
        loc = prefix + sub
        where = format_loc(loc)
        self.problems.append(
            Problem(path, f"{where}: {message}" if where else message, severity, loc=loc, at=at)
        )

    def ref(self, src, sub: Loc, value, table, what: str) -> None:
        if value is not None and value not in table:
            self.add(src, sub, f"unknown {what} '{value}'{_hint(value, table)}")



_HINTS: dict[int, tuple[object, dict[str, str]]] = {}


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
        hint = memo[value] = did_you_mean(value, table, cutoff=0.7)
    return hint


# The references each record kind makes: a path into the record ("*": every list item) and the
# kind of record it names. Used for records that failed validation (their other fields still
# get checked); valid records are checked field by field below.
REFERENCES = {
    Practice: ((("liaison",), "team"),),
    Physician: ((("practice",), "practices"), (("liaison",), "team")),
    TeamMember: ((("trainings", "*", "guide"), "training"),),
    Interaction: (
        (("liaison",), "team"), (("practice",), "practices"), (("physicians", "*"), "physicians"),
        (("deck",), "presentations"), (("follow_ups", "*", "owner"), "team"),
    ),
}
WHAT = {"team": "team member", "practices": "practice", "physicians": "physician",
        "training": "training guide", "presentations": "presentation deck"}


def _walk(data, path: tuple, loc: tuple = ()):
    """(loc, value) for every value at ``path`` in raw data."""
    if not path:
        yield loc, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, loc + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, loc + (head,))


def _check_partials(c: "Checker", site: Site, partials) -> None:
    for part in partials:
        for path, kind in REFERENCES.get(part.model, ()):
            table = site.known.get(kind, set())
            for loc, value in _walk(part.data, path):
                if isinstance(value, str) and part.prefix + loc not in part.bad:
                    c.ref((part.path, part.prefix), loc, value.strip(), table, WHAT[kind])


def check_site(site: Site, as_of: dt.date) -> list[Problem]:
    """Every cross-record problem of a fully loaded site."""
    interactions = [(r, site.src[id(r)]) for r in site.interactions]
    return check_core(site, as_of) + check_bulk(site, as_of, interactions, site.referrals,
                                                 site.bulk_partials)


def check_core(site: Site, as_of: dt.date) -> list[Problem]:
    """The rules on site.yaml, practices, physicians, team members and decks."""
    c = Checker(site, as_of)
    _check_partials(c, site, site.partials)
    cfg = site.config
    tiers = cfg.tiers if cfg else None

    if cfg:
        seen = set()
        for i, s in enumerate(cfg.services):
            if s.key in seen:
                c.add((site.config_path, ()), ("services", i, "key"), f"duplicate service key '{s.key}'")
            seen.add(s.key)

    for p in site.practices.values():
        src = site.src[id(p)]
        c.ref(src, ("liaison",), p.liaison, site.known["team"], "team member")

    npis: dict[str, str] = {}
    for did, d in site.physicians.items():
        src = site.src[id(d)]
        c.ref(src, ("practice",), d.practice, site.known["practices"], "practice")
        c.ref(src, ("liaison",), d.liaison, site.known["team"], "team member")
        if d.tier is not None and tiers is not None and d.tier not in tiers:
            c.add(src, ("tier",), f"unknown tier '{d.tier}': site.yaml has {', '.join(tiers)}")
        if d.npi is not None:
            if d.npi in npis:
                c.add(src, ("npi",), f"duplicate NPI {d.npi}: physician '{npis[d.npi]}' has it too")
            else:
                npis[d.npi] = did

    for t in site.team.values():
        for i, tr in enumerate(t.trainings):
            c.ref(site.src[id(t)], ("trainings", i, "guide"), tr.guide, site.known["training"],
                  "training guide")

    for deck in site.decks.values():
        if deck.meta.targets != "all":
            for i, pid in enumerate(deck.meta.targets):
                c.ref((deck.path, ()), ("targets", i), pid, site.known["practices"], "practice")

    return c.problems


def check_bulk(site: Site, as_of: dt.date, interactions, referrals, partials) -> list[Problem]:
    """The rules on some interactions ((record, source) pairs) and referral rows; the core
    records of ``site`` are all there. Workers that load different files each run this."""
    c = Checker(site, as_of)
    _check_partials(c, site, partials)
    cfg = site.config
    services = {s.key for s in cfg.services} if cfg else None
    known = site.known
    physicians = site.physicians
    practices, team = known.get("practices", set()), known.get("team", set())
    decks, known_physicians = known.get("presentations", set()), known.get("physicians", set())
    for r, src in interactions:
        if r.liaison not in team:
            c.ref(src, ("liaison",), r.liaison, team, "team member")
        if r.practice is None and not r.physicians:
            c.add(src, (), "an interaction needs a practice or physicians (or both)")
        if r.practice is not None and r.practice not in practices:
            c.ref(src, ("practice",), r.practice, practices, "practice")
        for i, pid in enumerate(r.physicians):
            doc = physicians.get(pid)
            if doc is None:
                c.ref(src, ("physicians", i), pid, known_physicians, "physician")
            elif r.practice is not None and doc.practice != r.practice:
                c.add(src, ("physicians", i),
                      f"physician '{pid}' is at practice '{doc.practice}', not '{r.practice}'",
                      "warning")
        if r.deck is not None and r.deck not in decks:
            c.ref(src, ("deck",), r.deck, decks, "presentation deck")
        for i, f in enumerate(r.follow_ups):
            if f.owner is not None and f.owner not in team:
                c.ref(src, ("follow_ups", i, "owner"), f.owner, team, "team member")
            if f.done is not None and f.done < r.date:
                c.add(src, ("follow_ups", i, "done"),
                      f"done {f.done.isoformat()} is before the interaction's date {r.date.isoformat()}")
        if r.date > as_of:
            c.add(src, ("date",), _future(r.date, as_of), "warning")

    for row in referrals:
        problems = []
        if row.physician is not None and row.physician not in known_physicians:
            problems.append((("physician",), f"physician: unknown physician '{row.physician}'"
                             f"{_hint(row.physician, known_physicians)}", "error"))
        if services is not None and row.service not in services:
            problems.append((("service",), f"service: unknown service '{row.service}'"
                             f"{_hint(row.service, services)}; site.yaml has "
                             f"{', '.join(sorted(services))}", "error"))
        if row.date > as_of:
            problems.append((("date",), f"date: {_future(row.date, as_of)}", "warning"))
        for sub, message, severity in problems:
            if row.line is not None:
                c.problems.append(Problem(row.path, message, severity, line=row.line, col=1))
            else:
                where = format_loc(row.loc)
                c.problems.append(Problem(row.path, f"{where}.{message}" if where else message,
                                          severity, loc=row.loc + sub))
    return c.problems


def _future(date: dt.date, as_of: dt.date) -> str:
    return (f"dated {date.isoformat()}, after the as-of date {as_of.isoformat()}: "
            "left out of the statistics")
