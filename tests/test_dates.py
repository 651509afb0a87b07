"""liaison.dates: the day and ago filters (as-of based, deterministic)."""
import datetime as dt

import pytest

from liaison import dates
from liaison.render import make_env

AS_OF = dt.date(2026, 11, 26)


def test_day_reads_weekday_day_month_and_keeps_the_iso_date():
    assert str(dates.day(AS_OF, AS_OF)) == (
        '<time datetime="2026-11-26" title="2026-11-26">Thu 26 Nov</time>')
    assert dates.day_text(dt.date(2025, 3, 4), AS_OF) == "Tue 4 Mar 2025"
    assert dates.day_text(dt.date(2027, 1, 1), AS_OF) == "Fri 1 Jan 2027"
    assert dates.day("", AS_OF) == ""
    assert dates.day(None, "2026-11-26") == ""


@pytest.mark.parametrize("days, text", [
    (0, "today"), (1, "yesterday"), (2, "2 days ago"), (13, "13 days ago"),
    (14, "2 weeks ago"), (20, "2 weeks ago"), (21, "3 weeks ago"), (59, "8 weeks ago"),
    (60, "2 months ago"), (364, "12 months ago"), (365, "1 year ago"), (729, "1 year ago"),
    (730, "2 years ago"), (1100, "3 years ago"),
    (-1, "tomorrow"), (-2, "in 2 days"), (-13, "in 13 days"), (-14, "in 2 weeks"),
    (-90, "in 3 months"), (-400, "in 1 year"),
])
def test_ago_thresholds(days, text):
    date = AS_OF - dt.timedelta(days=days)
    assert dates.ago_text(date, AS_OF) == text
    assert str(dates.ago(date.isoformat(), AS_OF.isoformat())) == (
        f'<time datetime="{date.isoformat()}" title="{date.isoformat()}">{text}</time>')


def test_filters_are_registered_on_the_environment(tmp_path):
    env = make_env(tmp_path)
    html = env.from_string("{{ d|day(as_of) }} / {{ d|ago(as_of) }}").render(
        d="2026-11-05", as_of="2026-11-26")
    assert html == ('<time datetime="2026-11-05" title="2026-11-05">Thu 5 Nov</time> / '
                    '<time datetime="2026-11-05" title="2026-11-05">3 weeks ago</time>')


def test_filters_work_in_the_sandbox(tmp_path):
    env = make_env(tmp_path, sandboxed=True)
    assert "Thu 26 Nov" in env.from_string("{{ '2026-11-26'|day('2026-11-26') }}").render()


def test_a_bad_date_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        dates.day("26/11/2026", AS_OF)


def test_the_environments_filters_remember_nothing_wrong(tmp_path):
    """``day`` and ``ago`` on an environment keep each result: the same text for the same
    date and as-of date however often and in whatever order they are asked, a date and its
    ISO string alike, another as-of date its own; a bad date is still an error."""
    env = make_env(tmp_path)
    template = env.from_string("{{ d|day(as_of) }}|{{ d|ago(as_of) }}")
    days = [AS_OF - dt.timedelta(days=n) for n in (0, 1, 20, 400, 3, 0, 20, -2)]
    for as_of in (AS_OF, AS_OF + dt.timedelta(days=400), AS_OF):
        for d in days + [d.isoformat() for d in days]:
            date = dates.as_date(d)
            assert template.render(d=d, as_of=as_of) == (
                f"{dates.day(date, as_of)}|{dates.ago(date, as_of)}")
    with pytest.raises(ValueError):
        template.render(d="26/11/2026", as_of=AS_OF)
    with pytest.raises(ValueError):
        template.render(d="26/11/2026", as_of=AS_OF)  # not kept as a result
    with pytest.raises(ValueError):  # unhashable: the filter's own error, not a TypeError
        template.render(d=["2026-11-26"], as_of=AS_OF)


def test_month_reads_a_month_a_date_or_an_iso_date():
    assert dates.month("2026-11") == "November 2026"
    assert dates.month("2027-01-01") == "January 2027"
    assert dates.month(dt.date(2024, 2, 29)) == "February 2024"


@pytest.mark.parametrize("bad, words", [
    # "2026-00" read as December 2026 (MONTH_NAMES[-1]), "2026-1" as January; "2026-13"
    # was "tuple index out of range", "abc" "invalid literal for int() with base 10"
    ("2026-00", "'2026-00' is not a month: write YYYY-MM"),
    ("2026-13", "'2026-13' is not a month: write YYYY-MM"),
    ("2026-1", "'2026-1' is not a month: write YYYY-MM"),
    ("abc", "'abc' is not a month: write YYYY-MM"),
    ("2026-02-30", "'2026-02-30' is not a real calendar day"),
])
def test_month_of_something_else_says_what_it_is_not(bad, words):
    with pytest.raises(ValueError, match=f"^{words}$"):
        dates.month(bad)


@pytest.mark.parametrize("bad, words", [
    # they said "Invalid isoformat string: '26/11/2026'" and "day is out of range for month"
    ("26/11/2026", "'26/11/2026' is not a date: write YYYY-MM-DD"),
    ("2026-02-30", "'2026-02-30' is not a real calendar day"),
    (5, "'5' is not a date: write YYYY-MM-DD"),
])
def test_day_and_ago_of_a_bad_date_say_it_in_the_words_of_a_records_date(bad, words):
    for fn in (dates.day, dates.ago):
        with pytest.raises(ValueError, match=f"^{words}$"):
            fn(bad, AS_OF)
        with pytest.raises(ValueError, match=f"^{words}$"):
            fn(AS_OF, bad)


def test_a_datetime_or_a_timestamp_is_read_as_its_day():
    """A datetime and a longer ISO timestamp are read up to their date (module docstring)."""
    moment = dt.datetime(2026, 11, 5, 14, 30)
    assert dates.as_date(moment) == dt.date(2026, 11, 5)
    assert type(dates.as_date(moment)) is dt.date
    assert dates.as_date("2026-11-05T14:30:00Z") == dt.date(2026, 11, 5)
    assert str(dates.ago("2026-11-05T14:30:00", AS_OF)) == (
        '<time datetime="2026-11-05" title="2026-11-05">3 weeks ago</time>')


def test_the_year_is_shown_for_another_year_even_in_the_same_month():
    assert dates.day_text(dt.date(2025, 11, 26), AS_OF) == "Wed 26 Nov 2025"
    assert dates.day_text(dt.date(2026, 1, 5), AS_OF) == "Mon 5 Jan"
