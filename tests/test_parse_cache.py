"""The parse cache (liaison.cache): what the exact path read is taken from it next time; a cache
of another version is refused before it is unpickled, and replaced."""
from __future__ import annotations

import datetime as dt
import pickle

from liaison import cache as cache_module
from liaison import pipeline, yamlio
from liaison.cache import CACHE_VERSION, cache_file

D = dt.date(2026, 11, 26)
# an interaction file with a document marker: the fast parser leaves it to the exact path
MARKED = """---
- date: 2026-11-02
  liaison: lena-brooks
  type: visit
  practice: mountain-view-family-medicine
  summary: Dropped off the new referral pads.
"""


class _Counting:
    """``pickle`` as liaison.cache uses it, counting what it unpickles."""

    def __init__(self):
        self.loads = 0

    def load(self, fh):
        self.loads += 1
        return pickle.load(fh)

    def __getattr__(self, name):
        return getattr(pickle, name)


def _exact_loads(monkeypatch) -> list:
    calls = []
    real = yamlio.exact_load

    def counted(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(yamlio, "exact_load", counted)
    return calls


def test_what_the_exact_path_read_is_taken_from_the_cache_next_time(example_site, monkeypatch):
    (example_site / "data/interactions/2026/marked.yaml").write_text(MARKED)
    calls = _exact_loads(monkeypatch)
    first = pipeline.check(example_site, D)
    assert first.ok and any(text.startswith("---") for text in calls)
    path = cache_file(example_site, "parsed", "pickle")
    assert path.read_bytes().startswith(b"liaison parse cache\n")
    calls.clear()
    second = pipeline.check(example_site, D)
    assert calls == []  # every file the exact path read, taken from the cache
    assert second.report == first.report and second.stats == first.stats


def test_a_cache_of_another_version_is_not_unpickled_and_is_replaced(example_site, monkeypatch):
    (example_site / "data/interactions/2026/marked.yaml").write_text(MARKED)
    expected = pipeline.check(example_site, D, use_cache=False)
    path = cache_file(example_site, "parsed", "pickle")
    path.parent.mkdir(parents=True, exist_ok=True)
    # the format before this one (the version inside the dict), of another version
    old = {b"version": b"liaison-parse-1-" + bytes(16),
           **{bytes([i]) * 16: (True, {"padding": "x" * 100}) for i in range(200)}}
    path.write_bytes(pickle.dumps(old, protocol=5))
    counting = _Counting()
    monkeypatch.setattr(cache_module, "pickle", counting)
    calls = _exact_loads(monkeypatch)

    found = pipeline.check(example_site, D)
    assert counting.loads == 0  # refused by its first bytes
    assert found.report == expected.report and found.stats == expected.stats
    data = path.read_bytes()  # replaced by this version's, with what this run read exactly
    assert data.startswith(b"liaison parse cache\n") and CACHE_VERSION in data[:80]
    assert len(data) < len(pickle.dumps(old, protocol=5))

    calls.clear()
    assert pipeline.check(example_site, D).report == expected.report
    assert counting.loads == 1 and calls == []  # read this time, and used


def test_a_stale_cache_with_nothing_to_keep_is_removed(example_site):
    path = cache_file(example_site, "parsed", "pickle")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a cache at all")  # damaged
    assert pipeline.check(example_site, D).ok
    assert not path.exists()  # no file read exactly: nothing kept, nothing left to refuse


def test_a_file_the_exact_path_read_edited_is_read_again(example_site):
    """The cache is keyed by the hash of all of a file's bytes: an edit far into a file the
    exact path read (its summary, past the first lines) is read again, and the site shows
    it, not what the cache holds of the file before."""
    path = example_site / "data/interactions/2026/marked.yaml"
    path.write_text(MARKED)
    assert pipeline.check(example_site, D).ok
    path.write_text(MARKED.replace("new referral pads", "spring referral pads"))
    found = pipeline.check(example_site, D, keep_records=True)
    assert found.ok
    assert any(r.summary == "Dropped off the spring referral pads."
               for r in found.site.interactions)
