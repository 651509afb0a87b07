"""The talking points of a brief: what to say, in the order a liaison should say it.

1. thanks, first, to a top referrer who has not been visited lately (the highest ranked first);
2. movements in their referrals (declining, lapsed, new; a large practice's lapsed referrers in
   one point);
3. needs the office voiced in the last 365 days that are unanswered or whose promise is still
   open, each with the promises that answered it;
4. services that fit their specialty (liaison.talking_points) and that they never referred
   for (or, when no keyword matches, every service they never referred for), and where they
   send such patients today (``refers_elsewhere``);
5. needs whose promises were all delivered (check that it worked);
6. the time since the last in-person visit.

A *top referrer* is among the top fifth of the physicians who referred in the last 365 days,
by referrals in those days (at least the first; ties at the cut included). *Not visited
lately*: past the tier's visit cadence (visit_overdue), or, without a tier, no in-person visit
in the last 90 days. The *promises that answered a need* are the follow-ups logged with it (in
the same interaction): delivered when done by the as-of date, else open (overdue past due);
a need logged without a follow-up is unanswered.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from markupsafe import Markup

from liaison.dates import remembered_day as day
from liaison.derived import in_person, is_open, is_overdue, owner, windows
from liaison.pages.base import ago
from liaison.pages.view import SiteView
from liaison.wording import plural

TOP_SHARE = 5  # top referrers: the top 1/TOP_SHARE of those who referred in 365 days
LATELY_DAYS = 90  # without a tier, "not visited lately" is no in-person visit in 90 days


@dataclass(frozen=True)
class Promise:
    """A follow-up logged with a need, as a brief shows it."""

    task: str
    due: str
    done: str | None
    state: str  # delivered | open | overdue
    status: str  # "delivered Tue 15 Sep", "due Tue 1 Dec", "overdue since Sat 17 Oct" (Markup)
    css: str  # the badge's class: active, prospect or overdue
    owner_name: str
    owner_href: str | None


@dataclass(frozen=True)
class Point:
    """One talking point. ``kind``: thanks, trend, need, fit, services, intro, elsewhere or
    visit; a need's ``state`` is unanswered, open or delivered and ``promises`` what
    answered it."""

    kind: str
    text: str
    state: str = ""
    promises: tuple[Promise, ...] = ()

    def __str__(self) -> str:
        return self.text


def top_referrers(view: SiteView) -> dict[str, tuple[int, int]]:
    """pid -> (rank, of how many referring physicians) for the top referrers of the last 365
    days; computed once per process."""
    cached = view.caches.get("top_referrers")
    if cached is None:
        counts = sorted(((s.referrals_365d, pid) for pid, s in view.stats.physicians.items()
                         if s.referrals_365d > 0), key=lambda t: (-t[0], t[1]))
        cached = {}
        if counts:
            cut = counts[max(1, -(-len(counts) // TOP_SHARE)) - 1][0]
            rank = 0
            for i, (n, pid) in enumerate(counts):
                if n < cut:
                    break
                if i == 0 or n < counts[i - 1][0]:
                    rank = i + 1
                cached[pid] = (rank, len(counts))
        view.caches["top_referrers"] = cached
    return cached


def not_visited_lately(view: SiteView, pid: str) -> bool:
    s = view.stats.physicians[pid]
    if view.site.physicians[pid].tier:
        return s.visit_overdue
    return s.last_visit is None or \
        (view.as_of - dt.date.fromisoformat(s.last_visit)).days >= LATELY_DAYS


def _thanks(view: SiteView, pids: list[str], one: bool) -> list[Point]:
    """Thanks to each top referrer not visited lately (``one``: the brief is theirs), the
    highest ranked first (a practice's pids come in the order of their names)."""
    top = top_referrers(view)
    out = []
    for pid in sorted((p for p in pids if p in top), key=lambda p: top[p][0]):
        if not not_visited_lately(view, pid):
            continue
        s = view.stats.physicians[pid]
        rank, of = top[pid]
        who = "them" if one else view.site.physicians[pid].name
        since = ("no in-person visit for " + plural((view.as_of - dt.date.fromisoformat(s.last_visit)).days, "day")
                 if s.last_visit else "never visited in person")
        out.append(Point("thanks", f"Thank {who} first: {s.referrals_365d} referral"
                         f"{'s' if s.referrals_365d != 1 else ''} in 365 days, #{rank} of {of} "
                         f"referring physicians; {since}."))
    return out


def _trends(view: SiteView, pids: list[str], practice: bool = False) -> list[Point]:
    """Declining, new and lapsed referrers, a point each; on a practice's brief more than
    NAMED + 1 lapsed ones are one point, after the others, that names those who lapsed last
    (as _few)."""
    stats = view.stats.physicians
    lapsed = [pid for pid in pids if stats[pid].status == "lapsed" and not stats[pid].declining]
    grouped = practice and len(lapsed) > NAMED + 1
    out = []
    for pid in pids:
        s = stats[pid]
        name = view.site.physicians[pid].name
        if s.declining:
            out.append(Point("trend", f"{name}'s referrals are down ({s.referrals_prev_90d} → "
                                      f"{s.referrals_90d} per 90 days): ask what changed."))
        elif s.status == "new":
            out.append(Point("trend", Markup("{} started referring on {}: thank them and ask how "
                                             "the first patients did.").format(
                                                 name, day(s.first_referral, view.as_of))))
        elif s.status == "lapsed" and not grouped:
            out.append(Point("trend", f"{name} last referred {plural(s.days_since_referral, 'day')} ago: "
                                      "reconnect."))
    if grouped:
        lapsed.sort(key=lambda p: stats[p].days_since_referral)  # stable: by name in a tie
        after = view.site.config.thresholds.lapsed_after_days
        named = [f"{view.site.physicians[p].name} ({stats[p].days_since_referral} days)" for p in lapsed]
        out.append(Point("trend", f"{len(lapsed)} physicians last referred {after} days ago or "
                                  f"more: {_few(named)}: reconnect."))
    return out


def _promise(view: SiteView, r, f) -> Promise:
    name, href = view.member_ref(owner(f, r))
    # "overdue since Fri 20 Nov": a date as the brief's follow-ups write theirs, the ISO date
    # when pointed at and in print
    if not is_open(f, view.as_of):
        state, status = "delivered", "delivered " + day(f.done, view.as_of)
    elif is_overdue(f, view.as_of):
        state, status = "overdue", "overdue since " + day(f.due, view.as_of)
    else:
        state, status = "open", "due " + day(f.due, view.as_of)
    css = {"delivered": "active", "overdue": "overdue"}.get(state, "prospect")
    return Promise(f.task, f.due.isoformat(), f.done.isoformat() if f.done and f.done <= view.as_of
                   else None, state, status, css, name, href)


def _words(text: str) -> set[str]:
    """The words of a text that say what it is about (four letters or more, their first five:
    "handouts" and "handout" are one)."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4}


def answers(needs: list[str], follow_ups: list) -> list[list]:
    """The follow-ups of one interaction that answer each of its needs. With one need, all
    of them. With several, a follow-up answers the need it shares the most words with (a
    tie answers none in particular); a need that no follow-up names gets the follow-ups
    that name no need (often none: that need was not answered)."""
    if len(needs) <= 1 or not follow_ups:
        return [list(follow_ups) for _ in needs]
    needs_words = [_words(n) for n in needs]
    out: list[list] = [[] for _ in needs]
    loose = []
    for f in follow_ups:
        task = _words(f.task)
        scores = [len(w & task) for w in needs_words]
        best = max(scores)
        if best and scores.count(best) == 1:
            out[scores.index(best)].append(f)
        else:
            loose.append(f)
    return [found or list(loose) for found in out]


def _needs(view: SiteView, interactions: list) -> list[Point]:
    """Needs voiced in the last 365 days (newest first, each once), with their promises.
    A need voiced again, without a promise, after every earlier promise was delivered is
    unanswered again."""
    found: dict[str, tuple[str, list, list]] = {}  # key -> (need, dates, promises by voicing)
    # an interaction's needs, each (key, need, date, its promises), worked out once for the
    # view: the briefs of each physician it lists and of their practice read them
    voiced_by = view.caches.setdefault("needs", {})
    for r in interactions:  # newest first
        if not windows((view.as_of - r.date).days)[2]:  # older than 365 days
            break
        voiced = voiced_by.get(id(r))
        if voiced is None:
            voiced = voiced_by[id(r)] = tuple(
                (" ".join(need.lower().split()), need, r.date.isoformat(),
                 tuple(_promise(view, r, f) for f in answered))
                for need, answered in zip(r.needs, answers(r.needs, r.follow_ups)))
        for key, need, voiced_on, promises in voiced:
            entry = found.get(key)
            if entry is None:
                entry = found[key] = (need, [], [])
            entry[1].append(voiced_on)
            entry[2].append(promises)
    out = []
    for need, dates, voicings in found.values():
        # "Sat 26 Sep (also Tue 1 Sep)": dates as the brief's cards write them, each a <time>
        on = [day(d, view.as_of) for d in dates]
        when = on[0] + (Markup(" (also {})").format(Markup(", ").join(on[1:])) if len(on) > 1 else "")
        promises = tuple(p for v in voicings for p in v)
        delivered = all(p.state == "delivered" for p in promises)
        if not promises:
            out.append(Point("need", Markup("They asked for “{}” on {}, and no promise was "
                                            "logged: answer it.").format(need, when), "unanswered"))
        elif not voicings[0] and delivered and all(p.done <= dates[0] for p in promises):
            out.append(Point("need", Markup("They asked again for “{}” on {}, after we delivered "
                                            "what we promised: answer it.").format(need, on[0]),
                             "unanswered", promises))
        elif delivered:
            out.append(Point("need", Markup("They asked for “{}” on {}: did it help?").format(
                need, when), "delivered", promises))
        else:
            out.append(Point("need", Markup("They asked for “{}” on {}: say where it stands.")
                             .format(need, when), "open", promises))
    return out


def _services(view: SiteView, pids: list[str], practice: bool) -> list[Point]:
    """Services that fit their specialty and that they never referred for; where they send
    such patients today."""
    if not pids:
        return []
    by_specialty: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}  # one specialty however its files capitalize or space it
    for pid in pids:
        specialty = view.site.physicians[pid].specialty
        specialty = spelled.setdefault(" ".join(specialty.split()).casefold(), specialty)
        by_specialty.setdefault(specialty, []).append(pid)
    fits = {sp: _fitting(view, sp) for sp in by_specialty}
    out = []
    for specialty, docs in by_specialty.items():
        fit = fits[specialty]
        if not fit:
            continue
        names = _and([view.services[k] for k in fit])
        never = {d: [view.services[k] for k in fit if k not in view.services_ever.get(d, ())]
                 for d in docs}
        if not any(never.values()):
            continue  # they refer for every service that fits: nothing to suggest
        if not any(view.services_ever.get(d) for d in docs):  # no referral at all yet
            who = f" ({_few([view.site.physicians[d].name for d in docs])})" if practice else ""
            out.append(Point("fit", f"{specialty}{who} fits our {names}: introduce them."))
        elif not practice:
            out.append(Point("fit", f"{specialty} fits our {names}; never referred for "
                                    f"{_and(never[docs[0]])}: ask whether they see such patients."))
        else:
            shown, more = _cut([f"{view.site.physicians[d].name} never referred for {_and(n)}"
                                for d, n in never.items() if n])
            gaps = "; ".join(shown) + (f"; and {more} others never referred for some of them"
                                       if more else "")
            out.append(Point("fit", f"{specialty} fits our {names}; {gaps}: ask whether they "
                                    "see such patients."))
    if not any(fits.values()):  # no keyword matches: every service they never referred for
        referred = set().union(*(view.services_ever.get(p, set()) for p in pids))
        never_any = [name for key, name in view.services.items() if key not in referred]
        if not referred:
            out.append(Point("intro", "No referral yet: introduce our services — "
                             + ", ".join(view.services.values()) + "."))
        elif never_any:
            out.append(Point("services", "Never referred to us for: " + ", ".join(never_any)
                             + ". Ask whether they see such patients."))
    for pid in pids:
        elsewhere = view.site.physicians[pid].refers_elsewhere
        if elsewhere:
            who = "They" if not practice else view.site.physicians[pid].name
            out.append(Point("elsewhere", f"{who} send{'' if who == 'They' else 's'} such "
                                          f"patients to {_and(list(elsewhere))} today: ask what "
                                          "would make them try us."))
    return out


def _fitting(view: SiteView, specialty: str) -> list[str]:
    """The service keys that fit a specialty, worked out once per specialty and process."""
    memo = view.caches.setdefault("fitting", {})
    keys = memo.get(specialty)
    if keys is None:
        keys = memo[specialty] = view.fits.services_for(specialty, list(view.services))
    return keys


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


NAMED = 5  # the physicians a practice's point names; more are counted ("and 7 others")


def _cut(items: list[str]) -> tuple[list[str], int]:
    """The items a point names (all up to NAMED + 1, else the first NAMED) and how many more."""
    return (items, 0) if len(items) <= NAMED + 1 else (items[:NAMED], len(items) - NAMED)


def _few(items: list[str]) -> str:
    """``_and`` of up to NAMED + 1 items; of more, the first NAMED and a count of the others."""
    shown, more = _cut(items)
    return ", ".join(shown) + f" and {more} others" if more else _and(shown)


def talking_points(view: SiteView, pids: list[str], interactions: list,
                   practice: bool = False) -> list[Point]:
    """The talking points of a brief about ``pids`` (one physician, or a ``practice``'s
    physicians), from the ``interactions`` that concern them (newest first)."""
    needs = _needs(view, interactions)
    points = _thanks(view, pids, one=not practice)
    points += _trends(view, pids, practice)
    points += [p for p in needs if p.state != "delivered"]
    points += _services(view, pids, practice)
    points += [p for p in needs if p.state == "delivered"]
    last_visit = next((r.date for r in interactions if in_person(r)), None)  # newest first
    if last_visit is None:
        # a physician's brief reads the visits that list them: one to the office (that its
        # chart marks) is no visit with them
        whom = "" if practice else " with them"
        points.append(Point("visit", f"No in-person visit{whom} on record: introduce yourself "
                                     "and meet the office manager."))
    else:
        points.append(Point("visit", Markup("Last in-person visit {} ({}).").format(
            day(last_visit, view.as_of), ago((view.as_of - last_visit).days))))
    return points
