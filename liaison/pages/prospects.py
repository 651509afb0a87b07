"""Prospects (``prospects/``, SPEC §6): who is worth pursuing. Physicians who have never
referred, ranked by the liaison's qualification of their ``potential`` (high first), then,
when the site has Medicare data (``data/market/``), by their Medicare volume, then by tier,
then by the time since anyone last reached them (never contacted first, then the longest);
beside them, where they send such patients today (``refers_elsewhere``). With Medicare data,
a third section lists the competition: the nearby providers who bill the chosen procedure
codes, by city. A second
table, *win back*, ranks the lapsed referrers the same way: they have referred before, so
winning them back is a different conversation from a first introduction.

``ranked`` is the order; call plans (``team/<id>/``) use it for a liaison's high-potential
prospects.
"""
from __future__ import annotations

import datetime as dt

from liaison.models import POTENTIALS
from liaison.names import sort_key
from liaison.pages import volume
from liaison.pages.base import Page, PageKind, ago, one_page
from liaison.pages.rows import physician_row
from liaison.pages.view import SiteView

# Sort ranks: high 1, medium 2, low 3, not rated 4 (ascending = most worth pursuing first).
POTENTIAL_RANK = {p: i + 1 for i, p in enumerate(POTENTIALS)}
UNRATED = len(POTENTIALS) + 1


def _days_since(view: SiteView, date: str | None) -> int | None:
    return (view.as_of - dt.date.fromisoformat(date)).days if date else None


def rank_key(view: SiteView, pid: str) -> tuple:
    """The order of prospects: potential (high first, not rated last), Medicare volume when
    the site has market data (``liaison.pages.volume``: more beneficiaries first, not in the
    file last), tier (in site.yaml's order, none last), time since the last contact (never
    first, then the longest), name (by last name, as the directories)."""
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    tiers = list(view.tiers)
    tier = tiers.index(d.tier) if d.tier in view.tiers else len(tiers)
    days = _days_since(view, s.last_contact)
    contact = (0, 0) if days is None else (1, -days)
    return (POTENTIAL_RANK.get(s.potential, UNRATED), -volume.rank_value(view, pid), tier,
            contact, sort_key(d.name), pid)


def ranked(view: SiteView, status: str, pids=None) -> list[str]:
    """The physicians of ``status`` (among ``pids``, default all), most worth pursuing
    first."""
    phys = view.stats.physicians
    chosen = [p for p in (view.site.physicians if pids is None else pids)
              if phys[p].status == status]
    return sorted(chosen, key=lambda p: rank_key(view, p))


def prospect_row(view: SiteView, pid: str, rank: int = 0) -> dict:
    """A physician's row of the prospects tables (``physician_row`` plus what ranks it)."""
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    days = _days_since(view, s.last_contact)
    tiers = list(view.tiers)
    return {
        **physician_row(view, pid),
        "rank": rank,
        "potential": s.potential or "",
        "potential_rank": POTENTIAL_RANK.get(s.potential, UNRATED),
        "tier_rank": tiers.index(d.tier) + 1 if d.tier in view.tiers else len(tiers) + 1,
        "last_contact_text": ago(days),
        "refers_elsewhere": list(d.refers_elsewhere),
        "last_referral": s.last_referral or "",
        "last_referral_text": ago(s.days_since_referral),
        "referrals": s.referrals,
        "volume": volume.prospect(view, pid),  # None without market data
    }


def context(view: SiteView, page: Page) -> dict:
    prospects = ranked(view, "prospect")
    lapsed = ranked(view, "lapsed")
    return {
        **view.common(page, "prospects", "Prospects"),
        "prospects": [prospect_row(view, p, i + 1) for i, p in enumerate(prospects)],
        "win_back": [prospect_row(view, p, i + 1) for i, p in enumerate(lapsed)],
        "lapsed_after_days": view.site.config.thresholds.lapsed_after_days,
        "competition": volume.competition(view),  # None without market data
        # no prospect among none (a new site) is not "every physician has referred"
        "physician_count": len(view.site.physicians),
    }


KINDS = [
    PageKind("prospects", "prospects.html", "prospects",
             one_page("prospects/index.html", "prospects.html", "prospects"),
             context, reads=("physicians", "practices", "team", "stats.physicians", "market"),
             variables=("prospects", "win_back", "lapsed_after_days", "competition",
                        "physician_count"),
             nav=("Prospects", "prospects/index.html"),
             url="prospects/"),
]
