"""A new team's first week: sites with one practice and one physician and little else (no
interaction, no referral, no training record), built whole, and what each page says where it
has nothing to show: a sentence saying why and what to add, never a table of headers alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli, one_physician_site
from htmltree import Node, parse

AS_OF = "2026-12-05"


def _build(root: Path, out: Path) -> Path:
    code, _out, err = cli("build", "--root", str(root), "--out", str(out), "--as-of", AS_OF)
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def nothing_logged(tmp_path_factory) -> Path:
    """One practice, one physician, one liaison: no interaction, no referral."""
    base = tmp_path_factory.mktemp("empty")
    root = one_physician_site(base / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    return _build(root, base / "site")


def _section(page: Node, heading_id: str):
    return next(s for s in page.all("section") if s.attrs.get("aria-labelledby") == heading_id)


def test_the_activity_log_of_a_new_site_says_what_to_add_and_shows_no_empty_table(nothing_logged):
    page = parse(nothing_logged / "activity" / "index.html")
    latest = _section(page, "latest-h").text()
    assert "Nothing logged yet" in latest and "data/interactions/" in latest
    months = _section(page, "months-h")
    assert not months.all("table"), "a table of headers and no row"
    assert "No month yet" in months.text()
