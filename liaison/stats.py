"""Aggregate stage: records + as-of date -> the statistics of SPEC §4.

Pure functions, one pass over referrals and one over interactions; nothing rescans per
physician. Every statistic counts referrals, i.e. sums ``count``.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from itertools import accumulate as running_sums, repeat
from operator import attrgetter

import orjson

from liaison.figures import (
    Capture, LiaisonStats, Month, PhysicianStats, PracticeStats, Rov, Stats, Totals,
)
from liaison.derived import (
    MATURED_AGES, ROV_DAYS, effective_liaison, is_open, is_overdue, listed_physicians, matured,
    month_index, month_label, owner, physician_shares, practice_shares, windows,
)
from liaison.models import DECLINED_REASONS, IN_PERSON, SOURCES, cents
from liaison.records import Site

REACHED = {  # status -> the stages it reached (declined counts only as referred)
    "referred": (),
    "scheduled": ("scheduled",),
    "consulted": ("scheduled", "consulted"),
    "treated": ("scheduled", "consulted", "treated"),
    "declined": ("declined",),
}
_MONTH_FIELDS = ("referrals", "scheduled", "consulted", "treated", "declined", "interactions", "in_person")
FUNNEL = ("referred", "scheduled", "consulted", "treated", "declined")
UNSPECIFIED = "unspecified"  # a declined referral without a declined_reason
# Physician referrals old enough to fall in the window of a matured visit: the 90 days
# before a visit of age < 455 reach back to age 544.
_ROV_AGES = MATURED_AGES[1] + ROV_DAYS


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


class _DocSums:
    """One physician's running sums in a ``Partial``."""

    __slots__ = ("referrals", "r90", "p90", "r365", "p365", "first", "last", "interactions_365d",
                 "last_contact", "last_visit", "funnel", "services", "dated", "spend")

    def __init__(self):
        self.referrals = self.r90 = self.p90 = self.r365 = self.p365 = self.interactions_365d = 0
        self.spend = 0
        self.first = self.last = self.last_contact = self.last_visit = None
        self.funnel: dict | None = None  # of the last 365 days, once there is one
        self.services: dict | None = None
        self.dated: dict | None = None  # date ordinal -> referrals, for return on visit

    def __reduce__(self):
        # as a tuple of the slots: a worker sends 10,000 of these (pickled and taken back in
        # 0.09 s instead of 0.13 s; slots would go through copyreg as a dict each)
        return _doc_sums, _SLOT_VALUES(self)

    def merge(self, o: "_DocSums") -> None:
        self.referrals += o.referrals
        self.r90 += o.r90
        self.p90 += o.p90
        self.r365 += o.r365
        self.p365 += o.p365
        self.interactions_365d += o.interactions_365d
        self.first = _earliest(self.first, o.first)
        self.last = _latest(self.last, o.last)
        self.last_contact = _latest(self.last_contact, o.last_contact)
        self.last_visit = _latest(self.last_visit, o.last_visit)
        self.spend += o.spend
        for name in ("funnel", "services", "dated"):
            theirs = getattr(o, name)
            if theirs:
                mine = getattr(self, name)
                if mine is None:
                    setattr(self, name, dict(theirs))
                else:
                    for k, v in theirs.items():
                        mine[k] = mine.get(k, 0) + v


_SLOT_VALUES = attrgetter(*_DocSums.__slots__)


def _doc_sums(*values) -> _DocSums:
    """A ``_DocSums`` from its slots' values, in their order (``_DocSums.__reduce__``)."""
    sums = _DocSums.__new__(_DocSums)
    for _ in map(setattr, repeat(sums), _DocSums.__slots__, values):  # (in C, slot by slot)
        pass
    return sums


class Partial:
    """Mergeable sums over some of the referrals and interactions: workers that load
    different files each fill one, and ``merge`` adds them up (sums, earliest, latest)."""

    def __init__(self, physicians, liaisons):
        self.totals = dict.fromkeys(
            ("interactions", "referrals", "referrals_90d", "referrals_prev_90d", "referrals_365d",
             "referrals_prev_365d", "physician_referrals_365d", "physician_referrals_prev_365d",
             "in_person_90d", "spend_ytd_cents", "open_follow_ups", "overdue_follow_ups"), 0)
        self.months: dict[int, dict] = {}
        self.sources = dict.fromkeys(SOURCES, 0)
        self.services: dict[str, int] = {}
        self.funnel = dict.fromkeys(FUNNEL, 0)
        self.funnel_matured = dict.fromkeys(FUNNEL, 0)
        self.declined_reasons = dict.fromkeys((*DECLINED_REASONS, UNSPECIFIED), 0)
        self.capture: dict[str, list[int]] = {}  # team id -> [referrals, unknown]
        self.doc = {pid: _DocSums() for pid in physicians}
        self.practice_contact: dict[str, dt.date] = {}
        self.practice_spend: dict[str, int] = {}
        # matured visits: (date ordinal, who logged it, listed physicians or (), practice)
        self.visits: list[tuple] = []
        self.liaisons = {t: dict.fromkeys(("interactions_90d", "in_person_90d", "open_follow_ups",
                                           "overdue_follow_ups"), 0) for t in liaisons}

    def month(self, d: dt.date) -> dict:
        idx = month_index(d)
        m = self.months.get(idx)
        if m is None:
            m = self.months[idx] = dict.fromkeys(_MONTH_FIELDS, 0)
        return m

    def merge(self, other: "Partial") -> "Partial":
        for k, v in other.totals.items():
            self.totals[k] += v
        for idx, m in other.months.items():
            mine = self.months.setdefault(idx, dict.fromkeys(_MONTH_FIELDS, 0))
            for k, v in m.items():
                mine[k] += v
        for table, theirs in ((self.sources, other.sources), (self.services, other.services),
                              (self.funnel, other.funnel),
                              (self.funnel_matured, other.funnel_matured),
                              (self.declined_reasons, other.declined_reasons),
                              (self.practice_spend, other.practice_spend)):
            for k, v in theirs.items():
                table[k] = table.get(k, 0) + v
        for t, (n, unknown) in other.capture.items():
            mine = self.capture.setdefault(t, [0, 0])
            mine[0] += n
            mine[1] += unknown
        for pid, o in other.doc.items():
            self.doc[pid].merge(o)
        for pid, d in other.practice_contact.items():
            self.practice_contact[pid] = _latest(self.practice_contact.get(pid), d)
        self.visits += other.visits
        for t, o in other.liaisons.items():
            for k, v in o.items():
                self.liaisons[t][k] += v
        return self


def _earliest(a, b):
    return b if a is None or (b is not None and b < a) else a


def _latest(a, b):
    return b if a is None or (b is not None and b > a) else a


def liaison_ids(site: Site) -> list[str]:
    return sorted(t for t, m in site.team.items() if m.role == "liaison")


def accumulate(site: Site, as_of: dt.date, referrals, interactions,
               into: Partial | None = None) -> Partial:
    """One pass over some referrals and interactions (those with age ≥ 0 count); with
    ``into``, added to those sums (every sum is added to, so that this is ``into.merge`` of
    their own sums, without a set of sums made and merged for every physician)."""
    acc = Partial(site.physicians, liaison_ids(site)) if into is None else into
    D = as_of
    totals, doc, sources, services, funnel = acc.totals, acc.doc, acc.sources, acc.services, acc.funnel
    # Records share few dates (a few thousand over five years): work out each date's windows
    # and month once.
    days: dict[dt.date, tuple | None] = {}

    def day(d: dt.date):
        age = (D - d).days
        info = days[d] = None if age < 0 else (
            *windows(age), acc.month(d), age, matured(age),
            d.year == D.year, d.toordinal())
        return info

    # Totals in local variables, written back once: this loop runs once per referral row.
    t_all = t90 = tp90 = t365 = tp365 = tm = d365 = dp365 = 0
    matured_funnel, reasons, capture = acc.funnel_matured, acc.declined_reasons, acc.capture
    for r in referrals:
        date = r.date
        info = days[date] if date in days else day(date)
        if info is None:
            continue
        w90, p90, w365, p365, m, age, mat, _ytd, ordinal = info
        n = r.count
        t_all += n
        m["referrals"] += n
        status = r.status
        reached = REACHED[status]
        for stage in reached:
            m[stage] += n
        if w90:
            t90 += n
        elif p90:
            tp90 += n
        if mat:
            tm += n
            for stage in reached:
                matured_funnel[stage] += n
        pid = r.physician
        if w365:
            t365 += n
            sources[r.source] += n
            services[r.service] = services.get(r.service, 0) + n
            for stage in reached:
                funnel[stage] += n
            if status == "declined":
                reasons[r.declined_reason or UNSPECIFIED] += n
            if pid is not None:
                d365 += n
            elif r.taken_by is not None:  # who asked; a physician's referral needs no question
                c = capture.get(r.taken_by)
                if c is None:
                    c = capture[r.taken_by] = [0, 0]
                c[0] += n
                if r.source == "unknown":
                    c[1] += n
        elif p365:
            tp365 += n
            if pid is not None:
                dp365 += n
        if pid is not None:
            s = doc.get(pid)
            if s is None:
                continue
            s.referrals += n
            if w90:
                s.r90 += n
            elif p90:
                s.p90 += n
            if w365:
                s.r365 += n
                f = s.funnel
                if f is None:
                    f = s.funnel = dict.fromkeys(FUNNEL, 0)
                    s.services = {}
                f["referred"] += n
                for stage in reached:
                    f[stage] += n
                sv = s.services
                sv[r.service] = sv.get(r.service, 0) + n
            elif p365:
                s.p365 += n
            if age < _ROV_AGES:
                dated = s.dated
                if dated is None:
                    dated = s.dated = {}
                dated[ordinal] = dated.get(ordinal, 0) + n
            first, last = s.first, s.last
            if first is None or date < first:
                s.first = date
            if last is None or date > last:
                s.last = date
    totals["referrals"] += t_all
    totals["referrals_90d"] += t90
    totals["referrals_prev_90d"] += tp90
    totals["referrals_365d"] += t365
    totals["referrals_prev_365d"] += tp365
    totals["physician_referrals_365d"] += d365
    totals["physician_referrals_prev_365d"] += dp365
    funnel["referred"] += t365
    matured_funnel["referred"] += tm

    lia, contact, physicians = acc.liaisons, acc.practice_contact, site.physicians
    spend, visits = acc.practice_spend, acc.visits
    practice_of = {pid: p.practice for pid, p in physicians.items()}
    n_all = in_person_90 = open_fu = overdue_fu = spend_ytd = 0
    for r in interactions:
        date = r.date
        info = days[date] if date in days else day(date)
        if info is None:
            continue
        w90, _p90, w365, _p365, m, _age, mat, ytd, ordinal = info
        in_person = r.type in IN_PERSON
        practice = r.practice
        n_all += 1
        m["interactions"] += 1
        if in_person:
            m["in_person"] += 1
            if mat:
                visits.append((ordinal, r.liaison, tuple(listed_physicians(r)), practice))
        if ytd and r.cost:
            c = cents(r.cost)
            spend_ytd += c
            for pid, share in physician_shares(r, c):
                s = doc.get(pid)
                if s is not None:
                    s.spend += share
            for pid, share in practice_shares(r, c, physicians):
                spend[pid] = spend.get(pid, 0) + share
        if w90:
            if in_person:
                in_person_90 += 1
            mine = lia.get(r.liaison)
            if mine is not None:
                mine["interactions_90d"] += 1
                if in_person:
                    mine["in_person_90d"] += 1
        if practice is not None:
            last = contact.get(practice)
            if last is None or date > last:
                contact[practice] = date
        listed = r.physicians
        if len(listed) > 1:
            listed = set(listed)  # a physician listed twice is one interaction with them
        for pid in listed:
            s = doc.get(pid)
            if s is None:
                continue
            at = practice_of[pid]
            last = contact.get(at)
            if last is None or date > last:
                contact[at] = date
            if w365:
                s.interactions_365d += 1
            last = s.last_contact
            if last is None or date > last:
                s.last_contact = date
            if in_person:
                last = s.last_visit
                if last is None or date > last:
                    s.last_visit = date
        if r.follow_ups:
            for f in r.follow_ups:
                if not is_open(f, D):
                    continue
                overdue = is_overdue(f, D)
                open_fu += 1
                overdue_fu += overdue
                mine = lia.get(owner(f, r))
                if mine is not None:
                    mine["open_follow_ups"] += 1
                    mine["overdue_follow_ups"] += overdue
    totals["interactions"] += n_all
    totals["in_person_90d"] += in_person_90
    totals["spend_ytd_cents"] += spend_ytd
    totals["open_follow_ups"] += open_fu
    totals["overdue_follow_ups"] += overdue_fu
    return acc


def compute_stats(site: Site, as_of: dt.date) -> Stats:
    """The statistics of the site at ``as_of``."""
    return finalize(site, as_of, accumulate(site, as_of, site.referrals, site.interactions))


def _physician(p, sums: _DocSums, D: dt.date, lapsed_after: int, new_within: int, tiers: dict,
               practices: dict, services: list[str]) -> PhysicianStats:
    first, last, last_visit = sums.first, sums.last, sums.last_visit
    days_since = (D - last).days if last is not None else None
    if first is None:
        status = "prospect"
    elif (D - first).days < new_within:
        status = "new"
    elif days_since >= lapsed_after:
        status = "lapsed"
    else:
        status = "active"
    tier = tiers.get(p.tier) if p.tier is not None else None
    overdue = tier is not None and (last_visit is None or (D - last_visit).days > tier.visit_every_days)
    # A lapsed referrer is lapsed, not declining; one or two referrals are too few for a trend.
    declining = status in ("new", "active") and sums.p90 >= 4 and 2 * sums.r90 <= sums.p90
    mine = sums.services or {}
    return PhysicianStats(
        referrals=sums.referrals, referrals_90d=sums.r90, referrals_prev_90d=sums.p90,
        referrals_365d=sums.r365, referrals_prev_365d=sums.p365,
        first_referral=_iso(first), last_referral=_iso(last), days_since_referral=days_since,
        status=status, declining=declining,
        interactions_365d=sums.interactions_365d, last_contact=_iso(sums.last_contact),
        last_visit=_iso(last_visit), visit_overdue=overdue,
        liaison=effective_liaison(p, practices), potential=p.potential,
        funnel_365d=dict(sums.funnel) if sums.funnel else dict.fromkeys(FUNNEL, 0),
        services_365d={k: mine.get(k, 0) for k in services},
        rov_365d=Rov(), spend_ytd_cents=sums.spend,
    )


def _return_on_visit(site: Site, acc: Partial, physicians: dict, practices: dict,
                     liaisons: dict) -> Rov:
    """Fill the rov_365d of physicians, practices and liaisons; return the total.
    (About 40,000 person-visits at 10,000 physicians, after the workers joined: each
    physician's referral days are sorted once, with their running sums, and each visit's two
    windows, which meet at its day, found with three searches; the sums of a visit and of
    the total are added up in local names, written once.)"""
    at_practice: dict[str, list[str]] = {}
    for pid in sorted(site.physicians):
        at_practice.setdefault(site.physicians[pid].practice, []).append(pid)
    # pid -> (referral days, running sums, its rov_365d, its practice, the practice's
    # rov_365d or None), or None for an id that is not a physician's
    seen: dict[str, tuple | None] = {}
    visits = before_all = after_all = 0
    for ordinal, logged_by, listed, practice in acc.visits:
        visits += 1
        low, high = ordinal - ROV_DAYS, ordinal + ROV_DAYS
        visit_before = visit_after = 0
        counted: set[str] = set()
        for pid in listed or at_practice.get(practice, ()):
            got = seen.get(pid, _UNSEEN)
            if got is _UNSEEN:
                got = seen[pid] = _rov_of(pid, acc, site, physicians, practices)
            if got is None:
                continue
            days, sums, rov, at, practice_rov = got
            if days:
                start = bisect_left(days, low)
                middle = bisect_left(days, ordinal, start)
                end = bisect_left(days, high, middle)
                before, after = sums[middle] - sums[start], sums[end] - sums[middle]
            else:
                before = after = 0
            visit_before += before
            visit_after += after
            rov.visits += 1
            rov.before += before
            rov.after += after
            if practice_rov is not None:
                practice_rov.before += before
                practice_rov.after += after
                if at not in counted:
                    counted.add(at)
                    practice_rov.visits += 1
        before_all += visit_before
        after_all += visit_after
        li = liaisons.get(logged_by)
        if li is not None:
            li_rov = li.rov_365d
            li_rov.visits += 1
            li_rov.before += visit_before
            li_rov.after += visit_after
    return Rov(visits=visits, before=before_all, after=after_all)


_UNSEEN = object()


def _rov_of(pid: str, acc: Partial, site: Site, physicians: dict, practices: dict):
    """What return on visit needs of one physician (``_return_on_visit``)."""
    doc = physicians.get(pid)
    if doc is None:
        return None
    dated = acc.doc[pid].dated
    days = sorted(dated) if dated else []
    sums = [0, *running_sums(dated[d] for d in days)] if dated else [0]
    at = site.physicians[pid].practice
    practice = practices.get(at)
    return days, sums, doc.rov_365d, at, None if practice is None else practice.rov_365d


def finalize(site: Site, as_of: dt.date, acc: Partial) -> Stats:
    """Merged sums -> the statistics (statuses, alerts, per-practice and per-liaison figures)."""
    cfg = site.config
    lapsed_after = cfg.thresholds.lapsed_after_days if cfg else 90
    new_within = cfg.thresholds.new_within_days if cfg else 90
    tiers = cfg.tiers if cfg else {}
    services = [s.key for s in cfg.services] if cfg else []
    D = as_of

    physicians = {pid: _physician(site.physicians[pid], acc.doc[pid], D, lapsed_after, new_within,
                                  tiers, site.practices, services)
                  for pid in sorted(site.physicians)}
    practices_out = {pid: PracticeStats(0, 0, 0, _iso(acc.practice_contact.get(pid)), Rov(),
                                        acc.practice_spend.get(pid, 0))
                     for pid in sorted(site.practices)}
    liaisons_out = {t: LiaisonStats(physicians=0, referrals_365d=0, tiered=0, tiered_current=0,
                                    rov_365d=Rov(), **acc.liaisons[t])
                    for t in liaison_ids(site)}
    for pid, s in physicians.items():
        doc = site.physicians[pid]
        pr = practices_out.get(doc.practice)
        if pr is not None:
            pr.physicians += 1
            pr.referrals_365d += s.referrals_365d
            pr.referrals_prev_365d += s.referrals_prev_365d
        li = liaisons_out.get(s.liaison)
        if li is not None:
            li.physicians += 1
            li.referrals_365d += s.referrals_365d
            if doc.tier is not None:
                li.tiered += 1
                li.tiered_current += not s.visit_overdue
    rov = _return_on_visit(site, acc, physicians, practices_out, liaisons_out)

    last_month = month_index(D)
    first_month = min(acc.months) if acc.months else last_month
    zero = dict.fromkeys(_MONTH_FIELDS, 0)
    months = [Month(month=month_label(idx), **(acc.months.get(idx) or zero))
              for idx in range(first_month, last_month + 1)]

    totals = acc.totals
    asked = totals["referrals_365d"] - acc.sources["physician"]  # a physician's needs no question
    return Stats(
        as_of=D,
        totals=Totals(physicians=len(site.physicians), practices=len(site.practices),
                      rov_365d=rov, **totals),
        months=months,
        sources_365d=dict(acc.sources),
        source_capture_rate_365d=_rate(acc.sources["unknown"], asked),
        capture_by_member_365d={t: Capture(n, unknown, _rate(unknown, n))
                                for t, (n, unknown) in sorted(acc.capture.items())},
        services_365d={k: acc.services.get(k, 0) for k in services},
        funnel_365d=dict(acc.funnel),
        funnel_matured=dict(acc.funnel_matured),
        declined_reasons_365d=dict(acc.declined_reasons),
        physicians=physicians,
        practices=practices_out,
        liaisons=liaisons_out,
    )


def _rate(unknown: int, asked: int) -> float | None:
    """The share of referrals whose source is known: round(1 − unknown/asked, 4)."""
    return round(1 - unknown / asked, 4) if asked else None


def stats_json(stats: Stats | dict) -> str:
    """stats.json's exact text: sorted keys, 2-space indent, a final newline. orjson writes
    exactly what ``json.dumps(stats, sort_keys=True, indent=2, ensure_ascii=False)`` would (a
    test holds them equal), ten times faster: 5 MB for 10,000 physicians."""
    data = stats.as_dict() if isinstance(stats, Stats) else stats
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8") + "\n"
