"""The statistics as typed figures: one class per entry of stats.json (SPEC §4).

The aggregate stage (``liaison.stats``) returns a ``Stats``; pages, exports, decks and the
change summary read its attributes; ``Stats.as_dict`` is the structure of stats.json, which
``stats.stats_json`` writes. Dates are "YYYY-MM-DD" strings, as in the file; the as-of date
is a date. To add a statistic: a field here, its sum in ``stats.accumulate`` (and
``Partial.merge``), its value in ``stats.finalize``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields


class _Figures:
    """Serialization shared by the figure classes: their fields, in order, as a dict."""

    __slots__ = ()

    def as_dict(self) -> dict:
        out = {}
        for name in self._names:
            value = getattr(self, name)
            out[name] = value.as_dict() if isinstance(value, _Figures) else value
        return out


def _figures(cls):
    cls = dataclass(slots=True)(cls)
    cls._names = tuple(f.name for f in fields(cls))
    return cls


@_figures
class Totals(_Figures):
    physicians: int
    practices: int
    interactions: int
    referrals: int
    referrals_90d: int
    referrals_prev_90d: int
    referrals_365d: int
    referrals_prev_365d: int
    in_person_90d: int
    open_follow_ups: int
    overdue_follow_ups: int


@_figures
class Month(_Figures):
    month: str  # YYYY-MM
    referrals: int
    scheduled: int  # referrals whose status reached at least scheduled
    consulted: int
    treated: int
    declined: int
    interactions: int
    in_person: int


@_figures
class PhysicianStats(_Figures):
    referrals: int
    referrals_90d: int
    referrals_prev_90d: int
    referrals_365d: int
    referrals_prev_365d: int
    first_referral: str | None
    last_referral: str | None
    days_since_referral: int | None
    status: str  # prospect | new | active | lapsed
    declining: bool
    interactions_365d: int
    last_contact: str | None
    last_visit: str | None
    visit_overdue: bool
    liaison: str | None  # the effective liaison


@_figures
class PracticeStats(_Figures):
    physicians: int
    referrals_365d: int
    referrals_prev_365d: int
    last_contact: str | None


@_figures
class LiaisonStats(_Figures):
    physicians: int
    referrals_365d: int
    interactions_90d: int
    in_person_90d: int
    open_follow_ups: int
    overdue_follow_ups: int


@_figures
class Stats(_Figures):
    """Everything of stats.json, at one as-of date."""

    as_of: dt.date
    totals: Totals
    months: list[Month]
    sources_365d: dict[str, int]
    source_capture_rate_365d: float | None
    services_365d: dict[str, int]
    funnel_365d: dict[str, int]
    physicians: dict[str, PhysicianStats]
    practices: dict[str, PracticeStats]
    liaisons: dict[str, LiaisonStats]

    def as_dict(self) -> dict:
        """The structure of stats.json."""
        return {
            "as_of": self.as_of.isoformat(),
            "totals": self.totals.as_dict(),
            "months": [m.as_dict() for m in self.months],
            "sources_365d": dict(self.sources_365d),
            "source_capture_rate_365d": self.source_capture_rate_365d,
            "services_365d": dict(self.services_365d),
            "funnel_365d": dict(self.funnel_365d),
            "physicians": {k: v.as_dict() for k, v in self.physicians.items()},
            "practices": {k: v.as_dict() for k, v in self.practices.items()},
            "liaisons": {k: v.as_dict() for k, v in self.liaisons.items()},
        }
