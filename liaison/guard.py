"""The patient-information guard (SPEC §3): what counts as a patient identifier in free text."""
from __future__ import annotations

import re

from liaison.fields import free_text_names
from liaison.models import RECORD_MODELS

PATIENT_MESSAGE = "patient identifiers must never be stored in the repository"

# The names of the fields the models mark as free text (``FreeText``): their values are scanned
# wherever the names stand in a file, in every record kind (staff notes are `notes` inside
# `staff`), and under a field the model does not know. A name is free text in every model
# that has it or in none (tests/test_models.py checks), so the name says it all.
FREE_TEXT_KEYS = free_text_names(RECORD_MODELS)

_KINDS = (
    ("a US Social Security number", r"\b\d{3}-\d{2}-\d{4}\b"),
    ("a medical record number", r"(?<![a-z])(?:mrn|medical record (?:number|no\b|#))(?![a-z]).{0,10}\d"),
    ("a date of birth", r"(?<![a-z])(?:dob|date of birth)(?![a-z]).{0,15}\d"),
)
# DOTALL: a line break is a character like any other ("MRN:" at the end of a line, the
# number on the next one is still a hit).
_PATTERNS = tuple((kind, re.compile(p, re.I | re.S)) for kind, p in _KINDS)
_SSN_HINT = re.compile(rb"-\d\d-\d{4}")
# On the lower-cased bytes: the identifiers' words, with any white space between them since a
# value may wrap across lines in the file ("date of⏎  birth"); a superset of the patterns.
_BYTES_HINT = re.compile(
    rb"(?<![a-z])mrn(?![a-z])|medical\s+record|(?<![a-z])dob(?![a-z])|date\s+of\s+birth"
    rb"|\d{3}-\d\d-\d{4}")


def might_hold(raw: bytes) -> bool:
    """A cheap test of a whole file's bytes: only the few files that pass get their free-text
    fields scanned. Substring tests first (fast, in C), then one pattern on the rare hits."""
    low = raw.lower()
    if not (b"mrn" in low or b"record" in low or b"dob" in low or b"birth" in low
            or _SSN_HINT.search(raw)):
        return False
    return _BYTES_HINT.search(low) is not None


def patient_info(text: str) -> list[str]:
    """The kinds of patient identifier that ``text`` seems to hold (none: an empty list)."""
    return [kind for kind, pattern in _PATTERNS if pattern.search(text)]


def scan(data, loc: tuple = ()):
    """(loc, kind) for every free-text value of canonical data that holds an identifier."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in FREE_TEXT_KEYS:
                if isinstance(value, str):
                    for kind in patient_info(value):
                        yield loc + (key,), kind
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, str):
                            for kind in patient_info(item):
                                yield loc + (key, i), kind
                        else:
                            yield from scan(item, loc + (key, i))
                else:
                    yield from scan(value, loc + (key,))
            else:
                yield from scan(value, loc + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from scan(item, loc + (i,))
