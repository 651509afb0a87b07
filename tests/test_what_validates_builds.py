"""What passes `validate` builds (SPEC §3): a property test over generated sites.

Hypothesis writes whole site roots whose values stand at the limits SPEC §2 allows: names in
any script, with apostrophes, quotes, `#`, `:` and `&`, long one-line text, Markdown over
several lines, dates on 1900-01-01 and 2099-12-31, counts from 1 to a billion, valid NPIs
written as integers or text, referrals in YAML lists and in CSV files. Every such site must
validate (errors: none; warnings allowed, e.g. records dated after the as-of date) and then
build, in-process, with exit code 0 and no exception.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.cli import main
from liaison.models import DATE_MAX, DATE_MIN, INTERACTION_TYPES, SOURCES, STATUSES

AS_OF = "2026-11-26"

# One-line text: letters of any script, spaces and the punctuation YAML cares about. No
# digits: the patient guard rightly refuses some digit shapes, which is not what this tests.
_PUNCT = " '\"#:&-.,()/!?*[]{}|>%@`"
_LINE = st.text(st.characters(categories=["L", "M"]) | st.sampled_from(_PUNCT),
                min_size=1, max_size=80)
LINE = _LINE.map(str.strip).filter(bool)
LONG_LINE = st.builds(lambda a, n: (a * n)[:2000], LINE, st.integers(1, 60))
TEXT = st.one_of(LINE, LONG_LINE)
MARKDOWN = st.lists(TEXT, min_size=1, max_size=4).map("\n\n".join)
LIMIT_DATES = st.sampled_from([DATE_MIN, DATE_MAX, dt.date(2026, 11, 26), dt.date(2000, 2, 29)])
DATES = st.one_of(LIMIT_DATES, st.dates(DATE_MIN, DATE_MAX))
COUNTS = st.one_of(st.just(1), st.just(10**9), st.integers(1, 10**9))


def _no_template(text: str) -> str:
    """A deck's slides are templates: '{' and '%' there are template syntax, not text."""
    return text.replace("{", "(").replace("%", "o") or "A"


def _npi(nine: int) -> str:
    """A valid NPI: nine digits and the Luhn check digit over the prefix 80840."""
    payload = f"80840{nine:09d}"
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return f"{nine:09d}{(10 - total % 10) % 10}"


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=10**6)


@st.composite
def sites(draw):
    """A valid site root, as {relative path: text}."""
    files: dict[str, str] = {}
    n_services = draw(st.integers(1, 3))
    services = [f"service-{i}" for i in range(n_services)]
    files["site.yaml"] = _dump({
        "practice": {"name": draw(TEXT), "address": draw(TEXT)},
        "services": [{"key": k, "name": draw(TEXT), "description": draw(MARKDOWN)}
                     for k in services],
    })
    files["content/training/basics.md"] = (
        "---\n" + _dump({"title": draw(TEXT), "audience": "all", "summary": draw(TEXT)})
        + "---\n" + draw(MARKDOWN) + "\n")
    files["content/presentations/talk.md"] = (
        "---\n" + _dump({"title": draw(TEXT), "description": draw(TEXT)}) + "---\n"
        + "# " + _no_template(draw(LINE)) + "\n\n" + _no_template(draw(MARKDOWN)) + "\n")

    team = [f"member-{i}" for i in range(draw(st.integers(1, 2)))]
    for tid in team:
        trainings = [{"guide": "basics", "completed": draw(DATES),
                      "score": draw(st.sampled_from([0, 100, 57]))}] if draw(st.booleans()) else []
        files[f"data/team/{tid}.yaml"] = _dump({
            "name": draw(TEXT), "role": "liaison", "email": "a@b.example",
            "trainings": trainings})

    practices = [f"practice-{i}" for i in range(draw(st.integers(1, 2)))]
    for pid in practices:
        files[f"data/practices/{pid}.yaml"] = _dump({
            "name": draw(TEXT), "city": draw(TEXT), "liaison": team[0],
            "staff": [{"name": draw(TEXT), "role": draw(TEXT), "notes": draw(TEXT)}],
            "notes": draw(MARKDOWN), "tags": draw(st.lists(LINE, max_size=3))})

    physicians = [f"physician-{i}" for i in range(draw(st.integers(1, 3)))]
    nines = draw(st.lists(st.integers(0, 999_999_999), min_size=len(physicians),
                          max_size=len(physicians), unique=True))
    practice_of = {}
    for did, nine in zip(physicians, nines):
        npi = _npi(nine)
        practice_of[did] = draw(st.sampled_from(practices))
        files[f"data/physicians/{did}.yaml"] = _dump({
            "name": draw(TEXT), "credentials": draw(LINE),
            "npi": int(npi) if npi[0] != "0" and draw(st.booleans()) else npi,
            "specialty": draw(TEXT), "practice": practice_of[did],
            "tier": draw(st.sampled_from(["A", "B", "C"])), "liaison": team[-1],
            "office_days": ["mon", "fri"], "interests": draw(st.lists(TEXT, max_size=3)),
            "notes": draw(MARKDOWN)})

    interactions = []
    for _ in range(draw(st.integers(1, 4))):
        date = draw(DATES)
        doc = draw(st.sampled_from(physicians))
        record = {"date": date, "liaison": draw(st.sampled_from(team)),
                  "type": draw(st.sampled_from(INTERACTION_TYPES)),
                  "practice": practice_of[doc], "physicians": [doc],
                  "met_with": draw(st.lists(LINE, max_size=2)), "summary": draw(TEXT),
                  "notes": draw(MARKDOWN), "needs": draw(st.lists(TEXT, max_size=2)),
                  "outcome": "positive", "deck": "talk",
                  "next_visit": draw(DATES),
                  "follow_ups": [{"task": draw(TEXT), "due": draw(DATES),
                                  "owner": team[0], "done": draw(st.dates(date, DATE_MAX))}]}
        interactions.append(record)
    files["data/interactions/all.yaml"] = _dump(interactions)

    def referral():
        source = draw(st.sampled_from(SOURCES))
        return {"date": draw(DATES), "source": source,
                "physician": draw(st.sampled_from(physicians)) if source == "physician" else None,
                "service": draw(st.sampled_from(services)),
                "status": draw(st.sampled_from(STATUSES)), "count": draw(COUNTS)}

    rows = [referral() for _ in range(draw(st.integers(1, 4)))]
    files["data/referrals/list.yaml"] = _dump(
        [{k: v for k, v in r.items() if v is not None} for r in rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "source", "physician", "service", "status", "count"])
    for r in [referral() for _ in range(draw(st.integers(1, 4)))]:
        writer.writerow([r["date"].isoformat(), r["source"], r["physician"] or "", r["service"],
                         r["status"], r["count"]])
    files["data/referrals/rows.csv"] = out.getvalue()
    return files


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites())
def test_what_validates_builds(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        runner = CliRunner()
        checked = runner.invoke(main, ["validate", "--root", str(root), "--as-of", AS_OF])
        assert checked.exception is None or isinstance(checked.exception, SystemExit), (
            checked.exc_info)
        errors = [line for line in checked.stderr.splitlines() if ": error: " in line]
        assert checked.exit_code == 0 and not errors, checked.stderr
        built = runner.invoke(main, ["build", "--root", str(root), "--out", str(Path(tmp) / "out"),
                                     "--as-of", AS_OF])
        if built.exception is not None and not isinstance(built.exception, SystemExit):
            import traceback

            raise AssertionError("build raised:\n" + "".join(
                traceback.format_exception(*built.exc_info)))
        assert built.exit_code == 0, built.stderr
        assert (Path(tmp) / "out" / "index.html").is_file()
