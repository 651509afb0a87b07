"""`changes BASE [HEAD]`: what a change does to the data, as Markdown for a pull request.

Each revision's site root is exported with ``git archive`` into a temporary folder (the
working tree is never touched: nothing is checked out), loaded and checked like ``validate``
does, and the two are compared by value:

* practices, physicians, team members, training guides and decks by id;
* interactions (which have no id) as a multiset of their canonical JSON, so that moving a
  record from one file to another is not a change;
* referrals as a multiset of (date, source, physician, service, status) with counts summed,
  so that splitting a rolled-up row into single rows is not a change either;
* the statistics of SPEC §4 of both revisions at the same as-of date.

Reading the revisions is ``liaison.revisions``; only ``git`` on the PATH is needed.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import unicodedata
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from liaison.compliance import dollars, exact_dollars
from liaison.derived import effective_liaison, physicians_still_theirs, practices_of, still_theirs
from liaison.diagnostics import SUMMARY_THRESHOLD
from liaison.diagnostics import summarize as summarize_report
from liaison.guard import PATIENT_MESSAGE
from liaison.models import STATUSES, cents
from liaison.revisions import ChangesError, commit_of, export, site_rel, toplevel
from liaison.wording import number, prose_list, rate

LIST_CAP = 20  # items of one list shown before "… and N more"
DIAGNOSTICS_SHOWN = 10
REFERRAL_ROWS_SHOWN = 10  # changed referral keys listed one by one up to this many
MONTHS_SHOWN = 12

# Top-level entries of a site root that loading reads; nothing else is exported.

TOTALS = (
    ("referrals_90d", "Referrals, last 90 days"),
    ("referrals_365d", "Referrals, last 365 days"),
    ("physician_referrals_365d", "Physician referrals, last 365 days"),
    ("open_follow_ups", "Open follow-ups"),
    ("overdue_follow_ups", "Overdue follow-ups"),
    ("in_person_90d", "In-person interactions, last 90 days"),
    ("source_capture_rate_365d", "Source capture rate, 365 days"),
    ("spend_ytd_cents", "Spend this year (meals, gifts)"),
    # (a physician moved or a practice merged rewrites the people of past visits: SPEC §4)
    ("rov_365d", "Return on visit, matured visits"),
)
_FLAGS = (("status", "status"), ("declining", "declining"), ("visit_overdue", "visit overdue"))
# A liaison's figures that a hand-over moves (their practices, physicians and follow-ups given
# to another), which no total shows.
_LIAISON_FIGURES = (("physicians", "physicians"), ("referrals_365d", "referrals, 365 days"),
                    ("open_follow_ups", "open follow-ups"),
                    ("overdue_follow_ups", "overdue follow-ups"))
# what to do with what a liaison who left the role still has (README "A liaison leaves")
_HAND_OVER = {
    "physicians": "give each a `liaison:` of who takes over, in the file of their practice or "
                  "their own (data-quality/ lists them)",
    "referrals_365d": "from the physicians above",
    "open_follow_ups": "write `owner:` on each for who takes over",
    "overdue_follow_ups": "write `owner:` on each for who takes over",
}


def summarize(repo: Path | str, base: str, head: str | None, as_of: dt.date | str | None,
              root: str = ".") -> str:
    """Markdown summary of what the data change between ``base`` and ``head`` (None: the
    working tree) does, for a pull-request comment. ``root`` is the site root, relative to
    ``repo`` (any folder inside a git working tree); ``as_of`` as ``pipeline.check`` takes
    it. Raises ChangesError (a LiaisonError) with git's message when a revision cannot be
    read."""
    from liaison.pipeline import as_of_date, check

    repo, as_of = Path(repo), as_of_date(as_of)
    top = toplevel(repo)
    rel = site_rel(top, repo, root)
    base_commit = commit_of(top, base)
    head_commit = commit_of(top, head) if head is not None else None
    head_root = repo / root
    if head is None and not any((head_root / name).is_file() for name in ("site.yaml",
                                                                          "site.yml")):
        from liaison.load import where_to_run  # (typed in the site's data/: the root above)

        raise ChangesError(f"no site.yaml in '{head_root}' (the working tree): "
                           f"{where_to_run(head_root)}")
    with tempfile.TemporaryDirectory(prefix="liaison-changes-") as tmp:
        base_root = export(top, base_commit, base, rel, Path(tmp) / "base")
        if head is not None:
            head_root = export(top, head_commit, head, rel, Path(tmp) / "head")
        # Exports live in throw-away folders: the parse cache would only fill up with them.
        before = check(base_root, as_of, keep_records=True, use_cache=False)
        after = check(head_root, as_of, keep_records=True, use_cache=head is None)
        labels = (_label(base, base_commit), _label(head, head_commit))
        return render(before, after, labels, as_of, rel)


def _label(rev: str | None, commit: str | None) -> str:
    if rev is None:
        return "the working tree"
    shown = rev.replace("`", "")
    short = commit[:7]
    return f"`{shown}`" if shown.startswith(short) else f"`{shown}` ({short})"


# What the summary shows instead of a text (a name, a summary, a title) of a file that the
# patient-information guard flags: validate never repeats such a value, since CI keeps its
# output, and the job summary is kept with the run as the logs are.
WITHHELD = "_(not shown: its file may hold patient information)_"


def _hider(before, after):
    """(site, record) -> whether the record's texts are withheld: its file has a diagnostic
    of the patient-information guard in either revision."""
    tainted = {d.path for checked in (before, after) for d in checked.report.diagnostics
               if PATIENT_MESSAGE in d.message}

    def hide(site, rec) -> bool:
        if not tainted or rec is None:
            return False
        src = site.src.get(id(rec))
        return (src[0] if src else getattr(rec, "path", None)) in tainted

    hide.any = lambda paths: bool(tainted & set(paths))
    return hide


def render(before, after, labels: tuple[str, str], as_of: dt.date, rel: str = "") -> str:
    """Two ``pipeline.Checked`` -> the Markdown summary."""
    out = [f"## Liaison: data changes from {labels[0]} to {labels[1]}", ""]
    where = f"site root `{rel}`, " if rel else ""
    out += [f"_{where}statistics as of {as_of.isoformat()}_", ""]
    hide = _hider(before, after)

    broken = frozenset(d.path for d in after.report.errors)
    broken_base = frozenset(d.path for d in before.report.errors)
    records = _records_section(before.site, after.site, hide, broken, broken_base)
    out += ["### Records", ""]
    out += records or ["No records changed.", ""]
    if not after.ok:
        out += ["> The head has errors: the records of files with errors are left out, so some "
                "of them may show as removed or not compared here.", ""]

    out += ["### Statistics", ""]
    out += _stats_section(before, after, hide)

    out += ["### Validation", ""]
    out += _validation_section(before, after)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- records


def _esc(text) -> str:
    """User text, safe on one line of Markdown (tables included)."""
    text = " ".join(str(text).split())
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def _capped(items: list[str], cap: int = LIST_CAP) -> list[str]:
    shown = items[:cap]
    if len(items) > cap:
        shown.append(f"- … and {len(items) - cap} more")
    return shown


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _changed_fields(a, b) -> list[str]:
    return [name for name in type(a).model_fields if getattr(a, name) != getattr(b, name)]


def _fields(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


# The fields of practices, physicians and team members whose change is said from what to what:
# where a physician works, who is in charge, the visit cadence, the role, the potential (a
# move or a hand-over, which "(`practice`)" alone left to the diff). Their values are ids or
# enum values, never free text: True for an id or key, shown as code.
SHOWN_VALUES = {"practice": True, "liaison": True, "tier": True, "role": False,
                "potential": False}


def _field_changes(old, new, names: list[str], values: bool = True) -> str:
    """`_fields`, with the old and new value of each of SHOWN_VALUES (unless ``values`` is
    false: a withheld record's)."""
    def value(v, code: bool) -> str:
        return "none" if v is None else f"`{v}`" if code else _esc(v)

    parts = []
    for n in names:
        code = SHOWN_VALUES.get(n)
        if values and n == "trainings":
            parts.append(f"`trainings`: {_training_changes(old.trainings, new.trainings)}")
        elif values and code is not None:
            was, now = value(getattr(old, n), code), value(getattr(new, n), code)
            parts.append(f"`{n}`: {was} → {now}")
        else:
            parts.append(f"`{n}`")
    return ", ".join(parts)


def _training_changes(old: list, new: list) -> str:
    """A team member's trainings added, removed or edited, by guide: "`vein-disease-primer`
    completed 2025-06-10 → 2026-12-01, score 81 → 92" (a completion written over the last
    one), "`phone-basics` completed 2026-12-01, score 90" (one added): the training a pull
    request records, which "(`trainings`)" alone left to the diff."""
    def score(t) -> str:
        return "no score" if t.score is None else f"score {t.score}"

    gone = [t for t in old if t not in new]
    came = [t for t in new if t not in old]
    parts = []
    for t in came:
        prior = next((o for o in gone if o.guide == t.guide), None)
        if prior is None:
            parts.append(f"`{t.guide}` completed {t.completed.isoformat()}, {score(t)}")
            continue
        gone.remove(prior)
        what = [f"completed {prior.completed.isoformat()} → {t.completed.isoformat()}"
                if prior.completed != t.completed else "",
                "" if prior.score == t.score else f"score {prior.score} → {t.score}"
                if None not in (prior.score, t.score) else f"{score(prior)} → {score(t)}"]
        parts.append(f"`{t.guide}` {', '.join(w for w in what if w)}")
    parts += [f"`{t.guide}` of {t.completed.isoformat()} removed" for t in gone]
    return "; ".join(parts) or "reordered"


def _interaction_changes(old, new, values: bool = True) -> str:
    """`_fields` of a changed interaction, its ``cost`` from what to what ("`cost`: $120.00 →
    $12.00", none for no cost): a corrected cost can take a physician across the annual limit,
    which "(`cost`)" alone left to the diff. Unless ``values`` is false (a withheld record)."""
    def amount(v) -> str:
        return "none" if v is None else dollars(cents(v))

    def said(n: str) -> str:
        if n == "cost" and values:
            return f"`cost`: {amount(old.cost)} → {amount(new.cost)}"
        if n == "follow_ups" and values:
            return f"`follow_ups`: {_follow_up_changes(old.follow_ups, new.follow_ups)}"
        return f"`{n}`"

    return ", ".join(said(n) for n in _changed_fields(old, new))


def _follow_up_changes(old: list, new: list) -> str:
    """What became of an interaction's follow-ups, each by its task: “Send the card” done
    2026-12-02 (the daily edit: "(`follow_ups`)" alone did not say which one, nor that it was
    marked done rather than dropped), added (due …), removed, reopened, its due date or owner
    from what to what."""
    def key(f) -> str:
        return _same_name(f.task)

    was = {}
    for f in old:
        was.setdefault(key(f), f)
    parts, seen = [], set()
    for f in new:
        task = f"“{_esc(f.task)}”"
        prior = was.get(key(f))
        seen.add(key(f))
        if prior is None:
            parts.append(f"{task} added (due {f.due.isoformat()}"
                         + (f", done {f.done.isoformat()})" if f.done else ")"))
            continue
        what = []
        if prior.done != f.done:
            what.append("reopened" if f.done is None else
                        f"done {f.done.isoformat()}" if prior.done is None else
                        f"done {prior.done.isoformat()} → {f.done.isoformat()}")
        if prior.due != f.due:
            what.append(f"due {prior.due.isoformat()} → {f.due.isoformat()}")
        if prior.owner != f.owner:
            what.append(f"owner {'none' if prior.owner is None else f'`{prior.owner}`'} → "
                        f"{'none' if f.owner is None else f'`{f.owner}`'}")
        if what:
            parts.append(f"{task} {', '.join(what)}")
    parts += [f"“{_esc(f.task)}” removed" for f in old if key(f) not in seen]
    return "; ".join(parts) or "reordered"


def _by_id(before: dict, after: dict, known_before: set, known_after: set, same):
    """(added, changed, removed, not compared) ids. A file with errors holds no record: its
    id is 'not compared' in the head, and a record whose base file had errors is 'changed'."""
    bad_before = known_before - before.keys()
    bad_after = known_after - after.keys()
    added = sorted(after.keys() - before.keys() - bad_before)
    removed = sorted(before.keys() - after.keys() - bad_after)
    changed = sorted([k for k in before.keys() & after.keys() if not same(before[k], after[k])]
                     + [k for k in after.keys() & bad_before])
    broken = sorted(bad_after)
    return added, changed, removed, broken


def _kind_lines(title: str, added, changed, removed, broken, describe, renamed=()) -> list[str]:
    if not (added or changed or removed or broken or renamed):
        return []
    parts = [f"{len(xs):,} {word}" for xs, word in
             ((added, "added"), (renamed, "renamed"), (changed, "changed"), (removed, "removed"),
              (broken, "not compared (errors in the head)")) if xs]
    lines = [f"**{title}**: {', '.join(parts)}", ""]
    for ids, word in ((added, "Added"), (renamed, "Renamed"), (changed, "Changed"),
                      (removed, "Removed"), (broken, "Not compared")):
        lines += _capped([f"- {word}: {describe(word, i)}" for i in ids])
    return lines + [""]


def _renames(added: list, removed: list, before: dict, after: dict,
             same=lambda a, b: a == b) -> list[tuple[str, str]]:
    """(old id, new id) of the records whose file was renamed: a removed record and an added
    one that are the ``same``, or that have the same NPI (a physician renamed and edited at
    once). Taken out of ``added`` and ``removed``."""
    pairs = []
    for new in list(added):
        rec = after[new]
        npi = getattr(rec, "npi", None)
        old = next((r for r in removed if same(before[r], rec)
                    or (npi and getattr(before[r], "npi", None) == npi)), None)
        if old is not None:
            pairs.append((old, new))
            added.remove(new)
            removed.remove(old)
    return pairs


_ONE = {"Practices": "practice", "Physicians": "physician", "Team members": "team member"}


def _same_name(name: str) -> str:
    """A name as two people who mean the same name may write it: capitals, spaces, and an
    accented letter as one character or as a letter and an accent (a Mac's paste) alike."""
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


def _model_kind(title: str, before: dict, after: dict, kb: set, ka: set,
                hide=lambda which, rec: False, placed=lambda rec: "") -> list[str]:
    added, changed, removed, broken = _by_id(before, after, kb, ka, lambda a, b: a == b)
    renamed = _renames(added, removed, before, after)
    # A record added under a name another record of its kind has: the same physician (or
    # practice) added in two branches under two ids, which nothing else points out when it
    # has no NPI, and which splits their visits and referrals between two briefs.
    named: dict[str, list[str]] = {}
    if added:
        for rid, rec in after.items():
            named.setdefault(_same_name(rec.name), []).append(rid)

    def twice(rid) -> str:
        others = sorted(o for o in named.get(_same_name(after[rid].name), ()) if o != rid)
        if not others:
            return ""
        return (f" — the name of {', '.join(f'`{o}`' for o in others)} too: the same "
                f"{_ONE.get(title, 'record')} added twice?")

    def shown(which: str, rec) -> str:
        return WITHHELD if hide(which, rec) else _esc(rec.name)

    def describe(word, rid):
        if word == "Renamed":
            old, new = rid
            fields = _changed_fields(before[old], after[new])
            name = WITHHELD if hide("base", before[old]) else shown("head", after[new])
            changes = _field_changes(before[old], after[new], fields, name != WITHHELD)
            return f"`{old}` → `{new}` {name}" + (f" ({changes})" if fields else "")
        if word == "Removed":
            return f"`{rid}` {shown('base', before[rid])}"
        if word == "Not compared":
            return f"`{rid}`" + (f" {shown('base', before[rid])}" if rid in before else "")
        rec = after[rid]
        if word == "Changed" and rid in before:
            old = before[rid]
            fields = _changed_fields(old, rec)
            if hide("base", old) or hide("head", rec):
                name = WITHHELD
            else:
                name = (f"{_esc(old.name)} → {_esc(rec.name)}" if old.name != rec.name
                        else _esc(rec.name))
            return f"`{rid}` {name} ({_field_changes(old, rec, fields, name != WITHHELD)})"
        if word == "Changed":
            return f"`{rid}` {shown('head', rec)} (the base version had errors)"
        return f"`{rid}` {shown('head', rec)}{placed(rec)}{twice(rid)}"

    return _kind_lines(title, added, changed, removed, broken, describe, renamed)


def _placement(site, hide=None):
    """rec -> what a reviewer approves an added practice or physician for, after its name:
    " — at Riverbend Internal Medicine, liaison Theo Sandoval, tier `B`" (a physician: where,
    who is in charge, `derived.effective_liaison`, and the visit cadence), " — liaison Theo
    Sandoval" (a practice); "no liaison", "no tier" said as such. The name alone left them
    to the diff."""
    hide = hide or _hider_of_nothing

    def named(records: dict, rid) -> str:
        rec = records.get(rid)
        return f"`{_esc(rid)}`" if rec is None else _name_of(site, rec, rid, hide)

    def placed(rec) -> str:
        if rec is None or site is None:
            return ""
        liaison = (effective_liaison(rec, site.practices) if hasattr(rec, "practice")
                   else rec.liaison)
        who = "no liaison" if liaison is None else f"liaison {named(site.team, liaison)}"
        if not hasattr(rec, "practice"):
            return f" — {who}"
        tier = "no tier" if rec.tier is None else f"tier `{rec.tier}`"
        return f" — at {named(site.practices, rec.practice)}, {who}, {tier}"

    return placed



def _content_kind(title: str, before: dict, after: dict, kb: set, ka: set, value,
                  hide=lambda which, rec: False) -> list[str]:
    def same(a, b):
        return value(a) == value(b)

    added, changed, removed, broken = _by_id(before, after, kb, ka, same)
    renamed = _renames(added, removed, before, after, same)

    def describe(word, rid):
        if word == "Renamed":
            withheld = hide("base", before[rid[0]]) or hide("head", after[rid[1]])
            title = WITHHELD if withheld else _esc(after[rid[1]].meta.title)
            return f"`{rid[0]}` → `{rid[1]}` {title}"
        which = "base" if word in ("Removed", "Not compared") else "head"
        rec = before.get(rid) if which == "base" else after[rid]
        if rec is None:
            return f"`{rid}`"
        if hide(which, rec) or (word == "Changed" and hide("base", before.get(rid))):
            return f"`{rid}` {WITHHELD}"
        if word == "Changed" and rid in before and before[rid].meta.title != rec.meta.title:
            return f"`{rid}` {_esc(before[rid].meta.title)} → {_esc(rec.meta.title)}"
        return f"`{rid}` {_esc(rec.meta.title)}"

    return _kind_lines(title, added, changed, removed, broken, describe, renamed)


def _records_section(b, a, hide=None, broken: frozenset = frozenset(),
                     broken_base: frozenset = frozenset()) -> list[str]:
    hide = hide or _hider_of_nothing

    def which(name: str, rec) -> bool:  # "base" or "head" -> that revision's site
        return hide(b if name == "base" else a, rec)

    out = []
    out += _config_lines(b.config, a.config)
    placed = _placement(a, hide)
    for kind, title in (("practices", "Practices"), ("physicians", "Physicians"),
                        ("team", "Team members")):
        out += _model_kind(title, getattr(b, kind), getattr(a, kind),
                           b.known.get(kind, set()), a.known.get(kind, set()), which,
                           placed if kind != "team" else lambda rec: "")
    out += _interaction_lines(b, a, hide, broken, broken_base)
    out += _referral_lines(b, a, hide, broken, broken_base)
    out += _content_kind("Training guides", b.guides, a.guides, b.known.get("training", set()),
                         a.known.get("training", set()), lambda g: (g.meta, g.body), which)
    out += _content_kind("Presentation decks", b.decks, a.decks,
                         b.known.get("presentations", set()), a.known.get("presentations", set()),
                         lambda d: (d.meta, [s.source for s in d.slides]), which)
    return out


def _hider_of_nothing(site, rec) -> bool:
    return False


_hider_of_nothing.any = lambda paths: False


def _config_lines(old, new) -> list[str]:
    if old == new:
        return []
    if old is None or new is None:
        state = "has errors in the head" if new is None else "was fixed (it had errors in the base)"
        return [f"**Site settings** (`site.yaml`): {state}", ""]
    lines = []
    for name in type(new).model_fields:
        if getattr(old, name) == getattr(new, name):
            continue
        if name == "services":
            ob = {s.key: s for s in old.services}
            nb = {s.key: s for s in new.services}
            added = sorted(nb.keys() - ob.keys())
            removed = sorted(ob.keys() - nb.keys())
            changed = sorted(k for k in ob.keys() & nb.keys() if ob[k] != nb[k])
            for ids, word in ((added, "added"), (changed, "changed"), (removed, "removed")):
                if ids:
                    lines.append(f"- services {word}: " + ", ".join(f"`{k}`" for k in ids))
            if not (added or changed or removed):
                lines.append("- services: order changed")
        elif name == "tiers":
            keys = sorted(old.tiers.keys() | new.tiers.keys())
            moved = [f"{_esc(k)} {_days(old.tiers.get(k))} → {_days(new.tiers.get(k))}"
                     for k in keys if old.tiers.get(k) != new.tiers.get(k)]
            lines.append("- tiers (visit every … days): " + ", ".join(moved))
        elif name == "thresholds":
            moved = [f"{f} {getattr(old.thresholds, f)} → {getattr(new.thresholds, f)}"
                     for f in type(new.thresholds).model_fields
                     if getattr(old.thresholds, f) != getattr(new.thresholds, f)]
            lines.append("- thresholds: " + ", ".join(moved))
        elif name == "compliance" and old.compliance and new.compliance:
            lines.append(f"- compliance: annual_limit "  # as compliance/ writes it
                         f"{exact_dollars(old.compliance.annual_limit * 100)} → "
                         f"{exact_dollars(new.compliance.annual_limit * 100)}")
        elif getattr(old, name) is None or getattr(new, name) is None:
            # an optional setting (compliance, repository) set or taken out
            lines.append(f"- {name}: " + ("added" if getattr(old, name) is None else "removed"))
        else:
            lines.append(f"- {name}: " + _fields(_changed_fields(getattr(old, name),
                                                                 getattr(new, name))))
    return ["**Site settings** (`site.yaml`): changed", "", *lines, ""]


def _days(tier) -> str:
    return "—" if tier is None else str(tier.visit_every_days)


# --------------------------------------------------------------------------- interactions


def _interaction_lines(b, a, hide=_hider_of_nothing, broken: frozenset = frozenset(),
                       broken_base: frozenset = frozenset()) -> list[str]:
    """``broken``: the files with errors in the head, whose records it leaves out: a record
    of the base in one of them is "not compared", not "removed"; and a record of the head in
    a file with errors in the base (``broken_base``: a typo fixed) is not "added"."""
    def multiset(site):
        return Counter(rec.model_dump_json() for rec in site.interactions), {
            rec.model_dump_json(): rec for rec in site.interactions}

    old, old_recs = multiset(b)
    new, new_recs = multiset(a)
    removed_keys = sorted((old - new).elements())
    added_keys = sorted((new - old).elements())
    if not removed_keys and not added_keys:
        return []
    removed = [old_recs[k] for k in removed_keys]
    added = [new_recs[k] for k in added_keys]

    # An interaction edited in place shows as one removed and one added record with the same
    # date, liaison and type: pair those up as "changed".
    def key(rec):
        return (rec.date, rec.liaison, rec.type)

    pool = defaultdict(list)
    for rec in removed:
        pool[key(rec)].append(rec)
    changed, only_added = [], []
    for rec in added:
        if pool.get(key(rec)):
            changed.append((pool[key(rec)].pop(0), rec))
        else:
            only_added.append(rec)
    only_removed = [rec for recs in pool.values() for rec in recs]
    unread = [rec for rec in only_removed if b.src.get(id(rec), ("",))[0] in broken]
    if unread:
        only_removed = [rec for rec in only_removed if rec not in unread]
    fixed = [rec for rec in only_added if a.src.get(id(rec), ("",))[0] in broken_base]
    if fixed:
        only_added = [rec for rec in only_added if rec not in fixed]

    order = lambda rec: (rec.date, rec.liaison, rec.summary, rec.model_dump_json())  # noqa: E731
    only_added.sort(key=order)
    only_removed.sort(key=order)
    changed.sort(key=lambda pair: order(pair[1]))

    team = {**b.team, **a.team}
    member_site = {**{k: b for k in b.team}, **{k: a for k in a.team}}

    def line(rec, extra="", site=a):
        member = team.get(rec.liaison)
        who = (rec.liaison if member is None
               else WITHHELD if hide(member_site[rec.liaison], member) else _esc(member.name))
        summary = WITHHELD if hide(site, rec) else _esc(rec.summary)
        # what and where: a manager reads "a visit at Riverbend", not a summary alone
        places = [WITHHELD if hide(site, site.practices.get(p)) else
                  _esc(site.practices[p].name) if p in site.practices else f"`{p}`"
                  for p in practices_of(rec, site.physicians)]
        what = rec.type + (f" at {prose_list(places)}" if places else "")
        return f"- {rec.date.isoformat()} — {who} — {what} — {summary}{extra}"

    unread.sort(key=order)
    fixed.sort(key=order)
    parts = [f"{len(xs):,} {word}" for xs, word in
             ((only_added, "added"), (changed, "changed"), (only_removed, "removed"),
              (unread, "not compared (errors in the head)"),
              (fixed, "not compared (errors in the base)")) if xs]
    out = [f"**Interactions**: {', '.join(parts)} ({len(b.interactions):,} → "
           f"{len(a.interactions):,} records)", ""]
    if only_added:
        out += ["Added:", ""] + _capped([line(r) for r in only_added]) + [""]
    if changed:
        out += ["Changed:", ""] + _capped(
            [line(new, f" ({_interaction_changes(old, new, not (hide(b, old) or hide(a, new)))})",
                  b if hide(b, old) else a) for old, new in changed]
        ) + [""]
    if only_removed:
        out += ["Removed:", ""] + _capped([line(r, site=b) for r in only_removed]) + [""]
    if unread:
        out += ["Not compared (its file has errors in the head):", ""] + _capped(
            [line(r, site=b) for r in unread]) + [""]
    if fixed:
        out += ["Not compared (its file had errors in the base):", ""] + _capped(
            [line(r) for r in fixed]) + [""]
    return out


# --------------------------------------------------------------------------- referrals


def _referral_key(row) -> tuple:
    return (row.date, row.source, row.physician or "", row.service, row.status,
            row.taken_by or "", row.declined_reason or "")


def _status_moves(gained: Counter, lost: Counter) -> Counter:
    """(status before, status after) -> how many referrals, pairing each referral ``lost``
    with one ``gained`` that differs from it only in its status (keys: date, source,
    physician, service, status; the earliest stages paired first)."""
    moves = Counter()
    left = Counter(gained)
    for k in sorted(lost, key=lambda k: (STATUSES.index(k[4]), k)):
        n = lost[k]
        for now in STATUSES:
            other = k[:4] + (now,)
            if now == k[4] or not left[other] or not n:
                continue
            paired = min(n, left[other])
            moves[k[4], now] += paired
            left[other] -= paired
            n -= paired
    return moves


def _referral_lines(b, a, hide=_hider_of_nothing, broken: frozenset = frozenset(),
                    broken_base: frozenset = frozenset()) -> list[str]:
    """``broken`` (``broken_base``): the files with errors in the head (the base), whose
    rows with errors it leaves out: the rows of such a file are compared in neither revision
    (a row with a typo showed as a referral removed, and the fix as one added)."""
    paths = {row.path for site in (b, a) for row in site.referrals}
    unread = sorted(paths & broken)
    unread_base = sorted(paths & broken_base - broken)
    broken = broken | broken_base

    def sums(site):
        total = Counter()
        for row in site.referrals:
            if row.path not in broken:
                total[_referral_key(row)] += row.count
        return total

    def rows(site):
        return Counter(_referral_key(row) + (row.count,) for row in site.referrals
                       if row.path not in broken)

    old, new = sums(b), sums(a)
    delta = {k: new[k] - old[k] for k in old.keys() | new.keys() if new[k] != old[k]}
    old_rows, new_rows = rows(b), rows(a)
    rows_added = sum((new_rows - old_rows).values())
    rows_removed = sum((old_rows - new_rows).values())
    note = []
    for files, where in ((unread, "the head"), (unread_base, "the base")):
        if files:
            note += [f"Referral rows of a file with errors in {where} are not compared: "
                     f"{', '.join(f'`{_esc(p)}`' for p in files[:LIST_CAP])}"
                     + (f" and {len(files) - LIST_CAP} more" if len(files) > LIST_CAP else ""),
                     ""]
    if not delta and not rows_added and not rows_removed:
        return note
    plus = sum(d for d in delta.values() if d > 0)
    minus = -sum(d for d in delta.values() if d < 0)
    out = [f"**Referrals**: {_plural(rows_added, 'row')} added, {rows_removed:,} removed "
           f"({len(b.referrals):,} → {len(a.referrals):,} rows); "
           f"referrals +{plus:,} / -{minus:,} "
           f"({sum(old.values()):,} → {sum(new.values()):,})", ""]
    if not delta:
        out += ["The rows were regrouped; the referrals they stand for are the same.", ""]
        return out + note
    # Referrals that only gained or changed taken_by or declined_reason (a site written for
    # the first edition, annotated): a removal and an addition alike in everything else.
    gained, lost = Counter(), Counter()
    for k, d in delta.items():
        (gained if d > 0 else lost)[k[:5]] += abs(d)
    annotated = sum(min(gained[k], lost[k]) for k in gained.keys() & lost.keys())
    if annotated:
        out += [f"Of these, {_plural(annotated, 'referral')} removed and added again "
                f"{'is the same one' if annotated == 1 else 'are the same ones'} with "
                "`taken_by` or `declined_reason` added or changed.", ""]
    # Referrals whose status moved (the coordinator marking one scheduled, consulted, treated
    # or declined, the daily edit of a referral row): of the rest, a removal and an addition
    # alike in date, source, physician and service; they read as rows removed and added alone.
    moved = _status_moves(gained - lost, lost - gained)
    if moved:
        count = sum(moved.values())
        out += [f"Of these, {_plural(count, 'referral')} removed and added again "
                f"{'is the same one with its' if count == 1 else 'are the same ones with their'} `status` "
                "changed: " + ", ".join(f"{was} → {now} {n:,}" for (was, now), n in sorted(
                    moved.items(), key=lambda item: (STATUSES.index(item[0][0]),
                                                     STATUSES.index(item[0][1])))) + ".", ""]
    keys = sorted(delta)
    # a referral file the guard flags: its values are not shown, only counts by month
    flagged = hide.any({row.path for site in (b, a) for row in site.referrals})
    if len(keys) <= REFERRAL_ROWS_SHOWN and not flagged:
        out += ["| date | source | physician | service | status | taken by | declined reason | change |",
                "|---|---|---|---|---|---|---|---:|"]
        for k in keys:
            date, source, doc, service, status, taken_by, reason = k
            out.append(f"| {date.isoformat()} | {source} | {doc or '—'} | {service} | {status} "
                       f"| {taken_by or '—'} | {reason or '—'} | {delta[k]:+,d} |")
        out.append("")
    else:
        months = defaultdict(lambda: [0, 0])
        for k, d in delta.items():
            months[k[0].strftime("%Y-%m")][0 if d > 0 else 1] += abs(d)
        names = sorted(months)
        out += ["| month | added | removed |", "|---|---:|---:|"]
        out += [f"| {m} | +{months[m][0]:,} | -{months[m][1]:,} |" for m in names[:MONTHS_SHOWN]]
        if len(names) > MONTHS_SHOWN:
            out.append(f"| … and {_plural(len(names) - MONTHS_SHOWN, 'more month')} | | |")
        out.append("")
    return out + note


# --------------------------------------------------------------------------- statistics


def _fmt_total(name: str, value) -> str:
    if value is None:
        return "—"
    if name == "source_capture_rate_365d":  # "88.9%", as the site's pages write it
        return rate(value)
    if name == "spend_ytd_cents":
        return dollars(value)
    if name == "rov_365d":  # "28 visits: 132 → 62", physician referrals before → after
        return f"{value.visits:,} visits: {value.before:,} → {value.after:,}"
    return number(value)  # "1,302", as the pages write a count


def _fmt_change(name: str, old, new) -> str:
    if old is None or new is None:
        return "—"
    if name == "source_capture_rate_365d":  # "-4.7 pts": one decimal, as the rates
        points = ((Decimal(repr(new)) - Decimal(repr(old))) * 100).quantize(Decimal("0.1"),
                                                                             ROUND_HALF_UP)
        return f"{points:+} pts"
    if name == "spend_ytd_cents":
        d = new - old
        return ("+" if d >= 0 else "-") + dollars(abs(d))
    if name == "rov_365d":
        return (f"visits {new.visits - old.visits:+,d}, before {new.before - old.before:+,d}, "
                f"after {new.after - old.after:+,d}")
    return f"{new - old:+,d}"


def _flag(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _stats_section(before, after, hide=_hider_of_nothing) -> list[str]:
    if not after.ok or not before.ok:
        which = [w for w, c in (("base", before), ("head", after)) if not c.ok]
        n = {w: len(c.report.errors) for w, c in (("base", before), ("head", after))}
        why = " and ".join(f"the {w} has {_plural(n[w], 'error')}" for w in which)
        return [f"The statistics could not be computed: {why}.", ""]
    sb, sa = before.stats, after.stats
    out = []
    rows = []
    for name, label in TOTALS:
        source_b, source_a = (sb, sa) if name == "source_capture_rate_365d" else (sb.totals, sa.totals)
        old, new = getattr(source_b, name, None), getattr(source_a, name, None)
        if old != new:
            rows.append(f"| {label} | {_fmt_total(name, old)} | {_fmt_total(name, new)} "
                        f"| {_fmt_change(name, old, new)} |")
    if rows:
        out += ["| statistic | before | after | change |", "|---|---:|---:|---:|", *rows, ""]
    else:
        out += ["No total moved.", ""]

    site = after.site
    moved = []
    for pid in sorted(sb.physicians.keys() & sa.physicians.keys()):
        old, new = sb.physicians[pid].as_dict(), sa.physicians[pid].as_dict()
        for field, label in _FLAGS:
            if old[field] != new[field]:
                name = _name_of(site, site.physicians.get(pid), pid, hide)
                moved.append(f"| {name} (`{pid}`) | {label} | {_flag(old[field])} "
                             f"| {_flag(new[field])} |")
        # a move takes their referrals to the new practice's figures (SPEC §4: a practice's
        # are its physicians'), which no total shows
        was, now = before.site.physicians.get(pid), site.physicians.get(pid)
        if was is not None and now is not None and was.practice != now.practice:
            name = _name_of(site, now, pid, hide)
            n = sa.physicians[pid].referrals_365d
            moved.append(f"| {name} (`{pid}`) | practice, with their {n:,} referrals of 365 days "
                         f"| {_practice_name(before, was.practice, hide)} "
                         f"| {_practice_name(after, now.practice, hide)} |")
    if moved:
        out += ["Physicians whose status, alerts or practice changed:", "",
                "| physician | what | before | after |", "|---|---|---|---|"]
        out += moved[:LIST_CAP]
        if len(moved) > LIST_CAP:
            out.append(f"| … and {len(moved) - LIST_CAP} more | | | |")
        out.append("")
    return out + _liaison_lines(before, after, hide)


def _name_of(site, rec, rid: str, hide=_hider_of_nothing) -> str:
    """A record's name as the summary shows it: its id when the revision has no such record,
    WITHHELD when the patient guard flags it."""
    return _esc(rid) if rec is None else WITHHELD if hide(site, rec) else _esc(rec.name)


def _practice_name(checked, pid: str, hide=_hider_of_nothing) -> str:
    rec = checked.site.practices.get(pid)
    return (f"`{_esc(pid)}`" if rec is None else WITHHELD if hide(checked.site, rec)
            else _esc(rec.name))


def _still_owned(checked, tid: str) -> dict[str, int]:
    """What ``tid``, no liaison in a revision (one who left the role), still has there:
    ``derived.still_theirs``."""
    return still_theirs(checked.site, checked.stats, tid)


def _liaison_lines(before, after, hide=_hider_of_nothing) -> list[str]:
    """The liaisons whose physicians or follow-ups moved (a hand-over, a new liaison, one who
    left), each figure before and after ("—": not a liaison in that revision). A liaison who
    left the role but is still the liaison of physicians or owns open follow-ups shows them,
    with what to do, not "—"."""
    lb, la = before.stats.liaisons, after.stats.liaisons
    rows = []
    for tid in sorted(lb.keys() | la.keys()):
        site = after.site if tid in after.site.team else before.site
        name = _name_of(site, site.team.get(tid), tid, hide)
        kept = (_still_owned(after, tid) if tid in lb and tid not in la and tid in after.site.team
                else {})
        for field, label in _LIAISON_FIGURES:
            old = getattr(lb[tid], field) if tid in lb else None
            new = getattr(la[tid], field) if tid in la else None
            shown = "—" if new is None else number(new)
            if kept.get(field) or field == "referrals_365d" and kept.get("physicians"):
                new = kept[field]
                shown = f"{number(new)} (no liaison now: {_HAND_OVER[field]})"
            if (old != new or field in kept and new) and (old or new):
                rows.append(f"| {name} (`{tid}`) | {label} | {'—' if old is None else number(old)} "
                            f"| {shown} |")
    rows += _not_liaison_rows(before, after, hide)
    if not rows:
        return []
    out = ["Liaisons whose physicians, referrals or follow-ups moved:", "",
           "| liaison | what | before | after |", "|---|---|---|---|", *rows[:LIST_CAP]]
    if len(rows) > LIST_CAP:
        out.append(f"| … and {len(rows) - LIST_CAP} more | | | |")
    return out + [""]


def _not_liaison_rows(before, after, hide=_hider_of_nothing) -> list[str]:
    """The team members no liaison in either revision whose physicians moved: a hand-over
    or a new practice given to the front desk or a manager (a mistyped id of the right
    person), which the statistics count for no one. Theo's 14 → 2 physicians read as twelve
    gone nowhere. Their physicians and referrals as ``derived.physicians_still_theirs``
    counts them, with their role."""
    lb, la = before.stats.liaisons, after.stats.liaisons
    held = {s.liaison for checked in (before, after) for s in checked.stats.physicians.values()}
    rows = []
    for tid in sorted(t for t in held - lb.keys() - la.keys() if t is not None):
        old = physicians_still_theirs(before.stats, tid)
        new = physicians_still_theirs(after.stats, tid)
        if old == new:
            continue
        site = after.site if tid in after.site.team else before.site
        member = site.team.get(tid)
        name = _name_of(site, member, tid, hide)
        role = f"role {member.role}" if member is not None else "not on the team"
        for field, label in _LIAISON_FIGURES[:2]:
            if old[field] != new[field]:
                rows.append(f"| {name} (`{tid}`) | {label} | {number(old[field])} "
                            f"| {number(new[field])} (not a liaison: {role}) |")
    return rows


# --------------------------------------------------------------------------- validation


def _counts(checked) -> str:
    return (f"{_plural(len(checked.report.errors), 'error')}, "
            f"{_plural(len(checked.report.warnings), 'warning')}")


def _validation_section(before, after) -> list[str]:
    verdict = "passes" if after.ok else "fails"
    out = [f"The head {verdict}: **{_counts(after)}** (base: {_counts(before)}).", ""]
    # Only what the change brought is listed: the base's warnings (four, say, of a cost over
    # the limit) were listed again in every pull request's summary, as if each had caused
    # them. A problem is the base's when its file has one with the same message (lines move).
    def key(d) -> tuple:
        return (d.path, d.severity, d.message)

    had = Counter(key(d) for d in before.report.diagnostics)
    new = []
    for d in after.report.errors + after.report.warnings:
        if had[key(d)]:
            had[key(d)] -= 1
        else:
            new.append(d)
    old = len(after.report.diagnostics) - len(new)
    fixed = sum(had.values())
    shown = new[:DIAGNOSTICS_SHOWN]
    if shown:
        text = [d.text() for d in shown]
        fence = "```"
        while any(fence in t for t in text):
            fence += "`"
        out += [f"New in the head: {_plural(len(new), 'problem')}.", "", fence + "text", *text,
                fence]
        rest = len(new) - len(shown)
        if rest > 0:
            out.append(f"… and {rest} more (run `validate` to see them all)")
        out.append("")
    if old or fixed:
        parts = ([f"{old:,} of the base's problems still there (not listed again: "
                  "`validate` lists them)"] if old else []) + ([f"{fixed:,} of the base's fixed"]
                                                               if fixed else [])
        out += ["; ".join(parts) + ".", ""]
    # what validate says after many lines: the likely causes (a deleted or renamed record that
    # others name), with what to do
    if len(after.report.diagnostics) > SUMMARY_THRESHOLD and after.site is not None:
        causes = summarize_report(after.report.diagnostics, after.site.root).cause_lines()
        if causes:
            out += [f"> {_esc(line)}" for line in causes] + [""]
    return out
