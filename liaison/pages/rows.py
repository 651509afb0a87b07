"""Rows and suggestions that several page families show: a physician's or a practice's row
(directories, briefs, dashboard, call plans, referral statistics, data quality), a
physician's alerts, and the new-patient figures of the dashboard and the referrals page
(physician referrals and other new patients, apart). (The talking points of a brief are liaison.pages.talking's.)"""
from __future__ import annotations

import calendar
import datetime as dt
from operator import attrgetter

from markupsafe import Markup

from liaison.dates import day_text, month, remembered_day as day
from liaison.derived import MATURED_AGES, month_of_label, month_to_date
from liaison.figures import Stats
from liaison.names import fold, sort_key
from liaison.pages.base import (
    MONTHS_CHARTED, PERCENT_BASE, ago, percent, physician_href, practice_href, trend,
)
from liaison.pages.view import SiteView
from liaison.wording import plural, role_name


# What "declining" means (SPEC §4), for the badge's tooltip.
DECLINING_RULE = ("Declining: at least 4 referrals in the 90 days before the last 90, and at most "
                  "half as many in the last 90 days (a lapsed referrer is lapsed, not declining)")


def declining_text(s) -> str:
    """The declining badge with its counts and window: "declining · 1 vs 4 · 90 d"."""
    return f"declining · {s.referrals_90d}\u00a0vs\u00a0{s.referrals_prev_90d} · 90\u00a0d"


# What a physician's row and a practice's row show of the statistics (``physician_row``,
# ``declining_text``, ``practice_row``, which also shows its physicians' status and whether
# they are declining): the directories' key holds these instead of the interaction and
# referral files (liaison.incremental.FIGURES_ONLY). A test holds them to what the rows read.
PHYSICIAN_ROW_FIGURES = ("liaison", "status", "declining", "visit_overdue", "referrals_365d",
                         "referrals_prev_365d", "referrals_90d", "referrals_prev_90d",
                         "last_visit", "last_contact")
PRACTICE_ROW_FIGURES = ("physicians", "referrals_365d", "referrals_prev_365d", "last_contact")
physician_row_figures = attrgetter(*PHYSICIAN_ROW_FIGURES)
practice_row_figures = attrgetter(*PRACTICE_ROW_FIGURES)


def physician_row(view: SiteView, pid: str) -> dict:
    """A physician's row, as the directories, the briefs and the team's pages list them:
    made once for the view (a physician's shows on their brief, their practice's, the
    directory, their liaison's page and more); never changed by a page (those that add to
    it copy it)."""
    return view.once("physician rows", pid, _physician_row, view, pid)


def no_liaison_now(view: SiteView, tid: str | None) -> str | None:
    """Why a record naming ``tid`` as its liaison is in no call plan although it names one:
    "Lena Brooks is no liaison (other)" for a team member whose role is not liaison (one who
    left the role, README "A liaison leaves"); None for a liaison, an unknown id or none."""
    member = view.site.team.get(tid) if tid else None
    if member is None or member.role == "liaison":
        return None
    return f"{member.name} is no liaison ({role_name(member.role)})"


def _physician_row(view: SiteView, pid: str) -> dict:
    """``sort_name``, ``practice_sort`` and ``liaison_sort`` are what a table's Name,
    Practice and Liaison columns sort by (a cell's data-value): people by last name
    (``sort_key``), a practice by its name and then its id, as ``practices/`` lists them (two
    offices of one name are two groups, not one run of their physicians mixed)."""
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    practice = view.site.practices.get(d.practice)
    liaison_name, liaison_href = view.member_ref(s.liaison) if s.liaison else ("—", None)
    return {
        "id": pid, "name": d.name, "credentials": d.credentials or "", "specialty": d.specialty,
        "href": physician_href(pid), "practice": view.practice_ref(d.practice),
        "city": practice.city if practice and practice.city else "",
        "tier": d.tier or "", "status": s.status, "declining": s.declining,
        "visit_overdue": s.visit_overdue, "referrals_365d": s.referrals_365d,
        "referrals_prev_365d": s.referrals_prev_365d,
        "trend": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
        "declining_text": declining_text(s) if s.declining else "",
        "declining_title": DECLINING_RULE if s.declining else "",
        "last_visit": s.last_visit or "", "last_contact": s.last_contact or "",
        "liaison_name": liaison_name, "liaison_href": liaison_href,
        "liaison_gone": no_liaison_now(view, s.liaison),
        "sort_name": sort_key(d.name), "practice_sort": practice_sort(view, d.practice),
        "liaison_sort": sort_key(liaison_name),
    }


def practice_sort(view: SiteView, pid: str) -> str:
    """A practice's sort key as text, for a column that a page's script sorts: its name
    folded (``fold``), then its id after a tab (below every letter and space, so "Alpha"
    still comes before "Alpha Clinic"): the order of ``practices/``."""
    p = view.site.practices.get(pid)
    return f"{fold(p.name if p else pid)}\t{pid}"


def new_patients(view: SiteView) -> dict:
    """Physician referrals and the other new patients (every other source) of the last 90
    and 365 days and the periods before, each as a trend badge. The 90-day physician counts
    are the sums of the physicians' own (every physician referral names its physician).
    ``unrecorded`` and ``none_since``: what the pages say under these figures when the
    records do not cover a period they compare (``unrecorded_before``, ``none_since``)."""
    t = view.stats.totals
    phys = view.stats.physicians.values()
    p90 = sum(s.referrals_90d for s in phys)
    p_prev90 = sum(s.referrals_prev_90d for s in phys)
    p365, p_prev365 = t.physician_referrals_365d, t.physician_referrals_prev_365d
    o90, o_prev90 = t.referrals_90d - p90, t.referrals_prev_90d - p_prev90
    o365, o_prev365 = t.referrals_365d - p365, t.referrals_prev_365d - p_prev365
    return {
        "physician_90d": trend(p90, p_prev90, 90, "physician referral"),
        "other_90d": trend(o90, o_prev90, 90, "other new patient"),
        "physician_365d": trend(p365, p_prev365, 365, "physician referral"),
        "other_365d": trend(o365, o_prev365, 365, "other new patient"),
        "all_365d": trend(t.referrals_365d, t.referrals_prev_365d, 365, "new patient"),
        # (a share from PERCENT_BASE new patients on: 1 of 2 is no "50.0% of new patients")
        "physician_share_365d": percent(p365, t.referrals_365d)
        if t.referrals_365d >= PERCENT_BASE else None,
        "unrecorded": unrecorded_before(view.stats),
        "none_since": none_since(view.stats),
    }


def counted_to(view: SiteView) -> str:
    """How far the as-of month is counted, as the monthly charts' notes say it: "to Sat 5
    Dec, 5 of 31 days"."""
    D = view.as_of
    return f"to {day_text(D, D)}, {D.day} of {calendar.monthrange(D.year, D.month)[1]} days"


def none_since(stats: Stats) -> str | None:
    """What to say under the figures when whole months before the as-of month hold no
    referral after months that did: rows not entered yet (a practice that keeps one row a
    month, dated the first) make the last 90 days and the chart's last bars read as a
    collapse. None while every whole month holds a referral since the last one that did
    (the as-of month counts once it is over: ``month_to_date``). The pages and the report
    of ``liaison stats`` say it."""
    months = stats.months
    last = next((i for i in range(len(months) - 1, -1, -1) if months[i].referrals), None)
    if last is None:
        return None
    empty = len(months) - 1 - last - (1 if month_to_date(stats.as_of) else 0)  # whole months since
    if empty < 1:
        return None
    since = (f"{month(months[last + 1].month)} is" if empty == 1
             else f"the {empty} months since are")
    return (f"No referral is on record after {month(months[last].month)}: if {since} not "
            f"entered yet, the last 90 days and the chart read lower than they were.")


def unrecorded_before(stats: Stats) -> str | None:
    """What to say under the figures when a previous period (ages 90-179, 365-729) begins
    before the month of the first referral on record: the badges' "22 vs 0 · 365 d" of a
    site that began its records 3 months ago compares with days nobody recorded, and reads
    as growth. None when both periods lie within the records (or there is no referral).
    Months are what stats.months keeps: a first record later in its month goes unsaid. The
    pages and the report of ``liaison stats`` say it."""
    first = next((m.month for m in stats.months if m.referrals), None)
    if first is None:
        return None
    start = dt.date(int(first[:4]), int(first[5:7]), 1)
    D = stats.as_of
    if start <= D - dt.timedelta(days=729):
        return None
    begin = [f"the previous {n} days begin {day_text(D - dt.timedelta(days=2 * n - 1), D)}"
             for n in (90, 365) if start > D - dt.timedelta(days=2 * n - 1)]
    return (f"Referrals are on record from {month(first)}: {' and '.join(begin)}, before "
            f"that, so {'their counts' if len(begin) > 1 else 'its count'} may fall short "
            f"and the changes against {'them' if len(begin) > 1 else 'it'} read too high.")


def charted_span(labels: list[str], words: bool = False) -> str:
    """What a monthly chart of stats.months covers, for its title: "last 24 months" when it
    shows the full MONTHS_CHARTED, else "since 2024-02" (a site younger than that);
    ``words``: the month as a heading names it, "since February 2024"."""
    if len(labels) >= MONTHS_CHARTED or not labels:
        return f"last {MONTHS_CHARTED} months"
    return f"since {month(labels[0]) if words else labels[0]}"


def physician_months(view: SiteView, months: list) -> list[int]:
    """The physician referrals of each of ``months`` (entries of the charted stats.months):
    the sums of the physicians' monthly series (summed once per view: the dashboard and the
    referrals page both show them)."""
    physician = view.caches.get("physician months")
    if physician is None:
        physician = [0] * MONTHS_CHARTED
        for series in view.doc_series.values():
            for i, n in enumerate(series):
                physician[i] += n
        view.caches["physician months"] = physician
    out = []
    for m in months:
        i = month_of_label(m.month) - view.month_first
        out.append(physician[i] if 0 <= i < MONTHS_CHARTED else 0)
    return out


def practice_row(view: SiteView, pid: str) -> dict:
    p = view.site.practices[pid]
    s = view.stats.practices[pid]
    docs = view.docs_of_practice.get(pid, [])
    physicians = view.stats.physicians
    alerts = sum(alert_count(physicians[d]) for d in docs)
    name, href = view.member_ref(p.liaison) if p.liaison else ("—", None)
    return {"id": pid, "name": p.name, "href": practice_href(pid), "city": p.city or "",
            "physicians": s.physicians, "referrals_365d": s.referrals_365d,
            "referrals_prev_365d": s.referrals_prev_365d,
            "trend": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
            "last_contact": s.last_contact or "", "liaison_name": name, "liaison_href": href,
            "liaison_gone": no_liaison_now(view, p.liaison),
            "liaison_sort": sort_key(name), "alerts": alerts, "best_visit_times": p.best_visit_times or ""}


def alert_count(s) -> int:
    """How many alerts ``alerts_for`` gives a physician of statistics ``s``: new, lapsed,
    declining, visit overdue (the practices list's Alerts column sums them, as the
    practice brief's alert line counts them)."""
    return ((s.status == "new") + (s.status == "lapsed") + bool(s.declining)
            + bool(s.visit_overdue))


def alerts_for(view: SiteView, pid: str) -> list[dict]:
    s = view.stats.physicians[pid]
    d = view.site.physicians[pid]
    out = []
    if s.status == "new":
        out.append({"css": "good", "text": Markup("New referrer: first referral {}. Thank them.").format(
            day(s.first_referral, view.as_of))})
    if s.status == "lapsed":
        out.append({"css": "bad", "text": Markup("Lapsed: no referral for {} (last {}).").format(
            plural(s.days_since_referral, "day"), day(s.last_referral, view.as_of))})
    if s.declining:
        n = s.referrals_90d
        out.append({"css": "bad", "text": f"Declining: {n} referral{'s' if n != 1 else ''} in the last 90 days against {s.referrals_prev_90d} in the 90 before."})
    if s.visit_overdue:
        cadence = view.tiers[d.tier].visit_every_days if d.tier in view.tiers else None
        last = s.last_visit
        when = (Markup("last in-person visit {} ({})").format(
            day(last, view.as_of), ago((view.as_of - dt.date.fromisoformat(last)).days))
            if last else "never visited in person")
        out.append({"css": "warn", "text": Markup("Visit overdue: tier {} wants a visit {}; {}.").format(
            d.tier, "every day" if cadence == 1 else f"every {cadence} days", when)})
    return out




def by_referrals_before(stats: Stats) -> list[str]:
    """The physicians' ids, those who referred most in the 365 days before the last 365
    first (then by id): the order the dashboard, referrals/ and the report of ``liaison
    stats`` list the new, lapsed and declining referrers in (who needs attention first)."""
    phys = stats.physicians
    return sorted(phys, key=lambda p: (-phys[p].referrals_prev_365d, p))


def matured_yet(stats: Stats) -> bool:
    """Whether no record can be 90 to 454 days old yet: the site's first month (the
    statistics' months begin at the earliest record's) began fewer than 455 days before the
    as-of date. A site whose records are older (a year without any) waits for nothing: there
    "not 90 days old yet" would be untrue. The pages and the report of ``liaison stats``
    say it."""
    if not stats.months:
        return True
    year, month = map(int, stats.months[0].month.split("-"))
    return (stats.as_of - dt.date(year, month, 1)).days < MATURED_AGES[1]


def no_matured_visit(stats: Stats) -> str:
    """A return on visit of no visit old enough: nothing to compare, "0" or "0 → 0" would read
    as a result (the team's and the referral statistics' cards); "yet" on a young site only."""
    return (f"no in-person visit {MATURED_AGES[0]} to {MATURED_AGES[1] - 1} days old"
            + (" yet" if matured_yet(stats) else ""))

MISSED_PLAN = 4  # a planned visit whose day passed with no contact since: as a visit overdue


def planned_visit(view: SiteView, prac: str) -> dict | None:
    """The next visit planned at a practice's latest interaction, as the calendars read it
    (``exports._planned_visits``): it stands until the next interaction with the practice.
    ``{"day", "missed"}``: the earliest plan on or after the as-of date, else the latest one,
    whose day passed with no contact since (``missed``); None without a plan that stands."""
    latest, plans = None, []
    for r in view.by_practice.get(prac, ()):  # newest first, none after the as-of date
        if latest is None:
            latest = r.date
        elif r.date != latest:
            break
        if r.next_visit is not None:
            plans.append(r.next_visit)
    if not plans:
        return None
    ahead = [d for d in plans if d >= view.as_of]
    return {"day": min(ahead), "missed": False} if ahead else {"day": max(plans), "missed": True}


# The search help's examples when the site has no physician to take them from
GENERIC_EXAMPLES = {"name": "kapoor", "typo": "kapor", "city": "portland",
                    "specialty": "cardiology", "tier": "a"}


def _typo(word: str) -> str:
    """A name as someone might mistype it, one letter short, still found (a word of four
    letters or more forgives one typo): one of a doubled letter dropped ("kapoor": "kapor"),
    else the middle one ("abernathy": "abenathy")."""
    for i in range(1, len(word)):
        if word[i] == word[i - 1]:
            return word[:i] + word[i + 1:]
    i = len(word) // 2
    return word[:i] + word[i + 1:]


def _plain(text: str) -> str:
    """Lower case, letters and single spaces only: "Obstetrics & Gynecology" is
    "obstetrics gynecology" (what the filters compare)."""
    return " ".join("".join(c if c.isalpha() else " " for c in text.lower()).split())


def search_examples(view: SiteView) -> dict:
    """The examples of the search help (``search/``, ``physicians/``), taken from the site's
    own physicians so that each finds someone: the first physician by last name (the
    directory's order) with a last name of five letters or more gives ``name``, ``typo``,
    ``physician`` (their name) and ``city`` (their practice's, plain, or "" without one);
    the first with a one-word specialty and a city gives ``specialty`` and
    ``specialty_city`` (that city); the first with a tier and a city, ``tier``, ``tier_name``
    (as written) and ``tier_city``. What the site cannot give is the generic example
    (GENERIC_EXAMPLES). Worked out once for the view (two pages show them)."""
    made = view.caches.get("search examples")
    if made is not None:
        return made
    site = view.site
    g = GENERIC_EXAMPLES
    out = {"name": g["name"], "typo": g["typo"], "physician": g["name"].capitalize(),
           "city": g["city"],
           "specialty": g["specialty"], "specialty_city": g["city"],
           "tier": g["tier"], "tier_name": g["tier"].upper(), "tier_city": g["city"]}
    found = set()

    def city_of(d) -> str:
        p = site.practices.get(d.practice)
        return _plain(p.city) if p is not None and p.city else ""

    keys = {pid: sort_key(d.name) for pid, d in site.physicians.items()}
    for pid in sorted(keys, key=lambda p: (keys[p], p)):
        d = site.physicians[pid]
        city = city_of(d)
        last = keys[pid].split(" ")[0] if keys[pid] else ""
        if "name" not in found and len(last) >= 5 and last.isascii() and last.isalpha():
            out.update(name=last, typo=_typo(last), physician=d.name, city=city)
            found.add("name")
        specialty = _plain(d.specialty)
        if "specialty" not in found and city and specialty.isalpha() and len(specialty) >= 4:
            out.update(specialty=specialty, specialty_city=city)
            found.add("specialty")
        tier = _plain(d.tier or "")
        if "tier" not in found and city and tier and tier.isalnum() and " " not in tier:
            out.update(tier=tier, tier_name=d.tier, tier_city=city)
            found.add("tier")
        if len(found) == 3:
            break
    view.caches["search examples"] = out
    return out
