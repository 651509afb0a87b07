"""Physician and practice briefs (``physicians/<id>/``, ``practices/<id>/``): what a liaison
reads before walking in: who, where, the referral history and trend, alerts, the last
interactions, open follow-ups and talking points."""
from __future__ import annotations

import datetime as dt

from liaison import charts
from liaison.derived import month_label
from liaison.pages.base import (
    MONTHS_CHARTED, RECENT, Page, PageKind, ago, deck_href, physician_href, practice_href,
)
from liaison.pages.rows import alerts_for, physician_row, practice_row, talking_points
from liaison.pages.view import SiteView


def _decks(view: SiteView, practice: str) -> list[dict]:
    return [{"title": view.site.decks[k].meta.title, "href": deck_href(k, practice)}
            for k in view.decks_for_practice.get(practice, [])]


def physician(view: SiteView, page: Page) -> dict:
    pid = page.key
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    interactions = view.by_doc.get(pid, [])
    months = view.months()
    return {
        **view.common(page, "physicians", d.name),
        "physician": d, "stats": s, "row": physician_row(view, pid),
        "notes_html": view.md.note(d.notes),
        "practice": view.practice_ref(d.practice),
        "practice_record": view.site.practices.get(d.practice),
        "office_days": ", ".join(day.capitalize() for day in d.office_days),
        "alerts": alerts_for(view, pid),
        "d90": view.change(s.referrals_90d, s.referrals_prev_90d),
        "d365": view.change(s.referrals_365d, s.referrals_prev_365d),
        "last_referral_ago": ago(s.days_since_referral),
        "last_visit_ago": ago((view.as_of - dt.date.fromisoformat(s.last_visit)).days) if s.last_visit else "never",
        "chart": view.chart(charts.bar_chart, [month_label(m) for m in months],
                     view.doc_series.get(pid, [0] * MONTHS_CHARTED),
                     title=f"Referrals from {d.name} per month, last 24 months"),
        "recent": [view.interaction(r) for r in interactions[:RECENT]],
        "more": max(0, len(interactions) - RECENT),
        "follow_ups": [view.follow_up(*t) for t in view.fu_by_doc.get(pid, [])],
        "points": talking_points(view, [pid], interactions),
        "decks": _decks(view, d.practice),
    }


def practice(view: SiteView, page: Page) -> dict:
    pid = page.key
    p = view.site.practices[pid]
    s = view.stats.practices[pid]
    docs = view.docs_of_practice.get(pid, [])
    series = [0] * MONTHS_CHARTED
    for d in docs:
        for i, n in enumerate(view.doc_series.get(d, ())):
            series[i] += n
    interactions = view.by_practice.get(pid, [])
    months = view.months()
    alerts = [{**a, "text": f"{view.site.physicians[d].name}: {a['text']}"}
              for d in docs for a in alerts_for(view, d)]
    return {
        **view.common(page, "practices", p.name),
        "practice": p, "stats": s, "row": practice_row(view, pid),
        "notes_html": view.md.note(p.notes),
        "doctors": [{**physician_row(view, d),
                     "office_days": ", ".join(x.capitalize() for x in view.site.physicians[d].office_days)}
                    for d in docs],
        "d365": view.change(s.referrals_365d, s.referrals_prev_365d),
        "last_contact_ago": ago((view.as_of - dt.date.fromisoformat(s.last_contact)).days) if s.last_contact else "never",
        "chart": view.chart(charts.bar_chart, [month_label(m) for m in months], series,
                     title=f"Referrals from {p.name} per month, last 24 months"),
        "alerts": alerts,
        "recent": [view.interaction(r) for r in interactions[:RECENT]],
        "more": max(0, len(interactions) - RECENT),
        "follow_ups": [view.follow_up(*t) for t in view.fu_by_practice.get(pid, [])],
        "points": talking_points(view, docs, interactions),
        "decks": _decks(view, pid),
    }


BRIEF_READS = ("physicians", "practices", "team", "interactions", "referrals", "decks",
               "site.services", "site.tiers")

KINDS = [
    PageKind("practice", "practice.html", "practices",
             lambda view: [Page(practice_href(p), "practice.html", "practice", p)
                           for p in sorted(view.site.practices)],
             practice, reads=BRIEF_READS + ("stats.practices", "stats.physicians"),
             variables=("practice", "stats", "row", "notes_html", "doctors", "d365",
                        "last_contact_ago", "chart", "alerts", "recent", "more", "follow_ups",
                        "points", "decks"),
             url="practices/<practice>/"),
    PageKind("physician", "physician.html", "physicians",
             lambda view: [Page(physician_href(p), "physician.html", "physician", p)
                           for p in sorted(view.site.physicians)],
             physician, reads=BRIEF_READS + ("stats.physicians",),
             variables=("physician", "stats", "row", "notes_html", "practice", "practice_record",
                        "office_days", "alerts", "d90", "d365", "last_referral_ago",
                        "last_visit_ago", "chart", "recent", "more", "follow_ups", "points",
                        "decks"),
             url="physicians/<physician>/"),
]
