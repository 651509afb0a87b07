"""The patient-information guard, second edition of SPEC §3: every string of every data file
and of site.yaml, every CSV cell and the Markdown of guides and decks is scanned as the text it
stands for (YAML escapes decoded), for the kinds of identifier the SPEC lists; ordinary notes
pass. The corpus of invented notes is tests/fixtures/guard-corpus.py."""
from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from liaison import guard
from test_validate import PATIENT_MSG, at, validate, write

CORPUS = runpy.run_path(str(Path(__file__).parent / "fixtures" / "guard-corpus.py"))
POSITIVES, NEGATIVES, NEAR = CORPUS["POSITIVES"], CORPUS["NEGATIVES"], CORPUS["NEAR"]


def _caught(text: str, kind: str) -> bool:
    return any(kind.lower() in k.lower() for k in guard.patient_info(text))


def test_corpus_recall_and_false_alarms():
    """Every positive is caught as its kind; no negative is flagged. Prints the figures."""
    assert len(POSITIVES) >= 40 and len(NEGATIVES) >= 40
    missed = [(t, k) for t, k in POSITIVES if not _caught(t, k)]
    alarms = [(t, guard.patient_info(t)) for t in NEGATIVES if guard.patient_info(t)]
    recall = 1 - len(missed) / len(POSITIVES)
    print(f"\nguard corpus: recall {recall:.0%} ({len(POSITIVES) - len(missed)}/{len(POSITIVES)}), "
          f"false alarms {len(alarms)}/{len(NEGATIVES)}")
    assert missed == [] and alarms == []


def test_near_forms_are_found_apart_and_ordinary_notes_hold_none():
    """The near forms (beyond the contract's list: warnings) are found as their kind and are
    not errors; neither the negatives nor the positives (errors already) hold one."""
    assert [(t, k) for t, k in NEAR if not any(k.lower() in n.lower() for n in guard.near_info(t))] == []
    assert [t for t, _ in NEAR if guard.patient_info(t)] == []
    assert [t for t in NEGATIVES if guard.near_info(t)] == []
    assert [t for t, _ in POSITIVES if guard.near_info(t)] == []


@pytest.mark.parametrize("text, kind", NEAR)
def test_the_file_prefilter_lets_every_near_form_through(text, kind, prefilter):
    for raw in (f"notes: {text}\n", "notes: >\n  " + text.replace(" ", "\n  ", 2) + "\n"):
        assert prefilter(raw.encode()), raw


@pytest.fixture(params=["re2", "re"])
def prefilter(request, monkeypatch):
    """might_hold with its one RE2 pass first (google-re2), and without it (the searches of
    ``re`` alone, as where google-re2 is not installed)."""
    if request.param == "re2":
        assert guard._ANY_WORD is not None, "google-re2 is a dependency"
    else:
        monkeypatch.setattr(guard, "_ANY_WORD", None)
    return guard.might_hold


@pytest.mark.parametrize("text, kind", POSITIVES)
def test_the_file_prefilter_lets_every_positive_through(text, kind, prefilter):
    """might_hold (the cheap test of a whole file's bytes) is a superset of the patterns:
    plain, quoted and wrapped over lines."""
    for raw in (f"notes: {text}\n", f"notes: '{text}'\n",
                "notes: >\n  " + text.replace(" ", "\n  ", 2) + "\n"):
        assert prefilter(raw.encode()), raw


# A value that ends with the patient's age, where the pattern needs the end of the text
# ("Jane Roe (patient), 67", "Ms. Kim, 44"): file-formats.md's own examples.
_AT_VALUE_END = ("Jane Roe (patient), 67", "Mrs. Alvarez (patient), 74", "Ms. Kim, 44",
                 "Ms. Kim, 44F", "3/2: Jane Roe, the patient", "Ms. Kim, 101")


@pytest.mark.parametrize("text", _AT_VALUE_END)
def test_the_file_prefilter_lets_an_age_at_a_values_end_through(text, prefilter):
    """In a file the end of a value is no end of the text: a closing quote (in a line, a flow
    list, a CSV row), a comment or the next key follows it. The prefilter passed "notes: \"Jane Roe (patient), 67\"" over, and validate
    never scanned the value that patient_info catches."""
    assert guard.patient_info(text), text
    for raw in (f'notes: "{text}"\n', f"notes: '{text}'\n", f"notes: {text}\ntags: [x]\n",
                f"- notes: {text}  \n  summary: ok\n", f'notes: "{text}"\r\nsummary: ok\r\n',
                f'needs: ["{text}", other]\n', f"notes: {text}  # said at the desk\nsummary: ok\n",
                f'date,source,physician,service,status\n2026-08-01,web,,"{text}",referred\n'):
        assert prefilter(raw.encode()), raw


def test_an_age_at_a_values_end_is_caught_in_a_file(example_site):
    """Each of those values alone in an interaction file, quoted, with a field after it: an
    error at the value (they were passed over: validate exited 0)."""
    rels = [write(example_site, f"data/interactions/2026/08/ages-{i}.yaml",
                  "date: 2026-08-03\nliaison: lena-brooks\ntype: visit\n"
                  f'practice: french-broad-podiatry\nsummary: Visit.\nnotes: "{text}"\noutcome: positive\n')
            for i, text in enumerate(_AT_VALUE_END)]
    res = validate(example_site)
    assert res.code == 1, res.dump()
    for rel in rels:
        res.expect(rel, 6, 8, "name with a date or an age", pattern=PATIENT_MSG)


def test_the_file_prefilter_passes_over_ordinary_notes(prefilter):
    """The negatives of the corpus, which hold none of the keywords, are passed over: the
    prefilter is not a test that lets everything through."""
    quiet = [t for t in NEGATIVES if not any(p.search(t.lower().encode()) for p in guard._WORDS)]
    assert len(quiet) > 10
    for text in quiet:
        assert not prefilter(f"notes: {text}\n".encode()), text
        # a byte-order mark at the file's start (Windows' Notepad) is not text: still passed over
        if text.isascii():
            assert not prefilter(f"\ufeffnotes: {text}\n".encode()), text


def _python_finds(low: bytes) -> bool:
    return any(p.search(low) is not None for p in (*guard._SHAPES, *guard._WORDS))


# Bytes made of the keywords' letters, digits (as the lower-cased bytes hold them: 0),
# separators and a few other bytes: what the look-arounds and the separators between a
# phrase's parts look at.
_ALPHABET = b"patienolcymrdsuhxbkwvg0-. _#:\t\n'\xe9\x80"


@settings(max_examples=3000, deadline=None)
@example(b"m_r 0")  # an underscore between a phrase's parts: [\W_] in ``re``
@example(b"d_o_b")
@example(b"s_s_n")
@example(b"member_id")
@example(b"pt")  # a look-ahead at the end of the bytes
@example(b"x patient")
@given(st.lists(st.sampled_from([bytes([c]) for c in _ALPHABET]
                                + [b"patient", b"pt", b"ssn", b"dob", b"acc", b"memb",
                                   b"subscrib", b"er", b"id", b"medica", b"birth", b"000",
                                   b"00", b"0000", b"mr", b"chart", b"cord", b"social", b"soc", b"sec",
                                   b"\xc2\xad", b"\xe2\x80\x8b", b"\xe2\x81\xa0", b"\xef\xbb\xbf",
                                   b"\xef\xbc\x91", b"\xef\xbd\x90", b"\xef\xbc"]),
                max_size=12).map(b"".join))
def test_the_one_re2_pass_finds_whatever_the_searches_find(low):
    """guard._EVERY_WORD (RE2, no look-around) against guard._SHAPES and _WORDS (``re``):
    every text they find something in, it finds something in too."""
    if _python_finds(low):
        assert guard._ANY_WORD.search(low) is not None, low


def test_text_pasted_with_invisible_or_full_width_characters_is_read_as_it_is_seen(example_site):
    """A zero-width space inside "SSN" (pasted from a web page) and an SSN typed in full-width
    digits, in a YAML note and in a training guide's body: errors at their lines."""
    rel = write(example_site, "data/physicians/pat-doe.yaml",
                "name: Pat Doe\nspecialty: Family Medicine\npractice: french-broad-podiatry\n"
                "notes: the fax had S\u200bSN 123456789 on it\n")
    guide = write(example_site, "content/training/pasted.md",
                  "---\ntitle: Pasted\naudience: liaison\n---\n\n# Pasted\n\n"
                  "The slip read \uff11\uff12\uff13-\uff14\uff15-\uff16\uff17\uff18\uff19.\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(rel, 4, 8, "Social Security", pattern=PATIENT_MSG).msg.startswith("notes: ")
    assert [d.line for d in res.errors if d.path == guide and "Social Security" in d.msg] == [8]
    assert guard.as_seen("plain text") == "plain text"
    assert guard.as_seen("a\u200bb \uff21\uff5e\n\u00adc") == "ab A~\nc"


def test_an_identifier_wrapped_over_two_lines_is_caught(example_site):
    """An SSN or an MBI that wraps after one of its dashes: in a folded YAML scalar (read as
    "123-45- 6789"), in a quoted CSV cell and in a guide's paragraph (the line break kept)."""
    rel = write(example_site, "data/practices/p.yaml",
                "name: P\nnotes: >\n  the fax showed SSN 123-45-\n  6789 on the back\n"
                "staff:\n  - name: Tess Ward\n    notes: read out 1EG4-TE5-\n      MK73 by mistake\n")
    csv = write(example_site, "data/referrals/more.csv",
                "date,source,physician,service,status,taken_by\n"
                '2026-08-01,web,,vein-ablation,consulted,"x 123-45-\r\n  6789"\n')
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.", body="The slip read 123-45-\n6789."))
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 2, 8, "Social Security", pattern=PATIENT_MSG)
    res.expect(rel, 7, 12, "Medicare Beneficiary", pattern=PATIENT_MSG)
    res.expect(csv, 2, 1, "Social Security", pattern=PATIENT_MSG)
    res.expect(guide, 9, 1, "Social Security", pattern=PATIENT_MSG)


def test_other_messages_do_not_repeat_the_identifier(example_site):
    """An identifier in a value that is also wrong in another way (a bad date, an enum, an id,
    a key of its own): the other message says what is wrong without quoting it, since CI keeps
    validate's output (logs, annotations); the guard's error names its kind at the same place."""
    rel = write(example_site, "data/interactions/2026/08/pasted.yaml",
                "date: 'DOB 3/4/1951'\nliaison: lena-brooks\ntype: 'MRN 00451234'\n"
                "practice: french-broad-podiatry\nsummary: ok\n123-45-6789: x\n")
    csv = write(example_site, "data/referrals/more.csv",
                "date,source,physician,service,status,taken_by\n"
                "2026-08-01,web,,vein-ablation,consulted,pt cell 503-555-0199\n")
    res = validate(example_site, "--format", "github")
    out = res.stdout + "\n".join(res.stderr)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(rel, 1, 7, "not a date").msg == "date: '…' is not a date: write YYYY-MM-DD"
    res.expect(rel, 1, 7, "date of birth", pattern=PATIENT_MSG)
    assert res.expect(rel, 3, 7, "is not one of").msg.startswith("type: '…' is not one of 'visit'")
    assert res.expect(rel, 6, 1, "unknown field").msg == "###-##-####: unknown field"
    assert res.expect(csv, 2, 1, "not a valid id").msg.startswith("taken_by: '…' is not a valid id")
    res.expect(csv, 2, 1, "phone number", pattern=PATIENT_MSG)
    for value in ("3/4/1951", "00451234", "123-45-6789", "555-0199"):
        assert value not in res.dump() and value not in out, value
    # a message with nothing of a patient in it is left alone
    assert guard.withheld("type: 'brunch' is not one of 'visit'") == "type: 'brunch' is not one of 'visit'"


def test_a_value_flagged_alone_is_withheld_whatever_its_message_says_around_it(example_site):
    """A value the guard flags alone ('pt Jane Roe, 67': the age is the value's last word) is
    withheld from another message on it, though the message read whole no longer holds an
    identifier (the quote after the age hides it), and so is the id the message suggests from
    it ("(like 'pt-jane-roe-67')"); the options it lists stay."""
    rel = write(example_site, "data/interactions/2026/08/pasted.yaml",
                "date: 2026-08-03\nliaison: 'pt Jane Roe, 67'\ntype: 'Jane Roe, the patient, 3/2'\n"
                "practice: french-broad-podiatry\nsummary: ok\n"
                "physicians: ['Patient: Jane Roe, 67']\n")
    csv = write(example_site, "data/referrals/more.csv",
                "date,source,physician,service,status,taken_by\n"
                "2026-08-01,\"pt Jane Roe, 67\",,vein-ablation,consulted,\n")
    out = validate(example_site, "--format", "github").stdout
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(rel, 2, 10, "not a valid id").msg == "liaison: '…' is not a valid id: use " \
        "lower-case letters, digits and single hyphens (like '…')"
    assert res.expect(rel, 3, 7, "is not one of").msg.startswith("type: '…' is not one of 'visit'")
    res.expect(rel, 6, 14, "not a valid id")
    assert res.expect(csv, 2, 1, "is not one of").msg.startswith("source: '…' is not one of")
    for where, line, col in ((rel, 2, 10), (rel, 3, 7), (rel, 6, 14), (csv, 2, 1)):
        res.expect(where, line, col, "patient's name", pattern=PATIENT_MSG)
    for name in ("Jane", "jane", "Roe", "roe"):
        assert name not in res.dump() and name not in out, name
    # a name with an apostrophe is one value, not two
    assert guard.withheld("type: 'Mrs. O'Brien (patient), 67' is not one of 'visit', 'lunch'") \
        == "type: '…' is not one of 'visit', 'lunch'"


def test_markdown_notes_are_read_as_they_show(example_site):
    """A practice's notes are Markdown: an HTML character reference or a backslash escape
    shows on the site as the character it stands for, so the guard reads it so."""
    rel = write(example_site, "data/practices/p.yaml",
                "name: P\nnotes: 'fax had 123&#45;45&#45;6789 on it'\n"
                "staff:\n  - name: Tess Ward\n    notes: 'read out 123\\-45\\-6789'\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 2, 8, "Social Security", pattern=PATIENT_MSG)
    res.expect(rel, 5, 12, "Social Security", pattern=PATIENT_MSG)
    assert guard.as_rendered("Q&A with AT&T") == "Q&A with AT&T"


ESCAPED = 'name: "SSN 123\\x2d45\\x2d6789"\nspecialty: Family Medicine\npractice: french-broad-podiatry\n'


def test_yaml_escapes_are_decoded_and_every_field_is_scanned(example_site):
    """A double-quoted string with \\x2d escapes, in a field not marked free text (name)."""
    rel = write(example_site, "data/physicians/pat-doe.yaml", ESCAPED)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, 1, 7, "Social Security", pattern=PATIENT_MSG)
    assert d.msg.startswith("name: ")


@pytest.mark.parametrize("rel, text, needle, kind", [
    pytest.param("data/practices/p.yaml", "name: P\naddress: 'Acct # 55812, 12 Main St'\n",
                 "'Acct", "account or chart", id="practice.address"),
    pytest.param("data/practices/p.yaml", "name: P\nphone: 'pt cell 503-555-0199'\n",
                 "'pt", "phone number", id="practice.phone"),
    pytest.param("data/physicians/pat-doe.yaml",
                 "name: Medicaid ID AB123456\nspecialty: Family Medicine\n"
                 "practice: french-broad-podiatry\n", "Medicaid", "health-plan", id="physician.name"),
    pytest.param("data/physicians/pat-doe.yaml",
                 "name: Pat Doe\nspecialty: 1EG4-TE5-MK73\npractice: french-broad-podiatry\n",
                 "1EG4", "Medicare Beneficiary", id="physician.specialty-mbi"),
])
def test_names_phones_and_other_fields_that_are_not_prose_are_scanned(example_site, rel, text, needle, kind):
    write(example_site, rel, text)
    res = validate(example_site)
    line, col = at(text, needle)
    res.expect(rel, line, col, kind, pattern=PATIENT_MSG)


def test_site_yaml_strings_are_scanned(example_site):
    site = example_site / "site.yaml"
    text = site.read_text().replace("\npractice:", "\n# x\npractice:", 1)
    text += "\n"
    lines = text.split("\n")
    # the practice's name, whatever it is, becomes a note with a date of birth
    for i, line in enumerate(lines):
        if line.startswith("  name:"):
            lines[i] = "  name: 'Vein care, pt DOB 01/02/1960'"
            break
    else:
        pytest.fail("the example's site.yaml has no practice name line to plant the note in")
    site.write_text("\n".join(lines))
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert any(d.path == "site.yaml" and d.line == i + 1 and "date of birth" in d.msg
               and PATIENT_MSG.search(d.msg) for d in res.errors), res.dump()


def test_csv_cells_are_scanned(example_site):
    text = ("date,source,physician,service,status,count\n"
            "2026-08-01,web,,vein-ablation,consulted,3\n"
            "2026-08-02,physician,123-45-6789,vein-ablation,consulted,1\n")
    rel = write(example_site, "data/referrals/more.csv", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, 3, 1, "Social Security", pattern=PATIENT_MSG)
    assert d.msg.startswith("physician: ")


GUIDE = """\
---
title: Guide
audience: all
summary: {summary}
---
# Guide

Call the office first.
{body}
"""


def test_guide_body_and_front_matter_are_scanned(example_site):
    text = GUIDE.format(summary="Ordinary summary.",
                        body="Example: pt Maria Lopez, 67, seen 3/2.\n\nMRN&#58; 00451234")
    rel = write(example_site, "content/training/example.md", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 9, 1, "patient's name", pattern=PATIENT_MSG)
    res.expect(rel, 11, 1, "medical record", pattern=PATIENT_MSG)
    text = GUIDE.format(summary='"DOB\\x3a 01/02/1960"', body="")
    write(example_site, "content/training/example.md", text)
    res = validate(example_site)
    d = res.expect(rel, 4, 10, "date of birth", pattern=PATIENT_MSG)
    assert d.msg.startswith("summary: ")


def test_deck_body_is_scanned(example_site):
    deck = example_site / "content/presentations/venous-basics.md"
    text = deck.read_text() + "\n---\n\nFor pt Tom Baker (DOB 4/5/1950) see the chart.\n"
    deck.write_text(text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    line = text.count("\n", 0, text.index("For pt")) + 1
    res.expect("content/presentations/venous-basics.md", line, 1, "date of birth",
               pattern=PATIENT_MSG)


def test_a_long_list_of_names_without_a_full_stop_is_read_in_time():
    """A pasted list of 2,000 "pt Jane Roe" lines, no full stop: one "sentence" searched again
    for each name took minutes; a name's sentence now reaches 300 characters each side. A
    date within that reach still makes the name an identifier; one farther off does not.
    (About 1.3 s on a quiet machine; the bound is loose for a loaded CI runner and still far
    below the minutes the quadratic search took.)"""
    import time

    text = "pt Jane Roe called about the ultrasound\n" * 2000
    started = time.perf_counter()
    assert guard.patient_info(text) == [] and list(guard.scan_text(text)) == []
    assert time.perf_counter() - started < 45
    assert guard.patient_info("pt Jane Roe called\n" * 10 + "seen 3/4") == [guard.NAME]
    assert guard.patient_info("pt Jane Roe called\n" + "x" * 400 + " seen 3/4") == []


def test_a_long_text_finds_a_name_before_its_keyword():
    """A text over 300 characters is searched around its keywords only: a long name before
    ", the patient," (or "(patient)") lies inside that search, as in a short text (and in
    the log form, which searches the whole text)."""
    tail = "Maria-Josefina Gonzalez-Hernandez, the patient, called on 3/2"
    assert guard.patient_info(tail) == [guard.NAME]
    assert guard.patient_info("Ordinary notes. " * 30 + tail) == [guard.NAME]


def test_a_hit_in_a_long_note_names_its_line(example_site):
    """In a note of many lines (a literal block, as the log form writes notes), the error
    stands at the value and names the line of the file where the identifier is; a folded
    block, whose lines are not the file's, names none."""
    text = ("name: P\nnotes: |\n  Line one.\n\n  - Lunch for 12\n  - The fax had MRN 00451234\n"
            "staff:\n  - name: Tess Ward\n    notes: >\n      ok\n      MRN 00451234\n")
    rel = write(example_site, "data/practices/p.yaml", text)
    guide = write(example_site, "content/training/example.md",
                  "---\ntitle: T\naudience: all\nsummary: |-\n  one\n  DOB 3/4/1951 two\n---\n# T\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(rel, 2, 8, "medical record", pattern=PATIENT_MSG).msg.endswith(" (on line 6)")
    assert res.expect(rel, 9, 12, "medical record", pattern=PATIENT_MSG).msg.endswith("repository")
    assert res.expect(guide, 4, 10, "date of birth", pattern=PATIENT_MSG).msg.endswith(" (on line 6)")


def test_a_hit_on_the_first_line_of_a_long_note_names_its_line(example_site):
    """The identifier on the first line of a literal block (the line below `notes: |`) is
    named as any other line of it: the error stood at the `|` and named no line."""
    text = "name: P\nnotes: |\n  The fax had MRN 00451234\n  Lunch for 12\n"
    rel = write(example_site, "data/practices/p.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(rel, 2, 8, "medical record", pattern=PATIENT_MSG).msg.endswith(" (on line 3)")


def test_a_file_with_a_field_written_twice_is_still_scanned(example_site):
    """A field written twice (or a value that starts with '!') keeps the record from being
    read; its identifiers were said only once that was fixed, on the next run."""
    text = ("name: P\n# called pt Ann Lee DOB 3/4/1951\nnotes: The fax had MRN 00451234\n"
            "name: Q\n")
    rel = write(example_site, "data/practices/p.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 4, 1, "duplicate key 'name'")
    res.expect(rel, 3, 8, "notes: looks like a medical record number", pattern=PATIENT_MSG)
    assert any(d.place == (rel, 2, 1) and "a comment looks like a date of birth" in d.msg
               for d in res.errors), res.dump()


def test_a_file_that_is_not_yaml_is_still_scanned(example_site):
    """A YAML syntax error kept the file from being read: an identifier in it was said only on
    the run after the syntax was fixed."""
    text = "name: P\nnotes: Called about pt MRN 00451234\ncity: Asheville: downtown\n"
    rel = write(example_site, "data/practices/p.yaml", text)
    guide = write(example_site, "content/training/example.md",
                  "---\ntitle: T\naudience: all\nsummary: DOB 3/4/1951\nsummary: [x\n---\n# T\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 3, 16, "YAML syntax error")
    res.expect(rel, 2, 1, "medical record", pattern=PATIENT_MSG)
    res.expect(guide, 4, 1, "date of birth", pattern=PATIENT_MSG)


def test_a_file_left_unread_for_its_shape_is_still_scanned(example_site):
    """A guide whose front matter is not closed, a record file with a merge conflict: read
    as nothing, they were not scanned until the other error was fixed."""
    guide = write(example_site, "content/training/example.md",
                  "---\ntitle: T\naudience: all\n\n# T\n\nThe fax had MRN 00451234\n")
    rel = write(example_site, "data/practices/p.yaml",
                "name: P\n<<<<<<< HEAD\nnotes: DOB 3/4/1951\n=======\nnotes: ok\n>>>>>>> b\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(guide, 1, 1, "the front matter is not closed")
    res.expect(guide, 7, 1, "medical record", pattern=PATIENT_MSG)
    res.expect(rel, 2, 1, "merge conflict")
    res.expect(rel, 3, 1, "date of birth", pattern=PATIENT_MSG)


def test_a_key_that_holds_an_identifier_is_pointed_at(example_site):
    """A YAML key that holds an identifier (a note typed as a key) is an error at the key,
    not at its value."""
    text = "name: P\nstaff:\n  - name: Tess Ward\n    pt MRN 00451234: called\n"
    rel = write(example_site, "data/practices/p.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 4, 5, "medical record", pattern=PATIENT_MSG)
    assert not [d for d in res.diags if d.col == 22], res.dump()


@pytest.mark.parametrize("key", ["dob", "MRN", "ssn", "date_of_birth", "first_name", "last_name",
                                 "D.O.B.", "MRN#", "S.S.N.", "SSN#", "dob_verified"])
def test_keys_that_name_patient_data(example_site, key):
    text = f"name: P\n{key}: x\n"
    rel = write(example_site, "data/practices/p.yaml", text)
    res = validate(example_site)
    res.expect(rel, 2, 1, pattern=PATIENT_MSG)


@pytest.mark.parametrize("note", NEGATIVES[:12])
def test_ordinary_notes_pass_validate(example_site, note):
    text = f"name: P\nnotes: '{note}'\n".replace("'", "''").replace("notes: ''", "notes: '")
    text = text[: text.rindex("''")] + "'\n"
    write(example_site, "data/practices/p.yaml", text)
    res = validate(example_site)
    assert not any(PATIENT_MSG.search(d.msg) for d in res.diags), res.dump()



@pytest.mark.parametrize("rel, src, kind", [
    ("data/interactions/2026/pt-dob-1959-03-04.yaml",
     "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml", "date of birth"),
    ("data/interactions/MRN 0012345/visit.yaml",
     "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml", "medical record"),
    ("data/practices/mrn-0012345.yaml", "data/practices/french-broad-podiatry.yaml",
     "medical record"),
    ("content/training/ssn-123-45-6789.md", "content/training/referral-source-basics.md",
     "Social Security"),
    # a file no command reads (a picture of a deck) is in git history all the same
    ("content/presentations/img/pt-mrn-0012345.png", "content/training/referral-source-basics.md",
     "medical record"),
    # a patient's name typed as a file's name, in lower case with dashes
    ("data/interactions/2026/11/jane-roe-03-04-1956.yaml",
     "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml", "patient's name"),
    ("content/presentations/img/pt-jane-roe-67yo.png", "content/training/referral-source-basics.md",
     "patient's name"),
])
def test_a_file_name_that_holds_an_identifier_is_an_error(example_site, rel, src, kind):
    """A file's name and folders go into git history for good, as its values do: a path that
    looks like it holds a patient identifier is an error at the file (CI runs validate without
    --strict: a warning would be merged); the example site's ordinary names are not."""
    assert not any(PATIENT_MSG.search(d.msg) for d in validate(example_site).diags)
    write(example_site, rel, (example_site / src).read_bytes())
    if rel.startswith("data/interactions/"):
        (example_site / src).unlink()  # moved, not copied
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 1, 1, kind, "file's name", pattern=PATIENT_MSG)


def test_near_forms_are_warnings_in_values_and_in_guides(example_site):
    """A near form (Acct: 88123, pt J.D. 67yo) is a warning at its value or its line of a
    guide's body: validate passes, --strict does not."""
    text = ("name: P\nnotes: |\n  Ordinary notes.\n  They asked about pt J.D. 67yo again.\n"
            "staff:\n  - name: Tess Ward\n    notes: 'Read out Acct: 88123 by mistake'\n")
    rel = write(example_site, "data/practices/p.yaml", text)
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.", body="Acct: 88123 came in."))
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, 2, 8, "initials", severity="warning", pattern=PATIENT_MSG)
    assert d.msg.startswith("notes: ")
    d = res.expect(rel, *at(text, "'Read"), "account or chart", severity="warning",
                   pattern=PATIENT_MSG)
    assert d.msg.startswith("staff[0].notes: ")
    res.expect(guide, 9, 1, "account or chart", severity="warning", pattern=PATIENT_MSG)
    assert validate(example_site, "--strict").code == 1


def test_identifiers_after_keywords_beyond_the_contracts_are_errors(example_site):
    """"Med Rec #", "insurance ID", "HICN" and an MBI in spaced groups hold an identifier as
    surely as the contract's keywords: errors (CI runs validate without --strict), in a value,
    a referral CSV cell and a guide's body alike."""
    text = ("name: P\nnotes: 'Read out Med Rec # 0012345 by mistake'\n"
            "staff:\n  - name: Tess Ward\n    notes: 'insurance ID W123456789 per the MA'\n")
    rel = write(example_site, "data/practices/p.yaml", text)
    csv = write(example_site, "data/referrals/more.csv",
                "date,source,physician,service,status,taken_by\n"
                "2026-08-01,web,,vein-ablation,consulted,HICN 123456789A\n")
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.", body="The card read 1EG4 TE5 MK73."))
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 2, 8, "medical record", pattern=PATIENT_MSG)
    res.expect(rel, 5, 12, "health-plan", pattern=PATIENT_MSG)
    res.expect(csv, 2, 1, "health-plan", pattern=PATIENT_MSG)
    res.expect(guide, 9, 1, "Medicare Beneficiary", pattern=PATIENT_MSG)


def test_a_patients_own_number_after_patient_id_or_pt_acct_is_an_error(example_site):
    """"Patient ID 00451234", "pt #A77812", "pt acct 88123": a patient's record or account
    number by another name (it passed; "pt acct" was a warning CI merges); the office's
    "new patient number" and a count ("patient #1000") pass."""
    rel = write(example_site, "data/practices/p.yaml",
                "name: P\nnotes: 'Patient ID 00451234 was on the fax cover'\n"
                "staff:\n  - name: Tess Ward\n    notes: pt acct 88123 had the wrong insurance\n"
                "  - name: Dana Cole\n    notes: 'New patient number: 503-555-0120; patient #1000 in May'\n")
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.", body="Fax cover read pt #A77812."))
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 2, 8, "medical record", pattern=PATIENT_MSG)
    res.expect(rel, 5, 12, "account or chart", pattern=PATIENT_MSG)
    res.expect(guide, 9, 1, "medical record", pattern=PATIENT_MSG)
    assert [d for d in res.diags if d.path == rel and d.line == 7] == [], res.dump()


def test_a_table_of_patients_is_read_cell_by_cell_under_its_headings(example_site):
    """A table pasted into a guide or a note holds its values under headings that name them
    ("| DOB | MRN |" above "| 03/04/1951 | 00451234 |"; the cells copied from a spreadsheet,
    tab-separated): each cell is read after its heading (one that names a person's data). A
    table of office phones, of steps, of staff birthdays or of handouts passes."""
    table = "| Name | DOB | MRN |\n|------|:---:|-----|\n| Jane Roe | 03/04/1951 | 00451234 |\n"
    ordinary = ("| Office | Phone |\n|---|---|\n| Patient line | 503-555-0100 |\n\n"
                "| Step | Ask for |\n|---|---|\n| 1 | name and DOB |\n| 2 | insurance card |\n\n"
                "Staff\tBirthday\nTess Ward\t3/14\n\n"
                # (a heading that names no person's data is not read before its cells)
                "| Pt handout | Owner | Due |\n|---|---|---|\n| Spanish Version | Maria Lopez | 3/15 |\n")
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.", body="\n" + table + "\n" + ordinary))
    other = write(example_site, "content/training/other.md",
                  GUIDE.format(summary="Ordinary summary.", body="\n" + ordinary))
    rel = write(example_site, "data/practices/p.yaml",
                "name: P\nnotes: |\n  Their add-on list:\n\n  Patient\tAge\tSeen\n"
                "  Jane Roe\t67\t3/2\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(guide, 12, 1, "date of birth", pattern=PATIENT_MSG)
    res.expect(guide, 12, 1, "medical record", pattern=PATIENT_MSG)
    # (the name is read from the heading "Patient" on: the table's first line)
    assert res.expect(rel, 2, 8, "patient's name", pattern=PATIENT_MSG).msg.endswith("(on line 5)")
    assert [d for d in res.diags if d.path == other] == [], res.dump()
    assert len([d for d in res.diags if PATIENT_MSG.search(d.msg)]) == 3, res.dump()


def test_the_forms_rules_say_which_names_need_a_lower_case_letter():
    """The logging form (log.js) reads each rule's third item: false an identifier alone, 1 a
    name whose sentence must hold a date or an age, 2 that and a lower-case letter (the
    rules of names in capitals: "PT NEEDS REFERRAL 3/2", all in capitals, names no one)."""
    flags = {source: flag for _kind, source, flag in guard.form_rules()["rules"]}
    assert flags[guard._js(guard._PT_CAPS_NAME)] == 2 and flags[guard._js(guard._CAPS_NAME_PT)] == 2
    assert flags[guard._js(guard._PT_NAME)] == 1 and flags[guard._js(guard._NAME_PT)] == 1
    assert not flags[guard._js(guard._NAME_WITH_AGE)] and not flags[guard._js(guard._PT_NAME_AGE)]
    assert sorted(flags.values()).count(2) == 2


def test_a_near_form_on_a_line_in_error_for_its_kind_adds_no_warning():
    """A guide's body: a line that holds a patient's name with a date is an error (at the
    file's line: the body's first line is the file's line 5); the same name read as a near
    form adds no warning at that line."""
    body = "Intro line.\npt Jane Roe seen 3/4/2026 about her legs\n"
    assert list(guard.scan_text(body, 5)) == [(6, guard.NAME)]
    assert list(guard.scan_text(body, 5, near=True)) == []


def test_cells_copied_from_a_spreadsheet_are_read_under_their_headings():
    """Rows of tab-separated cells under a heading row of as many are a table, as a Markdown
    one is: a member number two lines from its keyword is read after its heading "Member ID"
    (the other headings name no person's data and are not read before their cells)."""
    text = "Member ID\tWhere\tRoom\nW12345678\tthe main clinic\t12"
    assert guard.as_tabled(text) == "Member ID\tWhere\tRoom\n| Member ID W12345678 | the main clinic | 12 |"
    assert guard.patient_info(text) == [guard.PLAN]


def test_a_text_file_no_kind_reads_is_scanned_too(example_site):
    """A note left in data/ as .txt, a template's comment, the settings beside the templates, a
    README: no kind reads them, but git keeps them as it keeps a record (they passed validate
    with a patient's details in them). Each hit is an error at its line; a picture (an SVG's
    path "M120 40 1200" is shaped like an SSN) and ordinary templates pass."""
    notes = write(example_site, "data/interactions/2026/call-notes.txt",
                  "Called the office.\npt Jane Roe DOB 3/4/1951 needs the US\n")
    base = write(example_site, "templates/base.html",
                 "{# sample: SSN 123-45-6789 #}\n<!doctype html>{% block body %}{% endblock %}\n")
    points = write(example_site, "templates/talking-points.yaml",
                   "cardiology: [vein-ablation]\n# example: MRN 00451234\n")
    readme = write(example_site, "content/README.md", "Our content.\n\nMR# A77812 was on the fax.\n")
    picture = write(example_site, "content/presentations/images/scan.png",
                    b"\x89PNG\r\n\x1a\n\0\0DOB 3/4/1951 MRN 00451234")
    ordinary = write(example_site, "templates/footer.html", "<p>Call 503-555-0100, fax 503-555-0134</p>\n")
    icon = write(example_site, "templates/assets/icon.svg", '<svg><path d="M120 40 1200 L3 4"/></svg>\n')
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(notes, 2, 1, "date of birth", pattern=PATIENT_MSG)
    res.expect(base, 1, 1, "Social Security", pattern=PATIENT_MSG)
    res.expect(points, 2, 1, "medical record", pattern=PATIENT_MSG)
    res.expect(readme, 3, 1, "medical record", pattern=PATIENT_MSG)
    assert [d for d in res.diags if d.path in (picture, ordinary, icon) and PATIENT_MSG.search(d.msg)] \
        == [], res.dump()
    # a market file is read (and guarded) by its own loader: its hit is said once
    market = write(example_site, "data/market/medicare-2024.yaml", "year: 2024\n# MRN 00451234\n")
    res = validate(example_site)
    assert len([d for d in res.diags if d.path == market and PATIENT_MSG.search(d.msg)]) == 1, \
        res.dump()


def test_a_row_of_patient_data_in_place_of_the_csv_header_is_not_quoted_back(example_site):
    """A referral CSV whose first row is a patient's (a list pasted without its header): its
    cells were each quoted as an unknown column ('Jane Roe', '03/04/1951', '00451234'), none
    an identifier alone, together a patient's name, birth date and record number, into the CI
    log. They are now counted, not quoted; a heading that the guard flags is patient data."""
    csv = write(example_site, "data/referrals/pasted.csv",
                "Jane Roe,03/04/1951,00451234,pt cell 503-555-0199\n"
                "2026-08-01,web,,vein-ablation,consulted\n")
    out = validate(example_site, "--format", "github").stdout
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(csv, 1, 1, "3 unknown columns", "not quoted here")
    res.expect(csv, 1, 1, "looks like patient data", pattern=PATIENT_MSG)
    for value in ("Jane", "Roe", "1951", "00451234", "0199"):
        assert value not in res.dump() and value not in out, value


def test_a_yaml_binary_value_is_read_as_the_text_it_stands_for(example_site):
    """`notes: !!binary cHQg…` is YAML's own encoding (base64) of 'pt Jane Roe DOB 3/4/1951':
    it passed validate unread, as a YAML escape would have before it was decoded."""
    import base64

    hidden = base64.b64encode(b"pt Jane Roe DOB 3/4/1951").decode()
    rel = write(example_site, "data/practices/p.yaml", f"name: P\nnotes: !!binary {hidden}\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 2, 8, "date of birth", pattern=PATIENT_MSG)


def test_comments_that_hold_an_identifier_are_errors(example_site):
    """YAML comments are committed with the values: a comment of a data file or of a guide's
    front matter that holds an identifier is an error at its '#' (a near form a warning); a
    '#' inside a value is no comment, and ordinary comments say nothing."""
    text = ("# pasted from the EHR: MRN 0012345, delete later\n"
            "name: P   # pt J.D. 67yo asked for her\n"
            "website: https://p.example/#contact  # the contact form\n")
    rel = write(example_site, "data/practices/p.yaml", text)
    guide = write(example_site, "content/training/example.md",
                  GUIDE.format(summary="Ordinary summary.  # DOB 3/4/1959 of the pt", body=""))
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 1, 1, "comment", "medical record", pattern=PATIENT_MSG)
    res.expect(rel, 2, 11, "comment", "initials", severity="warning", pattern=PATIENT_MSG)
    res.expect(guide, 4, 29, "comment", "date of birth", pattern=PATIENT_MSG)
    assert len([d for d in res.diags if PATIENT_MSG.search(d.msg)]) == 3, res.dump()


def test_a_comment_after_a_closing_quote_or_a_block_scalars_indicator_is_an_error(example_site):
    """YAML reads a '#' right after a closing quote as a comment ('name: "P"#…': the value is
    "P"), one right after a flow list's comma ('[vein,#…') too, and one on a block scalar's
    first line ('notes: >  # …') as the line's comment: all are committed with the values,
    and were passed over (validate exited 0)."""
    rel = write(example_site, "data/practices/p.yaml",
                'name: "P"#MRN 0012345 from the EHR\n'
                "notes: >  # DOB 3/4/1959 of the pt\n  Visit went well.\n"
                "tags: [vein,#SSN 123-45-6789\n  ]\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 1, 10, "comment", "medical record", pattern=PATIENT_MSG)
    res.expect(rel, 2, 11, "comment", "date of birth", pattern=PATIENT_MSG)
    res.expect(rel, 4, 13, "comment", "Social Security", pattern=PATIENT_MSG)
    assert len([d for d in res.diags if PATIENT_MSG.search(d.msg)]) == 3, res.dump()


@pytest.mark.parametrize("column", ["D.O.B.", "S.S.N."])
def test_csv_columns_with_punctuation_between_the_letters(example_site, column):
    text = (f"date,source,physician,service,status,{column}\n"
            "2026-08-01,web,,vein-ablation,consulted,x\n")
    rel = write(example_site, "data/referrals/more.csv", text)
    res = validate(example_site)
    res.expect(rel, 1, 1, column, pattern=PATIENT_MSG)


@pytest.mark.parametrize("column", ["Chart No. of pt", "Pt name", "Acct #", "Member ID",
                                    "Phone of pt"])
def test_csv_columns_naming_a_patients_number_or_pt_in_a_word_of_their_own(example_site, column):
    """A heading typed as staff write it ("Chart No. of pt") was an unknown column, with the
    columns listed, while "MRN #" and "Patient #" were said to be patient data."""
    text = (f"date,source,physician,service,status,{column}\n"
            "2026-08-01,web,,vein-ablation,consulted,x\n")
    rel = write(example_site, "data/referrals/more.csv", text)
    res = validate(example_site)
    res.expect(rel, 1, 1, column, "looks like patient data", pattern=PATIENT_MSG)


def test_a_names_sentence_reaches_past_its_first_words():
    """A date 100 characters after the name, in the same sentence, makes the name an
    identifier (a sentence reaches SENTENCE_REACH characters each side, not a few words)."""
    text = "pt Jane Roe called about " + "the weekly scheduling details " * 3 + "on 3/4/2026"
    assert text.index("3/4") - text.index("Roe") > 100
    assert guard.patient_info(text) == [guard.NAME]


def test_a_name_in_capitals_needs_a_lower_case_letter_in_its_sentence():
    """A line all in capitals (a form's printed header) is not taken for a patient's name
    and a date; the same capitals beside ordinary writing are."""
    assert guard.patient_info("PT JOHN SMITH 3/4") == []
    assert guard.patient_info("pt JOHN SMITH 3/4") == [guard.NAME]


def test_a_long_text_finds_an_identifier_well_after_its_keyword():
    """In a text over 300 characters each pattern is tried around its keywords: the window
    reaches far enough past the keyword for the whole identifier (here 34 characters)."""
    text = "x " * 200 + "social security number 123456789" + " y" * 50
    assert guard.patient_info(text) == [guard.SSN]


def test_the_first_editions_keyword_rules_reach_as_far_as_they_did():
    """The first edition's rules, kept: a digit within 10 characters of "MRN" and within 15
    of "DOB" (counts and steps aside)."""
    assert guard.patient_info("mrn see old 5") == [guard.MRN]  # 9 characters to the digit
    assert guard.patient_info("mrn see the old 5") == []  # 13
    assert guard.patient_info("dob see the other 5") == [guard.DOB]  # 15
    assert guard.patient_info("dob: see the other 5") == []  # 16


def test_the_lines_of_a_kinds_hits_are_each_of_its_lines():
    text = "Ordinary line\nMRN 00451234\nSSN 123-45-6789\nMRN 00459999 and MRN 00451111\n"
    assert guard.hit_lines(text, guard.MRN) == [1, 3]  # (two on one line: that line once)
    assert guard.hit_lines(text, guard.SSN) == [2]
    assert guard.hit_lines(text, guard.DOB) == []  # none (line 0 is the first line's)
    near = "Ordinary line\nsecond line\npt J.D. 67yo asked for her\n"
    assert guard.near_info(near) == [guard.INITIALS]
    assert guard.hit_lines(near, guard.INITIALS, near=True) == [2]


def test_every_line_of_a_long_note_holding_one_kind_is_said_in_one_run(example_site):
    """A coordinator's note naming two patients on two lines: each line is an error of its
    own (LINE:COL at the value, as SPEC §3 puts it, the line named in words); the second was
    said only in the run after the first was fixed ("never only the first")."""
    text = ("date: 2026-02-03\nliaison: maya-lindqvist\ntype: call\n"
            "practice: alder-falls-family-medicine\nsummary: Two faxed referrals\nnotes: |\n"
            "  Fax came through for pt Robert Hale, 58 yo. Scheduled 12/9.\n\n"
            "  Also patient John Smith 72 y/o needs an ultrasound.\n"
            "  MRN 4821337 and MRN 5529913 on the cover sheet.\n")
    rel = write(example_site, "data/interactions/two-patients.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    names = [d.msg for d in res.diags if d.path == rel and "patient's name" in d.msg]
    assert [m[m.index("(on line"):] for m in names] == ["(on line 7)", "(on line 9)"], res.dump()
    assert [(d.line, d.col) for d in res.diags if d.path == rel and "patient's name" in d.msg] \
        == [(6, 8), (6, 8)]
    mrns = [d.msg for d in res.diags if d.path == rel and "medical record" in d.msg]
    assert len(mrns) == 1 and mrns[0].endswith("(on line 10)"), res.dump()


def test_a_short_texts_remembered_kinds_are_its_own_not_its_lower_cases():
    """patient_info remembers the kinds of a short text (CSV cells repeat): a name in lower
    case names no one, the same words capitalized are a patient's name, whichever comes first."""
    assert guard.patient_info("pt ana ruiz seen 3/4") == []
    assert guard.patient_info("pt Ana Ruiz seen 3/4") == [guard.NAME]


def test_a_zip_code_on_the_line_after_an_ssn_is_no_second_hit():
    """The lines of an SSN's hits: the address's ZIP+4 below it (five digits and four) is no
    SSN's 3-2-4 digits."""
    text = "SSN 123-45-6789 on the fax\nmail to Bend OR 97701-4410"
    assert guard.hit_lines(text, guard.SSN) == [0]


def test_a_lines_two_identifiers_of_one_kind_are_one_hit():
    assert list(guard.scan_text("SSN 123-45-6789 and SSN 987-65-4321\nok", first_line=5)) == [
        (5, guard.SSN)]


def test_a_withheld_message_keeps_its_list_index():
    assert guard.withheld("interactions[3].notes: SSN 123-45-6789 is too long") == (
        "interactions[3].notes: SSN ###-##-#### is too long")


@pytest.mark.parametrize("key, named", [
    ("visit_mrn", True), ("mother_dob", True), ("spouse_ssn", True), ("mrn_old", True),
    ("dob_verified", True), ("ssn_last4", True),
    ("summary", False), ("admin", False), ("dobson", False), ("chart_no", True), ("pt_name", True),
    ("account_manager", False), ("member_since", False), ("opt_out", False), ("policy", False)])
def test_keys_ending_or_starting_with_a_patient_word(key, named):
    assert guard.patient_key(key) is named


@pytest.mark.parametrize("value", ["acct # 77A", "chart # 4411", "medical record # 123456",
                                   "policy # AB12345"])
def test_an_identifier_split_by_a_comment_is_an_error(example_site, value):
    """`notes: acct # 77A` is the value 'acct' and the comment '77A' to YAML, neither an
    identifier alone, but the line as committed holds an account number ('#' is part of these
    identifiers' wording): an error at the '#', saying so; the value before a comment that is
    an identifier alone is reported once, as the value."""
    rel = write(example_site, "data/practices/p.yaml", f"name: P\nnotes: {value}\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    col = len("notes: ") + value.index("#") + 1
    res.expect(rel, 2, col, "comment", "value before it", pattern=PATIENT_MSG)
    write(example_site, "data/practices/p.yaml", "name: P\nnotes: MRN 0012345 # see chart\n")
    res = validate(example_site)
    assert len([d for d in res.diags if PATIENT_MSG.search(d.msg)]) == 1, res.dump()


def test_a_near_form_says_how_to_word_what_is_no_patients(example_site):
    """A near form cannot be told from what is no patient's (`Acct: 55012` is also the
    caterer's account; `PT J. Okafor 34 yrs` a physical therapist): it is a warning, which
    --strict fails on, and it said only "reword it if it does". It says how to word what is no
    patient's, in a data file's value, in its comment and in a guide's body; the wording it
    shows passes (no near form, no error)."""
    rel = write(example_site, "data/interactions/2026/11/21-caterer.yaml",
                "date: 2026-11-21\nliaison: lena-brooks\ntype: call\n"
                "practice: french-broad-podiatry\n"
                "summary: \"Ordered the lunch, Acct: 55012\"  # PT J. Okafor 34 yrs\n")
    guide = write(example_site, "content/training/caterer.md",
                  "---\ntitle: Caterer\naudience: all\n---\nOur PT J. Okafor 34 yrs in practice.\n")
    res = validate(example_site)
    near = [d for d in res.diags if d.path in (rel, guide)]
    assert [(d.path, d.line, d.sev) for d in near] == [(guide, 5, "warning"), (rel, 5, "warning"),
                                                     (rel, 5, "warning")], res.dump()
    for d in near:
        assert "if it does not, name what it is (" in d.msg and "--strict" in d.msg, d.msg
    assert "`our caterer's account is 55012`" in near[2].msg or "`our caterer's account is 55012`" \
        in near[1].msg, res.dump()
    for wording in ("our caterer's account is 55012", "physical therapist J. Okafor, 34 yrs in practice"):
        assert guard.near_info(wording) == [] and guard.patient_info(wording) == [], wording


def _call_validated(example_site, name: str, summary: str):
    """A call of 2026-11-20 to French Broad Podiatry with ``summary`` (line 5, column 10) in
    ``data/interactions/NAME.yaml``; its path and the site's validation."""
    rel = write(example_site, f"data/interactions/{name}.yaml",
                "date: 2026-11-20\nliaison: lena-brooks\ntype: call\n"
                f"practice: french-broad-podiatry\nsummary: {summary}\n")
    return rel, validate(example_site)


@pytest.mark.parametrize("summary, kind", [
    # SPEC §3 at the least it names: "MR#" or "MR no" and an identifier of 4 letters and
    # digits holding a digit; "birth date" and a date 12 characters after it (within 15); a
    # policy number of 6 letters and digits
    pytest.param("Faxed back MR# 4417 to their office", "a medical record number", id="mr#-4"),
    pytest.param("MR no 4417 was on the fax", "a medical record number", id="mr-no-4"),
    pytest.param("birth date as on file 3/4/1956", "a date of birth", id="birth-date-within-15"),
    pytest.param("policy no AB1234 on the card", "a health-plan member number", id="policy-6"),
])
def test_each_kind_is_caught_at_the_least_the_contract_names(example_site, summary, kind):
    rel, res = _call_validated(example_site, "least", summary)
    assert res.code == 1
    # the summary's value: line 5, column 10 ("summary: " is 9 characters)
    assert [(d.place, d.msg) for d in res.errors] == [
        ((rel, 5, 10), f"summary: looks like {kind}: patient identifiers must never be stored "
                       "in the repository")], res.dump()


@pytest.mark.parametrize("summary", ["Called pt Jane Roe about stockings; she is 67 yrs",
                                     "Called pt Jane Roe about stockings; she is 67 yr old"])
def test_a_patients_name_with_an_age_in_yrs_in_its_sentence_is_caught(example_site, summary):
    # SPEC §3: a patient's capitalized first and last name with an age in the same sentence;
    # the age written "67 yrs", as a hurried note abbreviates it
    rel, res = _call_validated(example_site, "age", summary)
    assert res.code == 1
    assert [(d.place, d.msg) for d in res.errors] == [
        ((rel, 5, 10), "summary: looks like a patient's name with a date or an age: patient "
                       "identifiers must never be stored in the repository")], res.dump()


@pytest.mark.parametrize("summary", ["Send pt paperwork by fax 503-555-0134",
                                     "'pt forms: fax 503-555-0134'"])
def test_the_offices_fax_number_after_pt_is_no_patients_contact(example_site, summary):
    # SPEC §3: ordinary notes pass ("fax 503-555-0134"); 'fax' before the number says it is
    # the office's line, not the patient's own
    rel, res = _call_validated(example_site, "fax", summary)
    assert res.code == 0, res.dump()
    assert [d for d in res.diags if d.path == rel] == [], res.dump()
