"""People's names in the order people look them up: by last name.

``sort_key("Dr. Anil Kapoor")`` is ``"kapoor anil"``: titles and generational suffixes left
out, a particle kept with the name it belongs to ("Ludwig van Beethoven": "van beethoven
ludwig"), a hyphenated name whole, lower case and without accents (Álvarez under A, not after
Z; Ødegård under O, Đỗ under D) or apostrophes (O’Sullivan and O'Sullivan together, before
Ortiz). The directories' default order and their Name column's sort key (data-value) come
from it; ``fold`` orders the other lists of names (filters' choices, calendars, a deck's
practices)."""
from __future__ import annotations

import re
import unicodedata

TITLES = {"dr", "dr.", "doctor", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "mx."}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"}
PARTICLES = {"de", "del", "della", "der", "di", "da", "du", "la", "le", "van", "von", "st", "st.",
             "bin", "ibn", "al", "el", "ten", "ter"}


# Letters that are no plain letter with an accent (NFKD leaves them whole), as someone types
# them without the letter: "Søren" is "soren", "Łukasz" "lukasz", "Straße" "strasse" (search.js
# and app.js LETTERS, and the log form's fold, the same). Search, ids and sorting read them so.
LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
           "þ": "th", "ı": "i", "ħ": "h"}
_LETTERS = str.maketrans(LETTERS)
APOSTROPHES = re.compile("['\u2019\u02bc`]")


def fold(text: str) -> str:
    """A name as it sorts: lower case, its accents and apostrophes left out ("Élan Clinic":
    "elan clinic", "O’Neil" "oneil") and ``LETTERS`` spelled plainly ("Ødegård": "odegard"),
    so that it sorts with its plain letters both here and in the page's script (which compares
    sort keys as they are)."""
    if text.isascii():  # nearly every one: no regular expression (a third of the time)
        if "'" in text or "`" in text:
            text = text.replace("'", "").replace("`", "")
        return text.lower()
    text = APOSTROPHES.sub("", text).lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).translate(_LETTERS)


def sort_key(name: str) -> str:
    """"kapoor anil" for "Anil Kapoor"; a name of one word is itself."""
    words = [w for w in name.replace(",", " ").split() if w.lower() not in TITLES]
    while len(words) > 1 and words[-1].lower() in SUFFIXES:
        words.pop()
    if len(words) < 2:
        return fold(" ".join(words))
    first = len(words) - 1
    while first > 1 and words[first - 1].lower() in PARTICLES:
        first -= 1
    return fold(" ".join(words[first:] + words[:first]))


# A credential written after a name, as a sheet's name column holds it: "MD", "M.D.", "NP-C",
# "PhD" (a generational suffix, "III", is a part of the name: SUFFIXES)
_CREDENTIAL = re.compile(r"(?:[A-Z]\.?){2,}(?:-[A-Z]\.?)?|Ph\.?D\.?")


def name_order_problem(name: str, credentials: bool = True) -> str | None:
    """Why a person's ``name`` reads in another order than "First Last", as a spreadsheet's
    list of people keeps them, or None: "Ruiz, Ana" (sorted under A, shown so), or, with
    ``credentials`` (a physician's, which has a field for them), "Ana Ruiz, MD" (sorted under
    M)."""
    segments = [part.strip() for part in name.strip().split(",")]
    if len(segments) < 2 or not all(segments):
        return None
    creds = []
    while len(segments) > 1 and all(_CREDENTIAL.fullmatch(t) and t.lower() not in SUFFIXES
                                    for t in segments[-1].split()):
        creds.insert(0, segments.pop())
    if creds:
        if not credentials:
            return None
        return (f"'{name.strip()}' holds credentials after the name: write name: "
                f"{', '.join(segments)} and credentials: {', '.join(creds)} (the directories "
                f"sort by last name, and would read {creds[-1].split()[-1]} as it)")
    if len(segments) != 2 or not all(w[:1].isupper() and w.lower().rstrip(".") not in SUFFIXES
                                     for w in segments[1].split()):
        return None
    return (f"'{name.strip()}' reads as last name, first name: write {segments[1]} "
            f"{segments[0]} (the pages show the name as written, and sort by its last word)")
