"""The records of a site root, as every stage sees them: the loader fills a ``Site``; checks,
statistics, pages and exports read it. (The record kinds themselves are the models of
``liaison.models``; this module holds what the loader makes of them.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from liaison.content import Deck, Guide
from liaison.diagnostics import Loc
from liaison.models import Interaction, Physician, Practice, SiteConfig, TeamMember


class ReferralRow(NamedTuple):
    """One referral row, validated. ``line`` is set for CSV rows, ``loc`` for YAML ones."""

    date: object
    source: str
    physician: str | None
    service: str
    status: str
    count: int
    taken_by: str | None
    declined_reason: str | None
    path: str
    line: int | None
    loc: tuple | None


_ROW = partial(tuple.__new__, ReferralRow)  # a row of its values, in C (``ReferralRow._make``)


class ReferralRows(list):
    """The rows of one referral file, as the loader gives them: a list that pickles as the
    plain tuples of its rows and comes back as rows again, in two passes in C. (A
    ``NamedTuple`` is pickled as its class and values, and unpickled through its ``__new__``,
    a Python function: the 290,000 rows of a 10,000-physician site took 0.34 s to pickle
    and 0.19-0.29 s to take back, against 0.13 s each this way.)"""

    __slots__ = ()

    def __reduce__(self):
        return _referral_rows, (list(map(tuple, self)),)


def _referral_rows(values: list[tuple]) -> ReferralRows:
    return ReferralRows(map(_ROW, values))


@dataclass
class Site:
    """Every record of a site root. Records of files with errors are left out."""

    root: Path
    config_path: str = "site.yaml"
    config: SiteConfig | None = None
    practices: dict[str, Practice] = field(default_factory=dict)
    physicians: dict[str, Physician] = field(default_factory=dict)
    team: dict[str, TeamMember] = field(default_factory=dict)
    interactions: list[Interaction] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)
    guides: dict[str, Guide] = field(default_factory=dict)
    decks: dict[str, Deck] = field(default_factory=dict)
    # Every id that has a file, valid or not: references to a record whose file has errors
    # are not reported again as dangling.
    known: dict[str, set[str]] = field(default_factory=dict)
    # Where each record came from: id(record) -> (path, location prefix in the file).
    src: dict[int, tuple[str, Loc]] = field(default_factory=dict)
    partials: list = field(default_factory=list)  # core records that failed validation
    bulk_partials: list = field(default_factory=list)  # interactions that failed validation
    market: list = field(default_factory=list)  # data/market/ files, newest year first (liaison.market)
