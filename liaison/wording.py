"""How slides and pages say things about people and numbers: plurals, numbers in words and
in digits, rates, lists in prose and a physician's formal name. The deck templates' helpers
(liaison.decks), the page templates' filters ``plural``, ``number`` and ``rate``
(liaison.render.make_env), the page families, ``liaison stats`` and ``liaison changes`` call
these; they are plain functions of plain values, so a slide, a page and a test get the same
words."""
from __future__ import annotations

from liaison.names import TITLES

# Credentials that make a clinician "Dr.": physicians (MD, DO), podiatrists (DPM), who refer
# to a vein practice, and dentists (DDS, DMD), who refer to a sleep center (oral appliances)
# and were "Milo Vantreese, DDS" beside "Dr. …" on its slides. Other doctorates (PhD, PharmD,
# DNP) are not addressed as "Dr." in a clinical meeting of ours.
DOCTOR_CREDENTIALS = frozenset({"MD", "DO", "DPM", "DDS", "DMD"})

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(n) -> str:
    """A count as a person writes it in a sentence: zero to ten in words, then digits with
    thousands separators ("eleven" is "11", 1234 is "1,234"). Not a whole number: as given."""
    if isinstance(n, bool) or not isinstance(n, int):
        return str(n)
    if 0 <= n < len(WORDS):
        return WORDS[n]
    return f"{n:,}"


def number(n) -> str:
    """A count as the pages show it: digits with thousands separators (1234 is "1,234"), as
    the trend badges write theirs. Anything else (a share, a sum of money, a date): as given."""
    if isinstance(n, int) and not isinstance(n, bool):
        return f"{n:,}"
    if hasattr(n, "__html__"):  # a date's <time> element (the ``day`` filter): kept as markup
        return n
    return str(n)


def rate(r) -> str:
    """A rate of the statistics (a fraction, as ``source_capture_rate_365d``) as the pages
    write it: a percentage with one decimal, a half rounded away from zero as every share of
    the site (0.8125 is "81.3%"); "—" for none."""
    if r is None:
        return "\u2014"
    from decimal import ROUND_HALF_UP, Decimal
    return f"{(Decimal(repr(r)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def plural(n, singular: str, plural_form: str | None = None, words: bool = False) -> str:
    """"1 patient", "2 patients", "0 patients"; ``plural_form`` for irregular nouns
    ("person", "people"); ``words`` writes the count with ``in_words`` ("three patients")."""
    count = in_words(n) if words else (f"{n:,}" if isinstance(n, int) and not isinstance(n, bool) else str(n))
    noun = singular if n == 1 else (plural_form or _regular_plural(singular))
    return f"{count} {noun}"


def _regular_plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# How a declined referral's reason (declined_reasons_365d's keys) reads: on the referral
# statistics, capitalized; in a sentence (a brief's, ``liaison stats``), in lower case
DECLINED_LABELS = {"insurance": "Insurance", "not-a-candidate": "Not a candidate",
                   "patient-choice": "Patient's choice", "no-response": "No response",
                   "other": "Other", "unspecified": "No reason given"}


def declined_reason(key: str) -> str:
    """A declined reason in a sentence: "patient's choice", "no reason given"."""
    return DECLINED_LABELS.get(key, key).lower()


def role_name(value) -> str:
    """A team member's role or a guide's audience as a page writes it: the record's value in
    words ("front-desk" is "front desk", as "Front desk phone skills" says it); the others
    (liaison, manager, clinical, all…) are words already."""
    return str(value).replace("-", " ")


def prose_list(items, conjunction: str = "and") -> str:
    """["A", "B", "C"] -> "A, B and C"; two items "A and B"; one item itself; none "".
    Always commas, as a sentence lists names, even when an item holds one ("Dr. Ana Reyes,
    Mara Quist, NP and Dr. Li Wu": a semicolon before "and" read as a typo on a slide).
    Empty items are left out."""
    parts = [str(i) for i in items if str(i).strip()] if items else []
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def _credentials(credentials: str | None) -> list[str]:
    return [c.strip() for c in (credentials or "").replace("/", ",").split(",") if c.strip()]


def formal_name(physician) -> str:
    """How a slide names a clinician: "Dr. Ana Reyes" for an MD, DO, DPM, DDS or DMD, else the name
    with the credentials ("Mara Quist, NP"), or the name alone without credentials. A title
    already in the name ("Dr. Ana Reyes") is not doubled. ``physician`` is a record or a
    mapping with ``name`` and ``credentials``."""
    get = physician.get if isinstance(physician, dict) else (lambda k, d=None: getattr(physician, k, d))
    name = " ".join(str(get("name", "") or "").split())
    creds = _credentials(get("credentials"))
    words = name.split()
    while words and words[0].lower() in TITLES:  # "Dr. Ana Reyes" -> "Ana Reyes"
        words.pop(0)
    bare = " ".join(words) or name
    if any(c.upper().replace(".", "") in DOCTOR_CREDENTIALS for c in creds):
        return f"Dr. {bare}"
    return f"{bare}, {', '.join(creds)}" if creds else bare
