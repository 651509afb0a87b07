"""``SiteView``: the indexes of a checked site that every page family reads (interactions per
physician, practice, liaison and month; open follow-ups by whom they concern; monthly referral
series), and the small views several pages show (references to records, an interaction, a
follow-up, a trend badge, the context every page shares).

Built once per build in the parent; forked render workers inherit it and build only the
contexts of their own pages. Everything a page displays is computed in Python, once;
templates only display it.
"""
from __future__ import annotations

import datetime as dt
import weakref
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from functools import cached_property
from operator import itemgetter
from types import SimpleNamespace

from markupsafe import Markup

from liaison import charts, talking_points
from liaison.compliance import dollars
from liaison.content import MarkdownRenderer
from liaison.dates import ago_text
from liaison.derived import (
    MATURED_AGES, ROV_DAYS, in_person, listed_physicians, month_index, month_label,
    month_to_date, owner, practices_of,
)
from liaison.figures import Stats
from liaison.models import IN_PERSON, cents
from liaison.names import fold, sort_key
from liaison.palette import DEFAULT, Palette
from liaison.pages.base import (
    CSP, MONTHS_CHARTED, Page, deck_href, member_href, physician_href, practice_href, trend,
)
from liaison.records import Site
from liaison.wording import plural


# The positions of records in a list, as ``InteractionIndex.positions`` gives them: 4 bytes
# each, and one object a list (a million positions at 10,000 physicians: the index a build
# kept is taken back in 0.05 s instead of 0.11 s, and no page process's reference counts
# write to their memory).
POSITION = "i"

# A follow-up due today up to this many days ahead is due this week: its row's "due soon" badge,
# and its group on follow-ups/ and the dashboard (liaison.pages.follow_ups.due_group)
WEEK_DAYS = 7


def _positions_of(lists: dict) -> dict:
    return {key: array(POSITION, lst) for key, lst in lists.items()}


class Listed(Mapping):
    """Records by key, each key's list made from the positions of its records when it is
    first asked for (``InteractionIndex.at``): a build after an edit asks for few of them
    (making every list took 0.31 s at 10,000 physicians, and the view's newest-first copies
    of them 0.07 s more, on the way to the pages' keys). ``newest_first``: each list in the
    reverse order of its positions. A key without records gives an empty list, as a
    ``defaultdict(list)`` does (without adding the key). The lists are the index's own:
    never changed."""

    __slots__ = ("_records", "_at", "_newest_first", "_made")

    def __init__(self, records, at: dict, newest_first: bool = False):
        self._records, self._at, self._newest_first = records, at, newest_first
        self._made: dict = {}

    def __getitem__(self, key) -> list:
        made = self._made.get(key)
        if made is None:
            at = self._at.get(key)
            if at is None:
                return []
            made = self._made[key] = _taken(self._records, at[::-1] if self._newest_first
                                            else at)
        return made

    def get(self, key, default=None):
        return self[key] if key in self._at else default

    def count(self, key) -> int:
        """How many records ``key`` has, without making its list."""
        return len(self._at.get(key, ()))

    def positions(self, records: list):
        """The positions in ``records`` of each key's records (key -> positions, in the
        records' order), when they are the records this lists; else None."""
        return self._at if self._records is records else None

    def __contains__(self, key) -> bool:
        return key in self._at

    def __iter__(self):
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def newest_first(self) -> "Listed":
        """The same lists, each in the reverse order."""
        return Listed(self._records, self._at, not self._newest_first)


class InteractionIndex:
    """The interactions dated on or before the as-of date by physician listed, practice,
    who logged them and month, each list in the order of ``site.interactions`` (by date, then
    file); the in-person ones by the people of the visit (``derived.visit_people``: return on
    visit); those that plan a next visit on or after the as-of date (``planned``, under
    ``PLANNED``: what the calendars read); and their open follow-ups, (due, interaction,
    follow-up), in the same order.
    ``serve`` keeps the index of the files not edited lately and adds those edited
    (``merged``). The lists are ``Listed``, made when first read."""

    MAPS = ("by_doc", "by_practice", "by_member", "by_month", "visits", "planned")
    PLANNED = "next visit"  # the one key of ``planned``

    def __init__(self, by_doc: dict, by_practice: dict, by_member: dict, by_month: dict,
                 visits: dict, planned: dict, open_fu: list):
        self.by_doc, self.by_practice, self.by_member = by_doc, by_practice, by_member
        self.by_month, self.visits, self.planned = by_month, visits, planned
        self.open_fu = open_fu

    @classmethod
    def of(cls, interactions, physicians: dict, as_of: dt.date,
           at_practice: dict | None = None) -> "InteractionIndex":
        """``at_practice``: ``practice_physicians(physicians)``, if the caller has it."""
        return cls.at(interactions, cls.positions(interactions, physicians, as_of, at_practice))

    @staticmethod
    def positions(interactions, physicians: dict, as_of: dt.date,
                  at_practice: dict | None = None, days: list | None = None,
                  named: tuple[set, set] | None = None) -> tuple[dict, list]:
        """The index with each interaction as its position in ``interactions`` (a follow-up
        as (due, the position, its own among the interaction's)): what a build keeps
        (liaison.snapshot), and ``at`` makes the index of. (The loop costs the same with
        positions as with records, and the lists of records are made in C from them.)
        ``days``: a list each interaction's date is added to, in order (read here, where
        the loop reads each record anyway: pipeline._Split.cold_order). ``named``: two sets
        the physicians and the practices the interactions name are added to (those the
        pages' keys read: liaison.incremental.cold_named)."""
        D = as_of
        by_doc: dict[str, list] = defaultdict(list)
        by_practice: dict[str, list] = defaultdict(list)
        by_member: dict[str, list] = defaultdict(list)
        by_month: dict[int, list] = defaultdict(list)
        visits: dict[str, list] = defaultdict(list)
        planned: list[int] = []
        open_fu: list[tuple] = []
        at_practice = practice_physicians(physicians) if at_practice is None else at_practice
        # derived's listed_physicians, practices_of, in_person, visit_people and is_open,
        # written out: this loop runs once per interaction (200,000 at 10,000 physicians)
        practice_of = {pid: doc.practice for pid, doc in physicians.items()}
        month_of: dict[dt.date, list] = {}  # a date's month's list (records share dates)
        note_day = days.append if days is not None else None
        name_place = named[1].add if named is not None else None
        for i, r in enumerate(interactions):  # sorted by date
            date = r.date
            if note_day is not None:
                note_day(date)
            if date > D:
                if named is not None:  # (the others' physicians: those of ``by_doc``)
                    named[0].update(r.physicians)
                    name_place(r.practice)
                continue
            month = month_of.get(date)
            if month is None:
                month = month_of[date] = by_month[month_index(date)]
            month.append(i)
            by_member[r.liaison].append(i)
            listed = r.physicians
            if len(listed) > 1:
                listed = list(dict.fromkeys(listed))
            for pid in listed:
                by_doc[pid].append(i)
            practice = r.practice
            if name_place is not None:
                name_place(practice)
            places = [practice] if practice else []
            for pid in listed:  # (each once: a physician listed twice adds nothing more)
                if pid in practice_of:
                    at = practice_of[pid]
                    if at not in places:
                        places.append(at)
            for p in places:
                by_practice[p].append(i)
            if r.type in IN_PERSON:
                for pid in listed or (at_practice.get(practice, ()) if practice else ()):
                    visits[pid].append(i)
            if r.follow_ups:
                for j, f in enumerate(r.follow_ups):
                    if f.done is None or f.done > D:
                        open_fu.append((f.due, i, j))
            planned_on = r.next_visit
            if planned_on is not None and planned_on >= D:
                planned.append(i)
        if named is not None:
            named[0].update(by_doc)
        return {"by_doc": _positions_of(by_doc), "by_practice": _positions_of(by_practice),
                "by_member": _positions_of(by_member), "by_month": _positions_of(by_month),
                "visits": _positions_of(visits),
                "planned": _positions_of({InteractionIndex.PLANNED: planned} if planned else {})}, \
            open_fu

    @classmethod
    def joined(cls, parts: list[tuple[tuple[dict, list], list[int]]]) -> tuple[dict, list]:
        """``positions`` of all the interactions from those of parts of them: each part
        (its ``positions``, the position of each of its interactions among all) covers
        some of them, in their order; together they cover each once. The same as
        ``positions`` of all of them: lists in order, keys in the order first met."""
        maps: dict[str, dict] = {}
        same = [same_below(at) for _part, at in parts]
        for name in cls.MAPS:
            lists: dict = {}
            first: dict = {}  # key -> (its first position, its rank in the part that has it)
            for ((part, _open_fu), at), below in zip(parts, same):
                for rank, (key, lst) in enumerate(part[name].items()):
                    if lst[-1] < below:  # (most of the cold files' lists: 909 positions of
                        mine = lst       # 1,010,339 moved at 10,000 physicians)
                    else:
                        cut = bisect_left(lst, below)
                        mine = lst[:cut]
                        mine.extend(_taken(at, lst[cut:]))
                    have = lists.get(key)
                    if have is None:
                        lists[key], first[key] = mine, (mine[0], rank)
                    else:  # two runs in order: merged in one pass
                        lists[key] = array(POSITION, sorted([*have, *mine]))
                        if mine[0] < first[key][0]:
                            first[key] = (mine[0], rank)
            if len(parts) > 1:  # (keys first met at one interaction: in the order met there)
                lists = {key: lists[key] for key in sorted(lists, key=first.__getitem__)}
            maps[name] = lists
        open_fu = [(due, at[i], j) for (_part, fu), at in parts for due, i, j in fu]
        if len(parts) > 1:
            open_fu.sort(key=lambda t: (t[1], t[2]))
        return maps, open_fu

    @classmethod
    def at(cls, interactions, positions: tuple[dict, list]) -> "InteractionIndex":
        """The index of ``interactions`` that ``positions`` gives (``positions``)."""
        maps, open_fu = positions
        # Each list is in order: its ends tell whether every position is one of the
        # interactions (a kept index that does not fit them is refused here, not in a page).
        n = len(interactions)
        for name in cls.MAPS:
            for lst in maps[name].values():
                if not 0 <= lst[0] <= lst[-1] < n:
                    raise IndexError(f"the index's {name} holds positions out of the "
                                     f"{n} interactions' range")
        return cls(*(Listed(interactions, maps[name]) for name in cls.MAPS),
                   [(due, interactions[i], interactions[i].follow_ups[j])
                    for due, i, j in open_fu])

    def merged(self, other: "InteractionIndex", place) -> "InteractionIndex":
        """This index and ``other`` (of other interactions) as one; ``place(r)``: a key of
        an interaction's place in ``site.interactions``. Neither index is changed."""
        def merge(mine: dict, theirs: dict) -> dict:
            out = dict(mine)
            for key, lst in theirs.items():
                out[key] = sorted(mine.get(key, []) + lst, key=place)
            return out

        def fu_place(t):
            return place(t[1]), t[1].follow_ups.index(t[2])

        return InteractionIndex(
            *(merge(getattr(self, name), getattr(other, name)) for name in self.MAPS),
            sorted(self.open_fu + other.open_fu, key=fu_place))


def same_below(at: list[int]) -> int:
    """How many of the first positions of a part (``at``: increasing) are the same among
    all: the first ``n`` with ``at[n] != n``."""
    lo, hi = 0, len(at)
    while lo < hi:
        mid = (lo + hi) // 2
        if at[mid] == mid:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _taken(records: list, positions: list[int]) -> list:
    """The records at ``positions``, in their order (the list made in C)."""
    if len(positions) > 1:
        return list(itemgetter(*positions)(records))
    return [records[i] for i in positions]


def first_charted_month(as_of: dt.date) -> int:
    """The month index of the first of the MONTHS_CHARTED months that end with the as-of
    date's."""
    return month_index(as_of) - MONTHS_CHARTED + 1


def practice_physicians(physicians: dict) -> dict[str, list[str]]:
    """Practice id -> the ids of its physicians, sorted."""
    at_practice: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(physicians):
        at_practice[physicians[pid].practice].append(pid)
    return at_practice


class ReferralIndex:
    """The referral rows as the briefs read them: each physician's monthly series over the
    charted months, the services they ever referred for, and their rows young enough for
    outcomes and return on visit. Made from the rows and the as-of date alone (``serve``
    keeps it while no referral file changes)."""

    def __init__(self, series: dict, services_ever: dict, recent: dict):
        self.series, self.services_ever, self.recent = series, services_ever, recent

    @classmethod
    def of(cls, referrals, as_of: dt.date) -> "ReferralIndex":
        return cls.at(referrals, cls.positions(referrals, as_of))

    @staticmethod
    def positions(referrals, as_of: dt.date) -> tuple[dict, dict, dict]:
        """The index with each row of ``recent`` as its position in ``referrals``: what a
        build keeps (liaison.snapshot), and ``at`` makes the index of."""
        D, first = as_of, first_charted_month(as_of)
        series: dict[str, list[int]] = defaultdict(lambda: [0] * MONTHS_CHARTED)
        # Each physician's referrals young enough for a brief: outcomes (365 days, matured)
        # and the windows of return on visit (back to age 544).
        recent: dict[str, list] = defaultdict(list)
        reach = MATURED_AGES[1] + ROV_DAYS
        services_ever: dict[str, set] = defaultdict(set)
        young = D - dt.timedelta(days=reach)  # age < reach: dated after this day
        for n, row in enumerate(referrals):  # 290,000 rows at 10,000 physicians: kept lean
            doc, date = row.physician, row.date
            if doc is None or date > D:
                continue
            if date > young:
                recent[doc].append(n)
            services_ever[doc].add(row.service)
            i = date.year * 12 + date.month - 1 - first  # month_index(date) - first
            if 0 <= i < MONTHS_CHARTED:
                series[doc][i] += row.count
        return dict(series), dict(services_ever), dict(recent)

    @classmethod
    def at(cls, referrals, positions: tuple[dict, dict, dict]) -> "ReferralIndex":
        """The index of ``referrals`` that ``positions`` gives (``positions``)."""
        series, services_ever, recent = positions
        return cls(defaultdict(lambda: [0] * MONTHS_CHARTED, series),
                   defaultdict(set, services_ever),
                   defaultdict(list, {doc: _taken(referrals, rows)
                                      for doc, rows in recent.items()}))


class SiteView:
    """Indexes of a checked site, for planning and for building page contexts."""

    def __init__(self, site: Site, stats: Stats, as_of: dt.date | None = None,
                 palette: Palette = DEFAULT, fits: talking_points.Fits | None = None,
                 warnings: list | None = None, referral_index: "ReferralIndex | None" = None,
                 interaction_index: "InteractionIndex | None" = None):
        self.site = site
        self.warnings = list(warnings or [])  # validate's warnings (Diagnostic), data-quality/
        self.palette = palette  # the site's colours, for its charts and decks
        self.stats = stats
        self.as_of = stats.as_of if as_of is None else as_of
        self.md = MarkdownRenderer()
        cfg = site.config
        self.our = cfg.practice
        self.services = {s.key: s.name for s in cfg.services}
        self.tiers = cfg.tiers
        self.month_last = month_index(self.as_of)
        self.month_first = first_charted_month(self.as_of)
        from liaison.decks import site_context

        self.site_ctx = site_context(cfg)  # site.yaml as decks see it
        self._views: dict[int, InteractionView] = {}
        self._weak = weakref.ref(self)  # what the views hold of this view (``InteractionView``)
        self._practice_refs: dict[str, SimpleNamespace] = {}  # see ``_ref``
        self._doc_refs: dict[str, SimpleNamespace] = {}
        # (practice, *physicians) of an interaction -> the Refs of its snippet's fields
        self._named_refs: dict[tuple, tuple[Refs, Refs]] = {}
        self._members: dict[str | None, tuple[str, str | None]] = {}  # see ``member_ref``
        self._as_of_text = self.as_of.isoformat()
        self.caches: dict[str, object] = {}  # per-process state of page families (decks)
        # Services by specialty for the briefs' talking points (read once, in the parent;
        # a build passes the checked mapping, others read it leniently).
        self.fits = fits if fits is not None else \
            talking_points.load(site.root, list(self.services))[0]
        # The as-of month is not over yet (unless D is its last day): monthly charts mark it.
        self.month_to_date = month_to_date(self.as_of)
        self._index(referral_index, interaction_index)
        from liaison.pages import site_nav  # the registry imports this module first

        self.nav: list[dict] = site_nav(self)  # the sections this site has pages of

    # ------------------------------------------------------------------ indexes

    def _index(self, referral_index: "ReferralIndex | None" = None,
               interaction_index: "InteractionIndex | None" = None) -> None:
        site, D = self.site, self.as_of
        at_practice = practice_physicians(site.physicians)
        index = interaction_index or InteractionIndex.of(site.interactions, site.physicians, D,
                                                         at_practice)

        def newest_first(lists: Mapping) -> Mapping:
            if isinstance(lists, Listed):
                return lists.newest_first()
            return defaultdict(list, {key: lst[::-1] for key, lst in lists.items()})

        by_doc, by_practice = newest_first(index.by_doc), newest_first(index.by_practice)
        by_member = newest_first(index.by_member)
        # the in-person interactions (newest first) each physician is among the people of
        self.visits_by_doc = newest_first(index.visits)
        by_month = index.by_month if isinstance(index.by_month, Listed) else \
            defaultdict(list, {key: list(lst) for key, lst in index.by_month.items()})
        open_fu = list(index.open_fu)
        # the interactions that plan a next visit on or after the as-of date, in order
        self.planned_visits = list(index.planned.get(InteractionIndex.PLANNED, ()))
        self.by_doc, self.by_practice, self.by_member, self.by_month = by_doc, by_practice, by_member, by_month
        open_fu.sort(key=lambda t: t[0])  # stable: then by interaction date and file order
        self.open_follow_ups = open_fu
        # Open follow-ups by the physicians, practices and owner they concern, so that no page
        # scans them all.
        # A promise made to an office (an interaction that lists no physician) is a promise
        # to each of its physicians too: their briefs show it among what we promised.
        self.fu_by_doc: dict[str, list] = defaultdict(list)
        self.fu_by_practice: dict[str, list] = defaultdict(list)
        self.fu_by_owner: dict[str, list] = defaultdict(list)
        for t in open_fu:
            r, f = t[1], t[2]
            listed = listed_physicians(r)
            for pid in listed or at_practice.get(r.practice, ()):
                self.fu_by_doc[pid].append(t)
            for p in practices_of(r, site.physicians):
                self.fu_by_practice[p].append(t)
            self.fu_by_owner[owner(f, r)].append(t)

        by_referrals = referral_index or ReferralIndex.of(site.referrals, D)
        self.doc_series, self.services_ever = by_referrals.series, by_referrals.services_ever
        self.referrals_by_doc = by_referrals.recent

        self.docs_of_practice = at_practice
        self.docs_of_liaison: dict[str, list[str]] = defaultdict(list)
        for pid, s in self.stats.physicians.items():
            if s.liaison:
                self.docs_of_liaison[s.liaison].append(pid)
        self.decks_for_practice: dict[str, list[str]] = defaultdict(list)
        for deck_id in sorted(site.decks):
            for pid in self.deck_targets(deck_id):
                self.decks_for_practice[pid].append(deck_id)

    def months(self) -> list[int]:
        return list(range(self.month_first, self.month_last + 1))

    def deck_targets(self, deck_id: str) -> list[str]:
        from liaison.decks import deck_targets

        return deck_targets(self.site, self.site.decks[deck_id])

    @cached_property
    def filter_options(self) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
        """Every team member's and every practice's option in a page's filter (id, {value,
        label}: the page an item links to, the name), ordered by name (people by last name,
        as every list of them), then id; made once (each of the 61 month pages of 10,000
        physicians sorted its 3,000 practices)."""
        team, practices = self.site.team, self.site.practices
        return ([(t, {"value": member_href(t), "label": team[t].name})
                 for t in sorted(team, key=lambda t: (sort_key(team[t].name), t))],
                [(p, {"value": practice_href(p), "label": practices[p].name})
                 for p in sorted(practices, key=lambda p: (fold(practices[p].name), p))])

    @cached_property
    def _target_sets(self) -> dict[str, set]:
        return {d: set(self.deck_targets(d)) for d in self.site.decks}

    def deck_targets_set(self, deck_id: str) -> set:
        return self._target_sets.get(deck_id, set())

    def month_count(self, month: int) -> int:
        """The number of interactions of ``month`` (a month index) in ``by_month``, counted
        from the index's positions where it has them: the activity log's links and the
        month pages' keys count every month, and making each month's list to count it took
        40 ms and 8,000 page faults in the process forked after an edit at 10,000
        physicians (every record's reference count written)."""
        by_month = self.by_month
        if isinstance(by_month, Listed):
            return by_month.count(month)
        return len(by_month.get(month, ()))

    # ------------------------------------------------------------------ small views

    def doc_ref(self, pid: str) -> dict:
        d = self.site.physicians.get(pid)
        return {"name": d.name if d else pid, "href": physician_href(pid)}

    def practice_ref(self, pid: str) -> dict:
        p = self.site.practices.get(pid)
        return {"name": p.name if p else pid, "href": practice_href(pid)}

    def member_ref(self, tid: str | None) -> tuple[str, str | None]:
        """(name, href) of a team member, made once per member (each interaction's view
        names its liaison: 200,000 views name a few dozen members at 10,000 physicians)."""
        ref = self._members.get(tid)
        if ref is None:
            m = self.site.team.get(tid) if tid else None
            ref = self._members[tid] = (m.name, member_href(tid)) if m else ((tid or "—"), None)
        return ref

    def _ref(self, kind: str, ident: str) -> SimpleNamespace:
        """``practice_ref`` or ``doc_ref`` as an attribute namespace, made once per process
        (an interaction's view names its practices and physicians: 200,000 views name 3,334
        practices and 10,000 physicians at 10,000 physicians)."""
        if kind == "practice":
            ns = self._practice_refs[ident] = SimpleNamespace(**self.practice_ref(ident))
        else:
            ns = self._doc_refs[ident] = SimpleNamespace(**self.doc_ref(ident))
        return ns

    def interaction(self, r) -> "InteractionView":
        """The view of one interaction, one per process (an ``InteractionView``: its fields
        are made when a template first reads one)."""
        views = self._views
        v = views.get(id(r))
        if v is None:
            v = views[id(r)] = InteractionView(r, self._weak)
        return v

    def interaction_fields(self, r, shared: bool = False) -> dict:
        """The fields of an interaction's view (``templates/README.md``). ``shared``: its
        practices and physicians are lists (``Refs``) shared with every other interaction
        that names the same ones, made once (for the snippet, which only reads them:
        render.interaction_item); else lists of its own, as a template may be given."""
        name, href = self.member_ref(r.liaison)
        deck = self.site.decks.get(r.deck) if r.deck else None
        if shared:
            key = (r.practice, *r.physicians)
            named = self._named_refs.get(key)
            if named is None:
                named = self._named_refs[key] = (Refs(self._practices_named(r)),
                                                 Refs(self._physicians_named(r)))
            practices, physicians = named
        else:
            practices, physicians = self._practices_named(r), self._physicians_named(r)
        return {
            "date": r.date.isoformat(),
            "as_of": self._as_of_text,  # for the date filters (liaison.dates)
            "type": r.type,
            "in_person": in_person(r),
            "liaison_name": name,
            "liaison_href": href,
            "outcome": r.outcome,
            "summary": r.summary,
            "practices": practices,
            "physicians": physicians,
            "met_with": r.met_with,
            "needs": r.needs,
            "notes_html": self.md.note(r.notes),
            "cost": dollars(cents(r.cost)) if r.cost is not None else None,
            "next_visit": r.next_visit.isoformat() if r.next_visit else None,
            "deck": SimpleNamespace(
                title=deck.meta.title,
                href=deck_href(deck.id, r.practice if r.practice in self.deck_targets_set(deck.id) else None))
            if deck else None,
        }

    def _practices_named(self, r) -> list:
        """The refs of the practices an interaction concerns (``practices_of``)."""
        at_practice = self._practice_refs  # shared by the views
        return [at_practice[p] if p in at_practice else self._ref("practice", p)
                for p in practices_of(r, self.site.physicians)]

    def _physicians_named(self, r) -> list:
        """The refs of the physicians an interaction lists, as listed."""
        of_doc = self._doc_refs  # shared by the views
        return [of_doc[p] if p in of_doc else self._ref("physician", p) for p in r.physicians]

    def follow_up(self, due, r, f) -> dict:
        """An open follow-up's row, made once for the view (it shows on the brief of each
        physician and practice it concerns, its owner's page and the follow-ups page); never
        changed by a page (one that adds to it copies it)."""
        return self.once("follow-up rows", (id(f), due), self._follow_up, due, r, f)

    def once(self, table: str, key, make, *args):
        """What ``make(*args)`` gives, made once for the view: kept under ``key`` in the
        view's ``table`` (a dict of ``caches``) and given again on the next call."""
        made = self.caches.get(table)
        if made is None:
            made = self.caches[table] = {}
        value = made.get(key)
        if value is None:
            value = made[key] = make(*args)
        return value

    def _follow_up(self, due, r, f) -> dict:
        days = (due - self.as_of).days
        who = owner(f, r)
        name, href = self.member_ref(who)
        targets = [self.practice_ref(r.practice)] if r.practice else []
        targets += [self.doc_ref(p) for p in r.physicians]
        return {
            "due": due.isoformat(), "task": f.task, "overdue": days < 0,
            "overdue_text": f"{plural(-days, 'day')} overdue" if days < 0 else "",
            "due_soon": 0 <= days <= WEEK_DAYS, "due_text": ago_text(due, self.as_of),  # "today", "tomorrow", "in 5 days"
            "owner": who, "owner_name": name, "owner_href": href, "targets": targets,
            "logged": r.date.isoformat(),
        }

    def chart(self, chart, *args, **kwargs) -> Markup:
        """A chart of liaison.charts in the site's colours: SVG that escapes every text it
        holds. A bar chart is followed by the table of its figures for a screen reader
        (``charts.bar_figures``, out of sight)."""
        if chart is charts.bar_chart:
            if self.month_to_date and args and args[0] \
                    and str(args[0][-1]) == month_label(self.month_last):
                kwargs.setdefault("partial_last", True)  # a monthly chart up to the as-of month
            return Markup(chart(*args, palette=self.palette, **kwargs)
                          + charts.bar_figures(*args, **kwargs))
        return Markup(chart(*args, palette=self.palette, **kwargs))

    def change(self, now: int, before: int, days: int | None = None) -> dict:
        """The trend badge of a count against the previous ``days`` (``base.trend``)."""
        return trend(now, before, days)

    def common(self, page: Page, section: str, title: str) -> dict:
        """What every page's template receives (``COMMON_VARIABLES``)."""
        depth = page.path.count("/")
        return {
            "base": "../" * depth, "csp": CSP, "our": self.our, "section": section,
            "title": title, "as_of": self.as_of.isoformat(), "as_of_text": self.as_of.isoformat(),
            "nav": self.nav,
        }


class Refs(list):
    """The refs (``name``, ``href``) of the practices or the physicians an interaction
    names, shared by the snippet fields of every interaction that names the same ones
    (``SiteView.interaction_fields``, ``shared``), never changed. ``links``: the snippet's
    links to them, joined, made with the base ``base`` (render._links makes them once: the
    200,186 snippets of 10,000 physicians name 35,728 distinct practices and physicians)."""

    __slots__ = ("base", "links")

    def __init__(self, refs):
        super().__init__(refs)
        self.base: str | None = None
        self.links: str | None = None


class InteractionView:
    """The view of one interaction that the pages show (``SiteView.interaction``), read like
    an attribute namespace: its fields (``SiteView.interaction_fields``) are made when a
    template first reads one. The built-in templates only hand it to ``interaction_html``,
    whose snippet a full build renders before the page workers fork, in whichever process
    renders it (liaison.render.prerender_snippets), with fields made for the snippet alone
    and not kept (liaison.render.interaction_item): no process keeps the fields of 200,000
    views at 10,000 physicians (7.8 microseconds each to make, and the memory that the
    page workers would copy). It holds a weak reference to
    the ``SiteView``, which holds it: no reference cycle, so that a site view ``serve``
    replaces is freed by reference counting (its collector is frozen)."""

    __slots__ = ("_record", "_site", "__dict__")

    def __init__(self, record, site: "weakref.ref[SiteView]"):
        self._record, self._site = record, site

    def __getattr__(self, name: str):
        # Called only for a name not found: the fields are made on the first one
        if name[:1] == "_" or self.__dict__:
            raise AttributeError(name)
        try:
            return self._fields()[name]
        except KeyError:
            raise AttributeError(name) from None

    def _fields(self) -> dict:
        if not self.__dict__:
            self.__dict__.update(self._site().interaction_fields(self._record))
        return self.__dict__

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self._fields().items())
        return f"InteractionView({fields})"
