"""Site-wide search (SPEC §6): the index that ``search/index.js`` ships, built with the site.

Every physician, practice, office staff member, team member, training guide and deck is one
entry: a *name* (what an exact match ranks first), cut into ``words`` (all of them: "Anh Do"
is found by "do"), and *info* (NPI, specialty, practice, city, tier, status, tags, role, an
office's phone, …), cut into ``terms``. The browser's search code
(``liaison/static/search.js``) cuts a query the same way, finds the terms it matches (exactly,
as a prefix, or within one or two typos) and the entries that hold one of them for every word
of the query.

``words``, ``terms`` and their JavaScript twins must agree: lower case, accents and other
marks dropped, apostrophes dropped ("O'Brien" is "obrien"), split at anything but a letter or
a digit; ``terms`` also leaves out titles and credentials ("Dr.", "MD", "PA-C") and writes
"tier A" as the one term "tiera". A query is cut into ``terms`` (its ``words`` when it holds
nothing but titles: "do" looks for Dr. Do).

The index is a script of a few long strings (what a browser parses fastest, and from disk:
no fetch of a file:// URL): at 10,000 physicians it loads in a fraction of what a parsed
object of 23,000 entries and their postings would take. See ``index_js`` for its layout.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from liaison.names import APOSTROPHES, LETTERS, fold, sort_key
from liaison.pages.base import deck_href, guide_href, member_href, physician_href, practice_href
from liaison.pages.briefs import tel_href
from liaison.wording import role_name

# Words a query may hold that name no one: titles and credentials (SPEC §6: "tolerant of
# titles"). The same set is in search.js (TITLES).
TITLES = frozenset((
    "dr", "drs", "doctor", "prof", "professor", "mr", "mrs", "ms", "mx", "md", "do", "dds",
    "dmd", "dpm", "dc", "od", "phd", "np", "pa", "pac", "aprn", "fnp", "crnp", "rn", "lpn",
    "mbbs", "facs", "facp", "jr", "sr",
))
_WORD = re.compile(r"[^\W_]+")
# apostrophes dropped, and letters NFKD leaves whole spelled plainly: one table for search,
# sorting and ids (liaison.names)
_APOSTROPHES = APOSTROPHES
_LETTERS = str.maketrans(LETTERS)
TIER = "tier"

# Kinds of entry, in the order results of equal rank are shown; their numbers are what
# search/index.js stores, their labels what the results show. Staff link to their practice.
KINDS = ("physician", "practice", "staff", "member", "guide", "deck")
PEOPLE = ("physician", "staff", "member")  # listed by last name among results of equal rank
LABELS = {"physician": "Physician", "practice": "Practice", "staff": "Office staff",
          "member": "Team member", "guide": "Training guide", "deck": "Presentation"}
PLURALS = {"physician": "physicians", "practice": "practices", "staff": "office staff",
           "member": "team members", "guide": "training guides", "deck": "presentations"}
# Where each kind's entry links, with "{}" for its id (the URL scheme of liaison.pages.base).
HREFS = {"physician": physician_href("{}"), "practice": practice_href("{}"),
         "staff": practice_href("{}"), "member": member_href("{}"), "guide": guide_href("{}"),
         "deck": deck_href("{}")}
GLOBAL = "LIAISON_SEARCH"  # the global that search/index.js assigns


@lru_cache(maxsize=65536)
def words(text: str | None) -> tuple[str, ...]:
    """Text -> its words: apostrophes dropped, lower case, accents and other marks dropped
    (and ``LETTERS`` spelled out), split at anything that is not a letter or a digit."""
    if not text:
        return ()
    text = _APOSTROPHES.sub("", text).lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.category(c).startswith("M")).translate(_LETTERS)
    return tuple(_WORD.findall(text))


@lru_cache(maxsize=65536)
def terms(text: str | None) -> tuple[str, ...]:
    """The search terms of a text: its ``words`` without titles and credentials ("PA-C" is
    one), "tier" and the word after it joined ("tier a" -> "tiera")."""
    out: list[str] = []
    ws = words(text)
    i = 0
    while i < len(ws):
        w = ws[i]
        if w == "pa" and i + 1 < len(ws) and ws[i + 1] == "c":
            i += 2
            continue
        if w == TIER and i + 1 < len(ws):
            out.append(TIER + ws[i + 1])
            i += 2
            continue
        if w not in TITLES:
            out.append(w)
        i += 1
    return tuple(out)


def phone_term(phone: str | None) -> str | None:
    """The term of a phone or fax number: its digits as its ``tel:`` link dials them (not
    the extension it dials after a pause), without the country code 1 of a ten-digit number ("(360) 555-0111" and
    "+1 360.555.0111" -> "3605550111"); None without digits. search.js joins a query's groups
    of digits the same way."""
    digits = tel_href(phone)[len("tel:"):].split(",")[0].lstrip("+") if phone else ""
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits or None


def tier_term(tier: str | None) -> str | None:
    """The term of a physician's tier ("A" -> "tiera"), None without one."""
    ws = words(tier)
    return TIER + "".join(ws) if ws else None


# What a guide or a deck is, as someone looking for one types it ("training", "guides",
# "vein deck"); not the other kinds: "office" would make every staff member an office manager.
KIND_TERMS = {"guide": terms(LABELS["guide"]), "deck": terms(LABELS["deck"]) + ("deck",)}


@dataclass(frozen=True)
class Entry:
    """One search result to be: its kind (of ``KINDS``), the id its link is made of, its
    name, the parts of its line of context ("Cardiology", "Green Falls", "tier A"), and the
    terms of its name and of its info."""

    kind: str
    key: str
    name: str
    context: tuple[str, ...]
    name_terms: tuple[str, ...]
    info_terms: tuple[str, ...]


def _parts(*parts) -> tuple[str, ...]:
    return tuple(p for p in parts if p)


def _info(*texts) -> tuple[str, ...]:
    out: list[str] = []
    for t in texts:
        for x in (t if isinstance(t, (list, tuple)) else (t,)):
            out += terms(x)
    return tuple(out)


def entries(view) -> list[Entry]:
    """Every entry of a site's search index, by kind (in the order of ``KINDS``), then by
    name (then id): search.js breaks ties between equal scores by this order."""
    site, stats = view.site, view.stats
    out: list[Entry] = []
    for pid in sorted(site.physicians):
        d = site.physicians[pid]
        s = stats.physicians[pid]
        p = site.practices.get(d.practice)
        place = p.name if p else d.practice
        city = p.city if p else None
        declining = "declining" if s.declining else None
        out.append(Entry(
            "physician", pid, d.name,
            _parts(d.credentials, d.specialty, place, city, d.tier and f"tier {d.tier}",
                   s.status, declining),
            words(d.name),
            _info(d.specialty, place, city, s.status, declining, d.tags, d.interests)
            + _parts(tier_term(d.tier), d.npi)))  # (not d.phone: liaison.incremental OWN_FIELDS)
    for pid in sorted(site.practices):
        p = site.practices[pid]
        n = len(view.docs_of_practice.get(pid, ()))
        out.append(Entry(
            "practice", pid, p.name,
            _parts(", ".join(_parts(p.city, p.state)), f"{n} physician{'s' if n != 1 else ''}",
                   ", ".join(p.tags)),
            words(p.name), _info(p.city, p.state, p.zip, p.tags)
            + _parts(phone_term(p.phone), phone_term(p.fax))))
    for pid in sorted(site.practices):
        p = site.practices[pid]
        for person in p.staff:
            out.append(Entry("staff", pid, person.name, _parts(person.role, p.name, p.city),
                             words(person.name), _info(person.role, p.name, p.city)
                             + _parts(phone_term(person.phone))))
    for tid in sorted(site.team):
        m = site.team[tid]
        out.append(Entry("member", tid, m.name, _parts(role_name(m.role), m.email), words(m.name),
                         _info(m.role)))
    for gid in sorted(site.guides):
        g = site.guides[gid].meta
        out.append(Entry("guide", gid, g.title, _parts(f"for {role_name(g.audience)}", g.summary),
                         words(g.title), _info(g.audience, g.summary) + KIND_TERMS["guide"]))
    for did in sorted(site.decks):
        m = site.decks[did].meta
        out.append(Entry("deck", did, m.title, _parts(m.description), words(m.title),
                         _info(m.description) + KIND_TERMS["deck"]))
    order = {k: i for i, k in enumerate(KINDS)}
    # by the name as it sorts everywhere: people by last name, as the directories and every
    # list of people (sort_key), the rest by name (fold: Élan among the e's, not after z);
    # search.js keeps this order among results of equal rank
    return sorted(out, key=lambda e: (order[e.kind], (sort_key if e.kind in PEOPLE else fold)(e.name),
                                      e.name, e.key))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SMALL = [a + b if a != "0" else b for a in _DIGITS for b in _DIGITS]  # 0 … 1295 in base 36


def base36(n: int) -> str:
    if n < 1296:
        return _SMALL[n]
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
    return out


def postings(numbers: list[int]) -> str:
    """Ascending entry numbers as the gaps between them, in base 36, joined by "."
    ([3, 4, 14, 50] -> "3.1.a.10")."""
    out, last = [], 0
    for n in numbers:
        out.append(_SMALL[n - last] if n - last < 1296 else base36(n - last))
        last = n
    return ".".join(out)


def index_data(items: list[Entry]) -> dict[str, object]:
    """The values of search/index.js (see ``index_js``)."""
    table: dict[str, str] = {}  # context parts, each written once: part -> its number
    contexts = []
    for e in items:
        codes = []
        for p in e.context:
            code = table.get(p)
            if code is None:
                code = table[p] = base36(len(table))
            codes.append(code)
        contexts.append(".".join(codes))
    by_term: dict[str, tuple[list[int], list[int]]] = {}
    for n, e in enumerate(items):
        for field, ts in ((0, e.name_terms), (1, e.info_terms)):
            for t in ts:
                lists = by_term.get(t)
                if lists is None:
                    lists = by_term[t] = ([], [])
                if not lists[field] or lists[field][-1] != n:
                    lists[field].append(n)
    vocabulary = sorted(by_term)
    number = {k: i for i, k in enumerate(KINDS)}
    return {
        "version": 1,
        "kinds": [[k, LABELS[k], HREFS[k], PLURALS[k]] for k in KINDS],
        "kind": "".join(str(number[e.kind]) for e in items),
        "ids": "\n".join(e.key for e in items),
        "names": "\n".join(e.name for e in items),
        "parts": "\n".join(table),
        "context": "\n".join(contexts),
        "terms": "\n".join(vocabulary),
        "name": "\n".join(postings(by_term[t][0]) for t in vocabulary),
        "info": "\n".join(postings(by_term[t][1]) for t in vocabulary),
    }


def _js_string(text: str) -> str:
    return (json.dumps(text, ensure_ascii=False)
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def index_js(view) -> bytes:
    """search/index.js: a script that assigns the index to ``window.LIAISON_SEARCH`` (a
    script, not a JSON file: a page opened from disk may not fetch one).

    ``kinds``: [key, label, link pattern, plural] by kind number; then one line per entry (lines of
    text joined by "\n") in ``kind`` (one digit), ``ids`` (what its link is made of),
    ``names`` and ``context`` (numbers of ``parts`` in base 36, joined by "."); ``terms``:
    the sorted vocabulary, and for each term, on its line of ``name`` and of ``info``, the
    entries that hold it in their name and in their info (``postings``)."""
    data = index_data(entries(view))
    lines = ["/* The search index of this site (liaison build; read by assets/search.js). */",
             f"window.{GLOBAL} = {{"]
    for key, value in data.items():
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else _js_string(value)
        lines.append(f"  {key}: {text},")
    lines.append("};")
    return ("\n".join(lines) + "\n").encode("utf-8")
