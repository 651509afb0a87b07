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

    def __reduce__(self):
        """Pickled as its class and its fields' values, in order: made again by one call of
        the dataclass's ``__init__`` (the slots' own way, a state dict a figure, took twice
        as long to take back: the statistics go through pickle two or three times in a
        build after an edit, kept by one build, taken by the next, sent to the process that
        renders)."""
        return type(self), tuple(map(self.__getattribute__, self._names))

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
class Rov(_Figures):
    """Return on visit (SPEC §4): matured visits, and the physician referrals of their
    people in the 90 days before and the 90 days from each."""

    visits: int = 0
    before: int = 0
    after: int = 0

    def add(self, before: int, after: int) -> None:
        self.before += before
        self.after += after


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
    physician_referrals_365d: int
    physician_referrals_prev_365d: int
    in_person_90d: int
    spend_ytd_cents: int
    rov_365d: Rov
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
    potential: str | None  # high | medium | low
    funnel_365d: dict[str, int]
    services_365d: dict[str, int]
    rov_365d: Rov
    spend_ytd_cents: int


@_figures
class PracticeStats(_Figures):
    physicians: int
    referrals_365d: int
    referrals_prev_365d: int
    last_contact: str | None
    rov_365d: Rov
    spend_ytd_cents: int


@_figures
class LiaisonStats(_Figures):
    physicians: int
    referrals_365d: int
    interactions_90d: int
    in_person_90d: int
    open_follow_ups: int
    overdue_follow_ups: int
    tiered: int  # their physicians that have a tier
    tiered_current: int  # of those, the ones not visit_overdue
    rov_365d: Rov


@_figures
class Capture(_Figures):
    """One front-desk member's answers to "how did you hear about us?" (non-physician
    referrals of the last 365 days they took)."""

    referrals: int
    unknown: int
    rate: float


@_figures
class Stats(_Figures):
    """Everything of stats.json, at one as-of date."""

    as_of: dt.date
    totals: Totals
    months: list[Month]
    sources_365d: dict[str, int]
    source_capture_rate_365d: float | None
    capture_by_member_365d: dict[str, Capture]
    services_365d: dict[str, int]
    funnel_365d: dict[str, int]
    funnel_matured: dict[str, int]
    declined_reasons_365d: dict[str, int]
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
            "capture_by_member_365d": {k: v.as_dict()
                                       for k, v in self.capture_by_member_365d.items()},
            "services_365d": dict(self.services_365d),
            "funnel_365d": dict(self.funnel_365d),
            "funnel_matured": dict(self.funnel_matured),
            "declined_reasons_365d": dict(self.declined_reasons_365d),
            "physicians": {k: v.as_dict() for k, v in self.physicians.items()},
            "practices": {k: v.as_dict() for k, v in self.practices.items()},
            "liaisons": {k: v.as_dict() for k, v in self.liaisons.items()},
        }
