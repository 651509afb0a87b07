"""Derived facts: each rule of the contract that more than one stage needs, written once.

Statistics, pages, exports, calendars and checks all ask the same questions of the records:
is this follow-up open at the as-of date, who owns it, which practices does an interaction
concern, who is a physician's liaison, in which windows and month does a date fall, has a
training expired. The answers live here, as small pure functions, and nowhere else.
"""
from __future__ import annotations

import datetime as dt

from liaison.models import IN_PERSON

# ------------------------------------------------------------------------------ dates


def age(date: dt.date, as_of: dt.date) -> int:
    """Days from ``date`` to the as-of date; negative for a record dated after it (such
    records are left out of every statistic)."""
    return (as_of - date).days


def windows(days: int) -> tuple[bool, bool, bool, bool]:
    """(last 90, previous 90, last 365, previous 365) for an age ≥ 0: "in the last N days"
    is 0 ≤ age < N, "the previous N days" N ≤ age < 2N."""
    return days < 90, 90 <= days < 180, days < 365, 365 <= days < 730


def month_index(date: dt.date) -> int:
    """A month as one integer (year × 12 + month − 1): consecutive months are consecutive."""
    return date.year * 12 + date.month - 1


def month_label(index: int) -> str:
    """The month of ``month_index`` as "YYYY-MM"."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of_label(label: str) -> int:
    """"YYYY-MM" -> its ``month_index``."""
    return int(label[:4]) * 12 + int(label[5:7]) - 1


def month_to_date(as_of: dt.date) -> bool:
    """The as-of month is not over yet (unless the as-of date is its last day): the monthly
    charts mark it, the month table and referrals-by-month.csv say so."""
    return (as_of + dt.timedelta(days=1)).month == as_of.month


# ------------------------------------------------------------------------------ interactions


def in_person(interaction) -> bool:
    """Visits, lunches, presentations and events are in person; calls and e-mails are not."""
    return interaction.type in IN_PERSON


def is_open(follow_up, as_of: dt.date | None) -> bool:
    """A follow-up is open at the as-of date while it has no ``done``, or one after it.
    (``as_of`` None: open while it has no ``done``.)"""
    return follow_up.done is None or (as_of is not None and follow_up.done > as_of)


def is_overdue(follow_up, as_of: dt.date) -> bool:
    """Open and due before the as-of date."""
    return is_open(follow_up, as_of) and follow_up.due < as_of


def owner(follow_up, interaction) -> str:
    """Who owns a follow-up: its ``owner``, else whoever logged the interaction."""
    return follow_up.owner or interaction.liaison


def practices_of(interaction, physicians: dict) -> list[str]:
    """The practices an interaction concerns: its ``practice`` (if given), then the practice
    of each listed physician, each once, in that order. Physicians unknown to ``physicians``
    add nothing."""
    out = [interaction.practice] if interaction.practice else []
    for pid in interaction.physicians:
        doc = physicians.get(pid)
        if doc is not None and doc.practice not in out:
            out.append(doc.practice)
    return out


def practices_by(interaction, practice_of: dict) -> tuple:
    """``practices_of`` the interaction from each physician's practice by id (``practice_of``,
    made once for many interactions: the warning of a promise made twice reads those of
    70,000 interactions at 10,000 physicians)."""
    if not interaction.physicians:
        return (interaction.practice,) if interaction.practice else ()
    out = [interaction.practice] if interaction.practice else []
    for pid in interaction.physicians:
        practice = practice_of.get(pid)
        if practice is not None and practice not in out:
            out.append(practice)
    return tuple(out)


def listed_physicians(interaction) -> list[str]:
    """The physicians an interaction lists, each once, in the order first listed."""
    return list(dict.fromkeys(interaction.physicians))


# ------------------------------------------------------------------------------ people


def physicians_still_theirs(stats, tid: str) -> dict[str, int]:
    """The ``physicians`` whose effective liaison ``tid`` is and their ``referrals_365d``, from
    the statistics alone (for a team member who is no liaison, whom they give no such row)."""
    found = {"physicians": 0, "referrals_365d": 0}
    for s in stats.physicians.values():
        if s.liaison == tid:
            found["physicians"] += 1
            found["referrals_365d"] += s.referrals_365d
    return found


def still_theirs(site, stats, tid: str) -> dict[str, int]:
    """What a team member keeps that the statistics count for liaisons only, for one who is
    no liaison (who left the role, and what a hand-over forgot): ``physicians`` whose
    effective liaison they are, those physicians' ``referrals_365d``, and the
    ``open_follow_ups`` and ``overdue_follow_ups`` they own at ``stats.as_of`` (of
    interactions dated on or before it), counted as a liaison's are."""
    as_of = stats.as_of
    found = {**physicians_still_theirs(stats, tid), "open_follow_ups": 0,
             "overdue_follow_ups": 0}
    for r in site.interactions:
        if r.date > as_of:
            continue
        for f in r.follow_ups or ():
            if owner(f, r) == tid and is_open(f, as_of):
                found["open_follow_ups"] += 1
                found["overdue_follow_ups"] += is_overdue(f, as_of)
    return found


def effective_liaison(physician, practices: dict) -> str | None:
    """A physician's liaison: its own ``liaison``, else its practice's, else none."""
    if physician.liaison is not None:
        return physician.liaison
    practice = practices.get(physician.practice)
    return practice.liaison if practice is not None else None


def training_expired(completed: dt.date, renew_every_days: int | None, as_of: dt.date) -> bool:
    """A training completed on ``completed`` has expired when its guide asks for renewal
    every N days and more than N days have passed."""
    return bool(renew_every_days) and (as_of - completed).days > renew_every_days


def renewal_due(completed: dt.date, renew_every_days: int | None) -> dt.date | None:
    """The last day a training completed on ``completed`` is current (``training_expired``
    from the day after), or None when its guide asks for no renewal."""
    return completed + dt.timedelta(days=renew_every_days) if renew_every_days else None


RENEWAL_NOTICE_DAYS = 30  # a current training whose renewal falls due this soon is listed


def renewal_due_soon(completed: dt.date, renew_every_days: int | None, as_of: dt.date) -> bool:
    """A training completed on ``completed`` is due for renewal soon when it is still current
    at ``as_of`` and its last current day (``renewal_due``) is at most RENEWAL_NOTICE_DAYS
    days after it (today's included: from tomorrow it has expired)."""
    due = renewal_due(completed, renew_every_days)
    return due is not None and completed <= as_of and 0 <= (due - as_of).days <= RENEWAL_NOTICE_DAYS


def latest_trainings(trainings, as_of: dt.date) -> dict:
    """A team member's latest training of each guide at ``as_of`` (guide id -> training): one
    dated after it is not taken yet; of two on one date, the first written."""
    latest = {}
    for t in trainings:
        if t.completed <= as_of and (t.guide not in latest or t.completed > latest[t.guide].completed):
            latest[t.guide] = t
    return latest


# ------------------------------------------------------------------------------ outcomes

MATURED_AGES = (90, 455)  # a referral's or a visit's outcome is known: 90 ≤ age < 455
ROV_DAYS = 90  # return on visit: the 90 days before a visit and the 90 days from it


def matured(days: int) -> bool:
    """Old enough for its outcome to be known (90 days on), from the year before that."""
    return MATURED_AGES[0] <= days < MATURED_AGES[1]


def visit_people(interaction, at_practice: dict) -> list[str]:
    """The people of a visit (return on visit): its listed physicians, each once, if it lists
    any; else every physician whose practice is the interaction's (``at_practice``: practice
    id -> physician ids)."""
    listed = listed_physicians(interaction)
    if listed:
        return listed
    return list(at_practice.get(interaction.practice, ())) if interaction.practice else []


# ------------------------------------------------------------------------------ spend


def split_cents(total: int, n: int) -> list[int]:
    """``total`` cents shared among n, in order: each c // n, the first c mod n one more."""
    each, extra = divmod(total, n)
    return [each + 1 if i < extra else each for i in range(n)]


def physician_shares(interaction, cost_cents: int) -> list[tuple[str, int]]:
    """(physician, cents) of an interaction's cost: shared among its listed physicians,
    each once, in the order first listed; none when it lists no physician."""
    listed = listed_physicians(interaction)
    if not listed or not cost_cents:
        return []
    return list(zip(listed, split_cents(cost_cents, len(listed))))


def practice_shares(interaction, cost_cents: int, physicians: dict) -> list[tuple[str, int]]:
    """(practice, cents) of an interaction's cost: all of it to its ``practice``; without
    one, shared among the distinct practices of its listed physicians, in order."""
    if not cost_cents:
        return []
    if interaction.practice is not None:
        return [(interaction.practice, cost_cents)]
    practices = practices_of(interaction, physicians)
    if not practices:
        return []
    return list(zip(practices, split_cents(cost_cents, len(practices))))
