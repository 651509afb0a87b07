"""The compliance warning of SPEC §3: a physician's share of what the practice gave in meals,
gifts and items of value in one calendar year goes over ``compliance.annual_limit``.

Interactions are read by several workers (each its share of the files): each collects the
costs it saw (``cost_events``), and the parent, with every event in hand, sorts them by date
and finds the interaction that took each physician over the limit (``limit_warnings``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from liaison.derived import physician_shares
from liaison.diagnostics import Problem, format_loc
from liaison.models import cents
from liaison.records import Site
from liaison.wording import plural

# Per cent of the annual limit from which a physician's spend is near it: listed first on
# compliance/, an amber meter on their brief, named by `liaison stats`.
NEAR = 80


def annual_limit_cents(site: Site) -> int | None:
    """The annual limit in cents (rounded down to a whole cent), or None when unset."""
    cfg = site.config
    if cfg is None or cfg.compliance is None:
        return None
    return int(cfg.compliance.annual_limit * 100)


def cost_events(site: Site, as_of: dt.date, interactions) -> list[tuple]:
    """(date, path, prefix, [(physician, cents)]) for every interaction of age ≥ 0 (``§4
    spend``) that has a cost and lists a physician; ``interactions``: (record, source) pairs.
    Nothing when site.yaml sets no limit."""
    if annual_limit_cents(site) is None:
        return []
    out = []
    for r, (path, prefix) in interactions:
        if r.cost and r.date <= as_of:
            shares = physician_shares(r, cents(r.cost))
            if shares:
                out.append((r.date, path, prefix, shares))
    return out


@dataclass(frozen=True)
class Given:
    """One physician's share of one interaction's cost (SPEC §4 Spend), with their running
    total for the year after it and whether it is the one that took them over the limit
    (where ``limit_warnings`` warns)."""

    physician: str
    record: object  # the interaction (liaison.models.Interaction)
    cost: int  # cents, the whole interaction's
    share: int  # cents
    shared_by: int
    running: int  # cents
    crossed: bool


def given_in_year(records, limit_cents: Decimal | int) -> list[Given]:
    """Each physician's share of each of ``records`` (one calendar year's interactions with a
    cost, in date order: ``pages.compliance.year_costly``), in that order, adding up as
    ``limit_warnings`` does; ``limit_cents`` exact."""
    running: dict[str, int] = {}
    out = []
    for r in records:
        total = cents(r.cost)
        shares = physician_shares(r, total)
        for pid, share in shares:
            before = running.get(pid, 0)
            after = running[pid] = before + share
            out.append(Given(pid, r, total, share, len(shares), after,
                             before <= limit_cents < after))
    return out


def source_of(src: dict, record) -> tuple[str, int | None]:
    """Where an interaction is written (``Site.src``): its file, and in a file of several
    records which one, counted from 1 (None: the file holds it alone)."""
    path, prefix = src.get(id(record), ("", ()))
    return path, prefix[0] + 1 if prefix and isinstance(prefix[0], int) else None


def no_cost_lunch(interaction) -> bool:
    """A lunch that records no ``cost``: a meal given whose amount is missing (every lunch of a
    site written for the contract's first edition, which had no ``cost``). It counts as
    nothing given, as the statistics define spend; the pages say so instead of "nothing
    given"."""
    return interaction.type == "lunch" and interaction.cost is None


def no_cost_note(n: int, year: int) -> str:
    """What the pages say of ``n`` lunches of ``year`` that record no cost ("" for none)."""
    if not n:
        return ""
    if n == 1:
        return f"1 lunch of {year} records no cost: counted as nothing given (add its cost)."
    return (f"{plural(n, 'lunch')} of {year} record no cost: counted as nothing given (add "
            f"their costs).")


def dollars(amount_cents: int) -> str:
    """12345 -> '$123.45'."""
    return f"${amount_cents // 100:,}.{amount_cents % 100:02d}"


def exact_dollars(amount_cents: int | Decimal) -> str:
    """Cents as dollars with a fraction of a cent written out, as a limit of more than two
    decimals is compared (to the cent, $100.005 read "$100.00" and half a cent over it
    "$0.00 over"): 12345 -> '$123.45', Decimal('10000.5') -> '$100.005'."""
    if amount_cents == int(amount_cents):
        return dollars(int(amount_cents))
    return f"${(Decimal(amount_cents) / 100).normalize():,f}"


def limit_warnings(site: Site, events: list[tuple]) -> list[Problem]:
    """A warning at the cost of the interaction that first takes a physician over the
    annual limit, once per physician and calendar year."""
    limit = annual_limit_cents(site)
    if limit is None:
        return []
    exact: Decimal = site.config.compliance.annual_limit
    totals: dict[tuple[str, int], int] = {}
    warned: set[tuple[str, int]] = set()
    out = []
    for date, path, prefix, shares in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        for pid, share in shares:
            key = (pid, date.year)
            total = totals[key] = totals.get(key, 0) + share
            if key not in warned and total > exact * 100:
                warned.add(key)
                doc = site.physicians.get(pid)
                who = f"{doc.name} ({pid})" if doc is not None else pid
                loc = prefix + ("cost",)
                out.append(Problem(
                    path,
                    f"{format_loc(loc)}: {who} {GIVEN} {dollars(total)} in {date.year} "
                    f"{OVER} {exact_dollars(exact * 100)} (site.yaml compliance.annual_limit)",
                    "warning", loc=loc))
    return out


# The words of the warning that ``overruns`` reads back (compliance/ lists the warnings).
GIVEN, OVER = "has been given", "with this interaction, over the annual limit of"
_OVERRUN = re.compile(
    r"^\S*: (?:.* \((?P<pid>[^()\s]+)\)|(?P<bare>\S+)) " + GIVEN
    + r" (?P<total>\$[\d,]+\.\d\d) in (?P<year>\d{4}) " + re.escape(OVER) + " ")


@dataclass(frozen=True)
class Overrun:
    """A warning of ``limit_warnings``: who went over the limit, in which year, the total
    then, and the diagnostic (the cost of the interaction that took them over)."""

    physician: str
    year: int
    total: str
    diagnostic: object  # liaison.diagnostics.Diagnostic


def overruns(diagnostics) -> list[Overrun]:
    """The warnings of spend over the annual limit among ``diagnostics`` (validate's
    warnings, as the site's view holds them), in their order."""
    out = []
    for d in diagnostics:
        m = _OVERRUN.match(d.message)
        if m and d.severity == "warning":
            out.append(Overrun(m["pid"] or m["bare"], int(m["year"]), m["total"], d))
    return out
