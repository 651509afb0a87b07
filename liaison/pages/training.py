"""Training (``training/``: the guides and the competency matrix; ``training/<id>/``: one
guide with its table of contents)."""
from __future__ import annotations

import re

from liaison.content import GUIDE_FILE, GUIDE_LINK, REFERENCE, outside_code
from liaison.decks import image_refs, local_images, picture_file, read_image
from liaison.derived import (RENEWAL_NOTICE_DAYS, latest_trainings, renewal_due,
                             renewal_due_soon, training_expired)
from liaison.names import sort_key
from liaison.pages.base import Page, PageKind, guide_href, guide_order, member_href, one_page
from liaison.pages.view import SiteView


MEDIA = "_media"  # a guide's images, beside its page (no guide id has "_")
FRONT_DESK_AUDIENCES = ("front-desk", "all")  # the guides the front desk takes


def guide_rows(view: SiteView) -> list[dict]:
    guides = sorted(view.site.guides.values(), key=lambda g: guide_order(g.id, g))
    return [{"id": g.id, "title": g.meta.title, "audience": g.meta.audience,
             "summary": g.meta.summary or "", "href": guide_href(g.id),
             "renew": g.meta.renew_every_days,
             "front_desk": g.meta.audience in FRONT_DESK_AUDIENCES} for g in guides]


def _cell(guide: dict, member, latest: dict, as_of) -> dict:
    t = latest.get(guide["id"])
    if guide["audience"] not in ("all", member.role):  # not for their role: what they took
        return {"state": "n/a"} if t is None else {  # all the same (a manager, a stand-in)
            "state": "n/a", "date": t.completed.isoformat(), "score": t.score}
    if t is None:
        return {"state": "missing"}
    if training_expired(t.completed, guide["renew"], as_of):  # the day it lapsed, and when taken
        return {"state": "expired", "date": t.completed.isoformat(), "score": t.score,
                "due": renewal_due(t.completed, guide["renew"]).isoformat()}
    due = renewal_due(t.completed, guide["renew"])  # the last day it is current, if it renews
    soon = renewal_due_soon(t.completed, guide["renew"], as_of)
    # a renewal already written with a date after the as-of date (a session booked ahead)
    ahead = min((x.completed for x in member.trainings
                 if soon and x.guide == guide["id"] and x.completed > as_of), default=None)
    return {"state": "completed", "date": t.completed.isoformat(), "score": t.score,
            "due": due.isoformat() if due else None, "due_soon": soon,
            "ahead": ahead.isoformat() if ahead else None}


def front_desk_guides(guides: list[dict]) -> list[dict]:
    """The guides the front desk takes (its column of the matrix): those for the front desk
    and those for all."""
    return [g for g in guides if g["front_desk"]]


def matrix_row(view: SiteView, tid: str, guides: list[dict]) -> dict:
    """One team member's row of the competency matrix: a cell per guide (completed with its
    date and score, expired, missing, or n/a when the guide is not for their role, with the
    date and score of their latest training of it if they took it all the same), at the as-of
    date: a training dated after it is not taken yet (``validate`` warns of it)."""
    m = view.site.team[tid]
    latest = latest_trainings(m.trainings, view.as_of)
    return {"name": m.name, "href": member_href(tid), "role": m.role,
            "cells": [_cell(g, m, latest, view.as_of) for g in guides]}


def renewals(matrix: list[dict], guides: list[dict]) -> list[dict]:
    """The trainings of the matrix due for renewal within RENEWAL_NOTICE_DAYS of the as-of
    date (current, of a guide for the member's role), soonest first, then in the matrix's
    order (by last name) and the guides' order: who should take which guide again, by when,
    and the date of a renewal already written for after the as-of date (``ahead``)."""
    due = [{"name": row["name"], "href": row["href"], "role": row["role"], "guide": g["title"],
            "guide_href": g["href"], "due": c["due"], "date": c["date"], "score": c["score"],
            "ahead": c["ahead"]}
           for row in matrix for g, c in zip(guides, row["cells"]) if c.get("due_soon")]
    return sorted(due, key=lambda r: r["due"])  # stable: the matrix's order within a day


def training(view: SiteView, page: Page) -> dict:
    guides = guide_rows(view)
    team = view.site.team
    matrix = [{**matrix_row(view, tid, guides), "sort_name": sort_key(team[tid].name)}
              for tid in sorted(team, key=lambda t: (sort_key(team[t].name), t))]  # by last name
    states = [c["state"] for row in matrix for c in row["cells"]]
    return {**view.common(page, "training", "Training"), "guides": guides, "matrix": matrix,
            "capture": view.stats.source_capture_rate_365d,
            "gaps": {"missing": states.count("missing"), "expired": states.count("expired")},
            "renewals": renewals(matrix, guides), "renewal_days": RENEWAL_NOTICE_DAYS,
            "renewing": any(g["renew"] for g in guides)}


def guide(view: SiteView, page: Page) -> dict:
    g = view.site.guides[page.key]
    html, toc = view.md.document(guide_links(local_images(g.body, f"{MEDIA}/", html=True), view.site.guides))
    return {**view.common(page, "training", g.meta.title), "guide": g, "html": html, "toc": toc,
            # beside a guide the front desk takes only, as on the training index
            "capture": view.stats.source_capture_rate_365d if g.meta.audience in FRONT_DESK_AUDIENCES else None}


def guide_links(markdown: str, guides) -> str:
    """``markdown`` with each link to another guide's file (``other.md``, as GitHub follows it
    in the pull request; inline or a reference's definition, ``[label]: other.md``) made a link
    to that guide's page; a link to a file that is no guide is left as it is (``validate``
    warns of it)."""
    def page(m: re.Match) -> str | None:  # the guide page a destination opens, or None
        file = GUIDE_FILE.fullmatch(m.group("dest").strip())
        return f"../{file.group('id')}/index.html{file.group('part') or ''}" \
            if file and file.group("id") in guides else None

    def definition(m: re.Match) -> str:
        to = page(m)
        indent = m.group(0)[:m.group(0).index("[")]
        return m.group(0) if to is None else f"{indent}[{m.group('label')}]: {to}{m.group('title') or ''}"

    return outside_code(markdown, lambda text: REFERENCE.sub(definition, GUIDE_LINK.sub(
        lambda m: m.group(0) if m.group("id") not in guides else
        f"[{m.group('text')}](../{m.group('id')}/index.html{m.group('part') or ''}"
        f"{m.group('title') or ''})", text)))


def images_beside(view: SiteView, page: Page) -> dict:
    """A guide's images (paths beneath content/training/ that validate accepted), in the
    ``_media/`` folder beside its page: path -> maker (None for one that cannot be read)."""
    folder, out = page.path.rsplit("/", 1)[0], {}
    for _k, _col, path in image_refs(view.site.guides[page.key].body, html=True):
        out[f"{folder}/{MEDIA}/{picture_file(path)}"] = \
            lambda path=path: read_image(view.site.root, path, "training")
    return out


KINDS = [
    PageKind("training", "training.html", "training",
             one_page("training/index.html", "training.html", "training"),
             training, reads=("guides", "team", "stats.source_capture_rate_365d"),
             variables=("guides", "matrix", "capture", "gaps", "renewals", "renewal_days", "renewing"), nav=("Training", "training/index.html"),
             url="training/"),
    PageKind("guide", "guide.html", "training",
             lambda view: [Page(guide_href(g), "guide.html", "guide", g) for g in sorted(view.site.guides)],
             guide, reads=("guides", "stats.source_capture_rate_365d"),
             variables=("guide", "html", "toc", "capture"), files_beside=images_beside,
             url="training/<guide>/"),
]
