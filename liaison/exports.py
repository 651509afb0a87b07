"""Exports: the spreadsheet files under ``exports/`` and the iCalendar feeds (SPEC §6).

Pure functions: each returns the contents of one file (or, for the calendars, a mapping of
file name to contents) as bytes; the build writes them. Output depends only on the records,
the statistics and the as-of date, never on the clock or the file system: two builds of the
same input at the same as-of date are byte-identical (SPEC §5).

CSV files are UTF-8 starting with a byte-order mark (``BOM``: without it Excel, opened by a
double click, reads them in the Windows code page and garbles every accented name), with
``\\r\\n`` line ends and a header row.
Text cells are guarded against CSV/formula injection: a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, unless the whole cell is a
plain number (``-3``, ``+1``), which no spreadsheet evaluates as a formula. Integer cells are
never touched. Line breaks inside a text cell are replaced by a space, so that every record
is one line.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from operator import itemgetter
from typing import Callable, NamedTuple

from liaison.derived import (
    effective_liaison, is_open, month_index, month_of_label, month_to_date, owner,
    practices_of,
)
from liaison.figures import Stats
from liaison.models import Interaction
from liaison.records import ReferralRow, Site
from liaison.snapshot import INTERACTIONS as _INTERACTIONS

# ----------------------------------------------------------------------------------- CSV

PHYSICIAN_COLUMNS = (
    "id", "name", "credentials", "npi", "specialty", "practice", "practice_name", "city",
    "tier", "liaison", "office_days", "email", "phone", "status", "declining",
    "visit_overdue", "referrals", "referrals_90d", "referrals_prev_90d", "referrals_365d",
    "referrals_prev_365d", "first_referral", "last_referral", "days_since_referral",
    "interactions_365d", "last_contact", "last_visit", "potential", "refers_elsewhere",
    "spend_ytd_cents", "rov_visits", "rov_before", "rov_after",
)
# The columns of physicians.csv taken from the physician's statistics as they are.
_PHYSICIAN_STATS = (
    "status", "declining", "visit_overdue", "referrals", "referrals_90d", "referrals_prev_90d",
    "referrals_365d", "referrals_prev_365d", "first_referral", "last_referral",
    "days_since_referral", "interactions_365d", "last_contact", "last_visit",
)
PRACTICE_COLUMNS = (
    "id", "name", "address", "city", "state", "zip", "phone", "liaison", "physicians",
    "referrals_365d", "referrals_prev_365d", "last_contact", "spend_ytd_cents", "rov_visits",
    "rov_before", "rov_after",
)
# The columns of practices.csv taken from the practice's statistics as they are.
_PRACTICE_STATS = (
    "physicians", "referrals_365d", "referrals_prev_365d", "last_contact", "spend_ytd_cents",
)
INTERACTION_COLUMNS = (
    "date", "type", "liaison", "practice", "physicians", "met_with", "summary", "needs",
    "outcome", "deck", "next_visit", "follow_ups", "open_follow_ups", "cost",
)
MONTH_COLUMNS = (
    "month", "referrals", "scheduled", "consulted", "treated", "declined", "interactions",
    "in_person", "physician_referrals", "other_new_patients", "complete",
)
# The columns of referrals-by-month.csv taken from the statistics' months as they are.
_MONTH_STATS = MONTH_COLUMNS[:8]

# The first character of every CSV export: Excel reads the file as UTF-8 only with it
# (LibreOffice, Numbers and Google Sheets drop it; liaison's own CSV reader too).
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(value) -> str:
    """One cell's text: '' for None, true/false for booleans, ISO dates, integers as they
    are, and text with line breaks flattened and formula injection neutralized."""
    if type(value) is str:
        if value.isprintable() and not value.startswith(_FORMULA_START):
            return value  # the common case, at once: no line break is printable
        text = value
        lines = text.splitlines()  # the line breaks of str.splitlines: \n, \r, \u2028, …
        if len(lines) > 1 or (lines and len(lines[0]) != len(text)):
            text = " ".join(lines)
        if (value.startswith(_FORMULA_START) or text.startswith(_FORMULA_START)) \
                and not _PLAIN_NUMBER.fullmatch(text):
            return "'" + text
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(str(value))


def _csv(header: tuple[str, ...], rows) -> bytes:
    out = io.StringIO(newline="")
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def stats_files(site: Site, stats: Stats) -> dict[str, Callable[[], bytes]]:
    """The files made of the core records and the statistics alone, by path, each with its
    maker: ``stats.json`` and the physicians' and practices' exports (an incremental build's
    process forked ahead makes them: liaison.pipeline._taken_ahead; it holds no referral
    row, so the months' export, which counts them, is made with the pages)."""
    from liaison.stats import stats_json

    return {"stats.json": lambda: stats_json(stats).encode("utf-8"),
            "exports/physicians.csv": lambda: physicians_csv(site, stats),
            "exports/practices.csv": lambda: practices_csv(site, stats)}


def physicians_csv(site: Site, stats: Stats) -> bytes:
    """``exports/physicians.csv``: one row per physician, sorted by id.

    Record fields (practice_name and city are the practice's; office_days space-separated),
    then the physician's statistics of SPEC §4 from ``stats`` (``liaison`` is the effective
    liaison). Empty cell for None, ``true``/``false`` for booleans.
    """
    per_physician = stats.physicians

    def rows():
        for pid in sorted(site.physicians):
            p = site.physicians[pid]
            practice = site.practices.get(p.practice)
            s = per_physician.get(pid)
            yield (
                pid, p.name, p.credentials, p.npi, p.specialty, p.practice,
                practice.name if practice is not None else None,
                practice.city if practice is not None else None,
                p.tier, getattr(s, "liaison", None), " ".join(p.office_days), p.email, p.phone,
                *(getattr(s, k, None) for k in _PHYSICIAN_STATS),
                p.potential, "; ".join(p.refers_elsewhere), getattr(s, "spend_ytd_cents", None),
                *((s.rov_365d.visits, s.rov_365d.before, s.rov_365d.after) if s is not None
                  else (None, None, None)),
            )

    return _csv(PHYSICIAN_COLUMNS, rows())


def practices_csv(site: Site, stats: Stats) -> bytes:
    """``exports/practices.csv``: one row per practice, sorted by id.

    Record fields (``liaison`` the practice's own), then the practice's statistics of SPEC §4
    from ``stats``: its spend counts what it was charged whole (an interaction at it that
    lists no physician), which its physicians' rows of ``physicians_csv`` do not hold.
    """
    per_practice = stats.practices

    def rows():
        for pid in sorted(site.practices):
            p = site.practices[pid]
            s = per_practice.get(pid)
            yield (
                pid, p.name, p.address, p.city, p.state, p.zip, p.phone, p.liaison,
                *(getattr(s, k, None) for k in _PRACTICE_STATS),
                *((s.rov_365d.visits, s.rov_365d.before, s.rov_365d.after) if s is not None
                  else (None, None, None)),
            )

    return _csv(PRACTICE_COLUMNS, rows())


def interactions_csv(site: Site, as_of: dt.date | None = None) -> bytes:
    """``exports/interactions.csv``: one row per interaction, in site order (date, then file
    order).

    Every interaction record of the data is exported, including those dated after the as-of
    date (logged ahead of time): the file is the visit log as written, not a statistic.
    Lists are joined (physicians by spaces, met_with and needs by ``"; "``); ``follow_ups``
    is their number and ``open_follow_ups`` the number without ``done`` — or, given
    ``as_of``, without ``done`` or done after ``as_of`` (SPEC §4). Markdown notes are left
    out: one line per record.
    """
    return (interactions_header()
            + "".join([_interaction_line(r, as_of) for r in site.interactions])).encode("utf-8")


COMPLIANCE_HEADER = (
    "year", "date", "physician", "physician_name", "npi", "practice", "type", "liaison",
    "summary", "cost", "shared_by", "share", "running_total", "annual_limit", "over_limit",
    "took_over_limit", "file", "record")


def compliance_csv(site: Site, year: int, records: list) -> bytes:
    """``exports/compliance.csv``, when site.yaml sets ``compliance``: the compliance page's
    ledger for an auditor. One row per physician and interaction of ``records`` (the as-of
    year's interactions with a cost up to the as-of date, in date order:
    ``pages.compliance.year_costly``), by physician id then in date order: the physician
    (name, NPI, their practice), the interaction (type, who logged it, summary, its whole
    cost and how many physicians share it), their share and running total for the year (in
    dollars, as the interactions export writes a cost), the limit, whether they are over it
    then, whether this one took them over (where ``validate`` warns) and the record's file
    (and which record of a file of several, from 1)."""
    from liaison.compliance import given_in_year, source_of

    exact = site.config.compliance.annual_limit
    ledger = sorted(given_in_year(records, exact * 100), key=lambda g: g.physician)  # stable

    def amount(c: int) -> str:
        return f"{c // 100}.{c % 100:02d}"

    def rows():
        for g in ledger:
            r, doc = g.record, site.physicians.get(g.physician)
            path, n = source_of(site.src, r)
            yield (year, r.date, g.physician, doc.name if doc else "", doc.npi if doc else "",
                   doc.practice if doc else "", r.type, r.liaison, r.summary, amount(g.cost),
                   g.shared_by, amount(g.share), amount(g.running), format(exact, "f"),
                   g.running > exact * 100, g.crossed,
                   path, n)

    return _csv(COMPLIANCE_HEADER, rows())


def _interaction_line(r: Interaction, as_of: dt.date | None) -> str:
    """An interaction's line of ``interactions_csv``, as ``_csv`` writes it (a test holds
    them equal), with ``csv_cell`` and csv's quoting kept for the three free-text cells: the
    others are ids, dates, words of a fixed list and numbers, which neither changes (a
    record with errors is never exported). 0.7 s for the 200,000 interactions of a
    10,000-physician site, instead of 1.6-2 s cell by cell through ``csv.writer``."""
    follow_ups, cost, next_visit = r.follow_ups, r.cost, r.next_visit
    return ",".join((
        r.date.isoformat(), r.type, r.liaison, r.practice or "", " ".join(r.physicians),
        _text_cell("; ".join(r.met_with)), _text_cell(r.summary), _text_cell("; ".join(r.needs)),
        r.outcome or "", r.deck or "", "" if next_visit is None else next_visit.isoformat(),
        str(len(follow_ups)),
        # open at the as-of date: none of an interaction logged ahead of it (SPEC §4)
        str(sum(1 for f in follow_ups if is_open(f, as_of)))
        if follow_ups and (as_of is None or r.date <= as_of) else "0",
        "" if cost is None else _text_cell(str(cost)),
    )) + "\r\n"


def _text_cell(text: str) -> str:
    """``csv_cell(text)`` as ``csv.writer`` writes it: in double quotes (each doubled) when
    it holds a comma or a double quote (no line break is left in a cell)."""
    text = csv_cell(text)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return '"' + text + '"' if "," in text else text


def interaction_lines(records: list, src: dict, as_of: dt.date | None, kept: dict | None,
                      hashes: dict[str, str]) -> tuple[str, dict | None]:
    """The lines of ``interactions_csv`` for ``records`` (some interactions of the site, in
    its order; ``src``: ``Site.src``), without the header, taking the lines of each
    interaction file whose content hash (``hashes``: the build record's) is the one ``kept``
    gives (what this returned last time: file -> [its hash, its records' lines by place in
    the file]) instead of writing them again (a line is made from its record and the as-of
    date alone). Returns (the lines, what to keep for next time, or None when it is what
    ``kept`` holds)."""
    kept = kept if isinstance(kept, dict) else {}
    lines = []
    now: dict[str, list] = {}
    made = False
    for r in records:
        rel, place = src[id(r)]
        entry = now.get(rel)
        if entry is None:
            old = kept.get(rel)
            h = hashes.get(rel)
            if isinstance(old, list) and len(old) == 2 and h is not None and old[0] == h \
                    and isinstance(old[1], dict):
                entry = old
            else:
                entry = [h, {}]
            now[rel] = entry
        text = entry[1].get(place)
        if text is None:
            text = entry[1][place] = _interaction_line(r, as_of)
            made = True
        lines.append(text)
    return "".join(lines), (now if made or now.keys() != kept.keys() else None)


def file_lines(entries: list, as_of: dt.date | None) -> dict[str, dict]:
    """The lines of ``interactions_csv`` of the interaction files among ``entries`` (a
    loader's: (path, what the file gave, ...) each; an interaction file gives (date,
    record, (path, place)) each) at ``as_of``, by file and place: what ``interaction_lines``
    takes as kept, once each is given its file's hash."""
    return {rel: {src[1]: _interaction_line(rec, as_of) for _date, rec, src in value}
            for rel, value, *_rest in entries if rel.startswith(_INTERACTIONS)}


def interactions_header() -> str:
    """The first line of ``interactions_csv`` (the column names need no quoting), after the
    byte-order mark that starts every export."""
    return BOM + ",".join(INTERACTION_COLUMNS) + "\r\n"


# a referral row's fields, by place (itemgetter: a third faster than the rows' attributes)
_PHYSICIAN = itemgetter(ReferralRow._fields.index("physician"))
_DATE_COUNT = itemgetter(*map(ReferralRow._fields.index, ("date", "count")))


def referrals_by_month_csv(site: Site, stats: Stats) -> bytes:
    """``exports/referrals-by-month.csv``: the ``months`` series of the statistics, one row
    per calendar month, ascending (SPEC §4), then the month's referrals apart as the month
    table of ``referrals/`` shows them: ``physician_referrals`` (source physician) and
    ``other_new_patients`` (the others), for every month, not only the 24 charted; then
    ``complete``: false for the as-of month when it is not over (a spreadsheet's chart of
    the column drew it as a drop, where the pages mark it "month to date")."""
    as_of = stats.as_of
    from_physicians: dict[int, int] = {}
    # (a row names a physician exactly when its source is physician) the rows by (date,
    # count) in C, then by month: 0.07-0.1 s for 290,000 rows (10,000 physicians' worth),
    # where a loop over the rows took 0.15-0.3 s
    same = Counter(map(_DATE_COUNT, filter(_PHYSICIAN, site.referrals)))
    for (day, count), times in same.items():
        if day <= as_of:
            i = month_index(day)
            from_physicians[i] = from_physicians.get(i, 0) + count * times

    unfinished = month_index(as_of) if month_to_date(as_of) else None

    def rows():
        for m in stats.months:
            i = month_of_label(m.month)
            n = from_physicians.get(i, 0)
            yield [*(getattr(m, k) for k in _MONTH_STATS), n, m.referrals - n, i != unfinished]

    return _csv(MONTH_COLUMNS, rows())


# ------------------------------------------------------------------------------ iCalendar

PRODID = "-//Liaison//Physician relations//EN"
UID_DOMAIN = "liaison"


class _Item(NamedTuple):
    """One calendar event before it becomes a VEVENT (a tuple: made in a third of a frozen
    dataclass's time, 10,000 of them at 10,000 physicians)."""

    key: str          # the content its UID is derived from
    kind: str         # follow-up | visit
    day: dt.date
    summary: str
    description: str
    location: str | None
    member: str       # the team member whose calendar it goes in
    logged: dt.date   # the date of the interaction it comes from (its SEQUENCE counts from it)
    also: str | None = None  # another one's too (a planned visit: the liaison in charge)


def _name(site: Site, kind: str, ident: str) -> str:
    record = getattr(site, kind).get(ident)
    return record.name if record is not None else ident


def _about(site: Site, r: Interaction) -> str:
    """Who an interaction was with: its practice's name, else its physicians' names."""
    if r.practice is not None:
        return _name(site, "practices", r.practice)
    return ", ".join(_name(site, "physicians", d) for d in r.physicians)


def _origin(site: Site, r: Interaction) -> str:
    """Where an event comes from: "From the visit of 2026-11-19, logged by …" (an interaction
    of type other: "From the interaction of …"), its practice and physicians."""
    kind = "interaction" if r.type == "other" else r.type
    lines = [f"From the {kind} of {r.date.isoformat()}, logged by "
             f"{_name(site, 'team', r.liaison)}: {r.summary}"]
    if r.practice is not None:
        lines.append(f"Practice: {_name(site, 'practices', r.practice)}")
    if r.physicians:
        lines.append("Physicians: " + ", ".join(_name(site, "physicians", d) for d in r.physicians))
    return "\n".join(lines)


# json.dumps(fields, ensure_ascii=False, separators=(",", ":")) with one encoder for all
_KEY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_JSON_TEXT = json.encoder.encode_basestring  # a str as json.dumps writes it, ensure_ascii=False


def _key(*fields) -> str:
    return _KEY(fields)


def _follow_up_key(r: Interaction, task: str) -> str:
    """``_key("follow-up", r.date.isoformat(), r.practice, list(r.physicians), r.liaison,
    task)``, written out for its strings (a test holds them equal): a third of the time."""
    practice = "null" if r.practice is None else _JSON_TEXT(r.practice)
    physicians = ",".join(map(_JSON_TEXT, r.physicians))
    return (f'["follow-up","{r.date.isoformat()}",{practice},[{physicians}],'
            f'{_JSON_TEXT(r.liaison)},{_JSON_TEXT(task)}]')


def _location(site: Site, practice_id: str | None) -> str | None:
    p = site.practices.get(practice_id) if practice_id is not None else None
    if p is None:
        return None
    state_zip = " ".join(x for x in (p.state, p.zip) if x)
    parts = [x for x in (p.address, p.city, state_zip) if x]
    return ", ".join(parts) or None


def _open(site: Site, as_of: dt.date):
    """(interaction, follow-up) of every open follow-up (no done, or done after as_of) of
    the interactions dated ≤ as_of."""
    for r in site.interactions:
        if r.date <= as_of:
            for f in r.follow_ups:
                if is_open(f, as_of):
                    yield r, f


def _follow_ups(site: Site, as_of: dt.date, open_ones=None) -> list[_Item]:
    """Open follow-ups (no done, or done after as_of) of interactions dated ≤ as_of;
    ``open_ones``: those (interaction, follow-up), in any order, when the caller has them."""
    items = []
    for r, f in _open(site, as_of) if open_ones is None else open_ones:
        who = owner(f, r)
        description = "\n".join((
            f"Task: {f.task}",
            f"Due: {f.due.isoformat()}",
            f"Owner: {_name(site, 'team', who)}",
            _origin(site, r),
        ))
        items.append(_Item(
            # Not the due date or the owner: a follow-up that is rescheduled or handed
            # over keeps its UID, so calendar programs update it instead of duplicating.
            key=_follow_up_key(r, f.task),
            kind="follow-up", day=f.due,
            summary=f"Follow-up: {f.task} ({_about(site, r)})",
            description=description, location=None, member=who, logged=r.date,
        ))
    return items


def _targets(r: Interaction) -> list[tuple[str, str]]:
    """What a planned next visit is for: the interaction's practice, else its physicians."""
    if r.practice is not None:
        return [("practices", r.practice)]
    return [("physicians", d) for d in dict.fromkeys(r.physicians)]


def _last_contact(stats: Stats, kind: str, ident: str) -> str | None:
    """The last contact of a practice or a physician ("practices" or "physicians")."""
    figures = getattr(stats, kind).get(ident)
    return figures.last_contact if figures is not None else None


def _planned_visits(site: Site, stats: Stats, as_of: dt.date, planning=None) -> list[_Item]:
    """Next visits (next_visit ≥ as_of) planned at interactions dated ≤ as_of that are still
    the latest interaction for one of their practices (its practice and its physicians'):
    the plan stands while that practice's last contact of SPEC §4 is its date, as on the
    practice's brief and in the call plan (an e-mail to a physician alone is an interaction
    with their practice, and a later call to the practice ends its plan there and here).
    ``planning``: the interactions of ``site`` that may plan one, in their order, when the
    caller has them (the pages' index, ``SiteView.planned_visits``)."""
    items: dict[str, _Item] = {}
    for r in site.interactions if planning is None else planning:
        planned = r.next_visit  # (most have none: asked first)
        if planned is None or planned < as_of or r.date > as_of:
            continue
        targets = _targets(r)  # (what the event is for: its UID)
        latest = [_last_contact(stats, "practices", p) for p in practices_of(r, site.physicians)]
        if latest and all(c is not None and c > r.date.isoformat() for c in latest):
            continue  # a later interaction already happened for each of its practices
        practice_id = r.practice
        doc = (site.physicians.get(r.physicians[0])
               if practice_id is None and len(r.physicians) == 1 else None)
        if doc is not None:
            practice_id = doc.practice
        # who is in charge of what it is for, whose call plan shows the plan: a liaison who
        # took the practice over since (or whom a manager's visit planned for) has it too
        in_charge = (effective_liaison(doc, site.practices) if doc is not None
                     else getattr(site.practices.get(practice_id), "liaison", None))
        item = _Item(
            key=_key("visit", r.date.isoformat(), targets, r.liaison),
            kind="visit", day=r.next_visit,
            summary=f"Visit: {_about(site, r)}",
            description=f"Next visit planned.\n{_origin(site, r)}",
            location=_location(site, practice_id), member=r.liaison, logged=r.date,
            also=in_charge if in_charge != r.liaison and in_charge in site.team else None,
        )
        # The same visit planned twice on one day (two records) is one event.
        items.setdefault(_key(item.key, item.day.isoformat()), item)
    return list(items.values())


def _uids(items: list[_Item]) -> list[tuple[str, _Item]]:
    """Content-derived UIDs, made unique deterministically: items sharing a key are ordered
    by content and numbered."""
    ordered = sorted(items, key=lambda i: (i.key, i.day, i.summary, i.description, i.member))
    out, seen = [], {}
    for item in ordered:
        digest = hashlib.sha1(item.key.encode("utf-8")).hexdigest()
        n = seen[digest] = seen.get(digest, 0) + 1
        suffix = "" if n == 1 else f"-{n}"
        out.append((f"{item.kind}-{digest}{suffix}@{UID_DOMAIN}", item))
    out.sort(key=lambda ui: (ui[1].day, ui[1].summary, ui[0]))
    return out


_PLAIN = re.compile(r"[^\\;,\r\n]*").fullmatch  # nothing ``_text`` changes


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 escapes it: backslash, semicolon, comma,
    and each line break (CRLF, LF or CR) as ``\\n``. As icalendar escapes it, but for a
    backslash before an ``N`` (``S:\\Referrals\\New``), which icalendar takes for a line
    break (the calendar showed ``S:\\Referrals``, then ``ew`` on a line of its own): here
    it is a backslash, escaped as every other."""
    if _PLAIN(value) is not None:  # (most ids and names: nothing to escape)
        return value
    return (value.replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
            .replace("\r", "\\n"))


FOLD = 75  # octets: a content line is folded before it reaches this length


def _fold(line: str) -> str:
    """A content line folded as icalendar folds it: at most FOLD - 1 octets of UTF-8 a line,
    each continuation after CRLF and a space, never splitting a character, and a backslash
    or caret that would end a line moved to the next (so that an escape stays whole)."""
    if line.isascii():  # one octet a character: cut by length
        if len(line) < FOLD:
            return line
        parts, start, width = [], 0, FOLD - 1
        while len(line) - start > width:
            end = start + width
            if line[end - 1] in "\\^":
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts)
    parts, current, octets = [], [], 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and octets + size >= FOLD:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, octets = [carried], len(carried.encode("utf-8"))
            else:
                parts.append("".join(current))
                current, octets = [], 0
        current.append(char)
        octets += size
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts)


def _ymd(day: dt.date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _vevent(uid: str, item: _Item, stamp: dt.datetime, days: dict | None = None) -> bytes:
    """One all-day VEVENT, serialized: the bytes icalendar's ``Event.to_ical`` gives for it
    (its properties in icalendar's order: SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE,
    then by name; a backslash before an ``N`` escaped, see ``_text``), written here because
    icalendar's own serialization took 3.4 s for the 10,000 events of a 10,000-physician
    site (a test compares the two on awkward texts).
    SEQUENCE, the event's version, is the number of days from the interaction it comes from
    to the as-of date (``stamp``): the data keeps no history of edits, and this number is
    the same for the same data and date and higher in any build of a later day, so that a
    calendar app that keeps an event until a newer version of it comes (Google Calendar
    kept a follow-up on its old day while its SEQUENCE stayed 0) takes a follow-up moved
    to another day at the next day's build.
    ``days``: the DTSTART to DTSTAMP lines of each day, kept by the caller between events
    (the same stamp for all)."""
    fixed = None if days is None else days.get(item.day)
    if fixed is None:
        end = item.day + dt.timedelta(days=1)
        fixed = (f"DTSTART;VALUE=DATE:{_ymd(item.day)}\r\n"  # a date: an all-day event
                 f"DTEND;VALUE=DATE:{_ymd(end)}\r\n"
                 f"DTSTAMP:{_ymd(stamp)}T{stamp.hour:02}{stamp.minute:02}{stamp.second:02}Z")
        if days is not None:
            days[item.day] = fixed
    # (the lines of fixed shape are ASCII and far shorter than FOLD: only the texts fold)
    location = f"\r\n{_fold('LOCATION:' + _text(item.location))}" if item.location else ""
    return (f"BEGIN:VEVENT\r\n{_fold('SUMMARY:' + _text(item.summary))}\r\n{fixed}\r\n"
            f"{_fold('UID:' + _text(uid))}\r\nSEQUENCE:{(stamp.date() - item.logged).days}\r\n"
            f"{_fold('CATEGORIES:' + _text(item.kind))}\r\n"
            f"{_fold('DESCRIPTION:' + _text(item.description))}{location}\r\n"
            "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n").encode("utf-8")


_END = b"END:VCALENDAR\r\n"


def _vcalendar(name: str, events: list[bytes]) -> bytes:
    """A VCALENDAR holding already serialized VEVENTs.

    Every event goes in the everyone calendar and in one member's: each is serialized once
    (icalendar spends most of its time folding lines) and spliced in before END:VCALENDAR,
    which gives the bytes ``Calendar.add_component`` + ``to_ical`` would (a test checks).
    """
    # imported here: the processes that make only the CSV files (the one that renders,
    # after an edit) do not import it (0.05 s each)
    from icalendar import Calendar
    from icalendar.prop import vInline

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # its TEXT escaped here, as the events' (a practice "…, P.C.; North Campus" was cut at
    # its first comma), and written as given (vInline): icalendar before 7.3 types an X-
    # property TEXT and escaped it a second time ("Blue Ridge\\\, Vein"), 7.3 writes it as given
    cal.add("x-wr-calname", vInline(_text(name)))
    head = cal.to_ical()
    if not head.endswith(_END):  # pragma: no cover - icalendar always ends with it
        raise RuntimeError("unexpected VCALENDAR serialization")
    return head[: -len(_END)] + b"".join(events) + _END


def calendars(site: Site, stats: Stats, as_of: dt.date, open_ones=None,
              planning=None) -> dict[str, bytes]:
    """The iCalendar feeds: ``calendar.ics`` (everyone's events) and
    ``calendar/<id>.ics`` for every team member (produced even when empty: a liaison's plans,
    and the follow-ups anyone on the team may own, such as the front desk's).

    Events, all-day:

    * every follow-up open at ``as_of`` (no ``done``, or done after it) of an interaction
      dated ≤ ``as_of``, on its due date — ``Follow-up: <task> (<practice or physicians>)``,
      category ``follow-up``, in its owner's calendar (default owner: who logged it);
    * every next visit planned on or after ``as_of`` at an interaction dated ≤ ``as_of`` that
      is still the latest interaction for its practice (without a practice: for its
      physicians), by the last_contact of ``stats`` (SPEC §4) — ``Visit: <practice>``,
      category ``visit``, in the calendar of who logged it and in that of the liaison in
      charge of what it is for (the practice's liaison; a physician's effective liaison),
      whose call plan shows it, when that is someone else (a liaison who took the practice
      over since).

    Deterministic: UIDs are SHA-1 digests of record content (no paths, no clock), DTSTAMP is
    the as-of date at 00:00:00 UTC, SEQUENCE the days from the interaction to it, events are
    sorted by date, summary and UID.
    ``open_ones``: the open follow-ups as (interaction, follow-up), in any order, when the
    caller has them (a build: the pages' index, ``SiteView.open_follow_ups``), instead of
    looking through every interaction; ``planning``: the interactions that plan a next visit
    on or after ``as_of`` (and are dated on or before it), in the order of
    ``site.interactions``, when the caller has them (``SiteView.planned_visits``).
    """
    if stats.as_of != as_of:
        raise ValueError(f"statistics as of {stats.as_of}, calendars as of {as_of.isoformat()}")
    ours = site.config.practice.name if site.config is not None else "Liaison"
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.timezone.utc)
    days: dict = {}
    events = [(item, _vevent(uid, item, stamp, days))
              for uid, item in _uids(_follow_ups(site, as_of, open_ones)
                                     + _planned_visits(site, stats, as_of, planning))]

    by_member: dict[str, list[bytes]] = {}
    for item, event in events:
        by_member.setdefault(item.member, []).append(event)
        if item.also is not None:
            by_member.setdefault(item.also, []).append(event)

    from liaison.pages.base import calendar_href

    out = {"calendar.ics": _vcalendar(f"{ours} — follow-ups and visits", [e for _m, e in events])}
    for tid in sorted(site.team):
        out[calendar_href(tid)] = _vcalendar(f"{ours} — {site.team[tid].name}",
                                             by_member.get(tid, []))
    return out


def calendar_paths(site: Site) -> list[str]:
    """The paths of the files ``calendars`` makes, none of them made."""
    from liaison.pages.base import calendar_href

    return ["calendar.ics", *(calendar_href(tid) for tid in sorted(site.team))]
