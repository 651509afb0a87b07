"""`new interaction` asked question by question: what the phone's logging form (log/) asks,
in a terminal. Used when `new interaction` runs in a terminal without arguments, or with
``--interactive``.

Each answer is checked as it is given (an unknown id, a date that is not one, a cost with
three decimals is asked again, with the reason); the answers become the same values the
options would give, and the file is written by the same writer (``record_files.interaction``),
so what the questions write validates like what the options write.

The questions are asked through ``Prompter`` (click's prompt and echo in the command line, a
script of answers in tests); the site's records are read the cheap way ``Existing`` reads
them (a physician file is parsed only when it names the chosen practice).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from liaison.models import INTERACTION_TYPES, OUTCOMES
from liaison.scaffold.existing import Existing
from liaison.scaffold.fields import BadValue, default_date, read_date

LISTED = 20  # matches listed to choose from


@dataclass(frozen=True)
class Prompter:
    """How questions are asked: ``ask(text, default) -> answer`` (default None: none) and
    ``say(line)``."""

    ask: Callable[[str, str | None], str]
    say: Callable[[str], None]


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _name(site: Existing, rel: str) -> str:
    return _name_in(site.data(rel))


def _name_in(data) -> str:
    """A record's ``name``, or "" when it has none."""
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else ""


def _pick(p: Prompter, what: str, options: list[tuple[str, str]], default: str | None = None,
          optional: str | None = None) -> str | None:
    """One of ``options`` ([(id, label)]): by its number, its id or words of its label;
    several matches are listed to choose from. ``optional``: what an empty answer means
    (None: an answer is needed)."""
    ids = [o[0] for o in options]
    while True:
        # "" rather than None: asked again here, with why (a prompt without a default
        # repeats itself in silence on an empty answer)
        answer = p.ask(what + (f" (empty: {optional})" if optional else ""),
                       "" if default is None else default).strip()
        if not answer:
            if optional:
                return None
            p.say(f"  {what} is needed.")
            continue
        if answer.isdigit() and 1 <= int(answer) <= len(options) and answer not in ids:
            return options[int(answer) - 1][0]
        if answer in ids:
            return answer
        words = _words(answer)
        found = [o for o in options if words and all(w in _words(o[0] + " " + o[1]) for w in words)]
        if len(found) == 1:
            return found[0][0]
        if not found:
            p.say(f"  Nothing matches '{answer}': type a number, an id or part of a name.")
            continue
        p.say(f"  {len(found)} match; type the number or the id:")
        for oid, label in found[:LISTED]:
            p.say(f"  {ids.index(oid) + 1:>4}. {label} ({oid})")
        if len(found) > LISTED:
            p.say(f"        … and {len(found) - LISTED} more: type more of the name.")


def _date(p: Prompter, what: str, default: str | None, optional: bool = False,
          not_after: dt.date | None = None) -> dt.date | None:
    while True:
        answer = p.ask(what, "" if default is None else default).strip()  # as in _pick
        if not answer and optional:
            return None
        try:
            day = read_date(answer, what)
        except BadValue as exc:
            p.say(f"  {exc.message}")
            continue
        if not_after is not None and day > not_after:
            p.say(f"  {day.isoformat()} is after today ({not_after.isoformat()}): log a visit "
                  "once it happened.")
            continue
        return day


def _text(p: Prompter, what: str, optional: bool = False) -> str | None:
    while True:
        answer = p.ask(what, "").strip()  # "": asked again here, with why
        if answer or optional:
            return answer or None
        p.say(f"  {what} is needed.")


def _many(p: Prompter, what: str) -> list[str]:
    out = []
    while True:
        answer = p.ask(f"{what} {len(out) + 1} (empty: no more)", "").strip()
        if not answer:
            return out
        out.append(answer)


def interview(root, p: Prompter) -> dict:
    """Ask for one interaction; the values given, as `new interaction`'s options give them
    (``given``), plus ``follow_ups`` as records."""
    site = Existing(root)
    team_files = site.ids("team")
    members = []
    for tid, rel in sorted(team_files.items()):
        data = site.data(rel)
        role = data.get("role") if isinstance(data, dict) else None
        members.append((tid, _name(site, rel) or tid, role == "liaison"))
    members.sort(key=lambda m: (not m[2], m[1].lower(), m[0]))
    team = [(tid, name) for tid, name, _ in members]
    if not team:
        raise BadValue("the site has no team member yet: add one with `liaison new member`")
    p.say("Who logs it:")
    for i, (tid, name) in enumerate(team[:LISTED]):
        p.say(f"  {i + 1:>4}. {name} ({tid})")
    if len(team) > LISTED:
        p.say(f"        … and {len(team) - LISTED} more: type part of a name.")
    liaison = _pick(p, "Logged by", team)

    practices = site.ids("practices")
    if not practices:
        raise BadValue("the site has no practice yet: add one with `liaison new practice`")
    # Practices by id (their readable file names): names are read only when they are listed.
    options = [(pid, pid.replace("-", " ")) for pid in sorted(practices)]
    practice = _pick(p, "Practice (id or part of it)", options)
    p.say(f"  {_name(site, practices[practice]) or practice}")

    at = [(pid, _name_in(data) or pid)
          for pid, _rel, data in site.records("physicians", holding=practice)
          if str(data.get("practice", "")).strip() == practice]
    physicians: list[str] = []
    if at:
        p.say("Physicians there:")
        for i, (pid, name) in enumerate(at):
            p.say(f"  {i + 1:>4}. {name} ({pid})")
        while True:
            answer = p.ask("Physicians met (numbers or ids, separated by spaces; empty: none)",
                           "").strip()
            chosen, wrong = [], []
            for word in answer.replace(",", " ").split():
                if word.isdigit() and 1 <= int(word) <= len(at):
                    chosen.append(at[int(word) - 1][0])
                elif word in dict(at):
                    chosen.append(word)
                else:
                    wrong.append(word)
            if not wrong:
                physicians = list(dict.fromkeys(chosen))
                break
            p.say(f"  Not a physician of {practice}: {', '.join(wrong)}.")

    kind = _pick(p, "Type (" + ", ".join(INTERACTION_TYPES) + ")",
                 [(t, t) for t in INTERACTION_TYPES], default="visit")
    today = default_date("--date")
    day = _date(p, "Date (YYYY-MM-DD)", today.isoformat(), not_after=today)
    summary = _text(p, "Summary (one line: what happened)")
    needs = _many(p, "Need they voiced")
    outcome = _pick(p, "Outcome (" + ", ".join(OUTCOMES) + ")", [(o, o) for o in OUTCOMES],
                    optional="none", default="")
    while True:
        cost = p.ask("Cost in USD (meals, gifts; empty: none)", "").strip().removeprefix("$")
        if not cost or re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", cost):
            break
        p.say("  Write dollars and cents with digits, at most two decimals, like 42.50.")
    follow_ups = []
    while True:
        task = p.ask(f"Follow-up {len(follow_ups) + 1}: task (empty: no more)", "").strip()
        if not task:
            break
        due = _date(p, "  due (YYYY-MM-DD)", None)
        owner = _pick(p, "  owner", team, optional="who logs it", default="")
        fu = {"task": task, "due": due}
        if owner and owner != liaison:
            fu["owner"] = owner
        follow_ups.append(fu)
    given = {"liaison": liaison, "type": kind, "date": day.isoformat(), "practice": practice,
             "physicians": tuple(physicians), "summary": summary, "needs": tuple(needs),
             "outcome": outcome, "cost": cost or None}
    if follow_ups:
        given["follow_ups"] = follow_ups
    return given
