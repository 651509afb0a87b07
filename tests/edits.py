"""Edits a person might commit to a site root, for the tests that compare what a change
makes with a fresh build (tests/test_incremental.py, tests/test_serve.py)."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


EDITS = ("note", "date", "done", "drop", "add", "remove", "referral", "phone", "move", "rename",
         "practice", "tier", "new doctor", "follow-up", "row", "potential", "team", "training",
         "threshold", "deck")
# Edits of what the outputs added on 6 December read (practices.csv, referrals-by-month.csv's
# split, the calendars' SEQUENCE, the briefs' day-form alerts, lunches that record no cost,
# the promises' backlog): kept apart from EDITS so that the random series of the tests
# that draw from EDITS stay as they were.
DEPENDENCY_EDITS = ("lunch", "free lunch", "due", "address", "zip", "liaison", "row date",
                    "row source")


def edit(rng: random.Random, root: Path, kind: str) -> tuple[str, Path, bytes | None]:
    """One edit of a kind a person might commit: what it was, the file it changed and that
    file's bytes before (None: it is new)."""
    data = root / "data"
    logs = sorted((data / "interactions").rglob("*.yaml"))
    physicians = sorted((data / "physicians").glob("*.yaml"))
    practices = sorted((data / "practices").glob("*.yaml"))
    before = {}
    if kind in ("note", "date", "done", "drop", "follow-up", "lunch", "free lunch", "due"):
        path = rng.choice(logs)
        before[path] = path.read_bytes()

        def change(items):
            items = items if isinstance(items, list) else [items]
            item = rng.choice(items)
            if kind == "note":
                item["notes"] = f"Asked about the *new* clinic hours ({rng.randint(1, 999)})."
            elif kind == "date":
                item["date"] = dt.date(2026, rng.randint(1, 10), rng.randint(1, 28))
            elif kind == "done" and item.get("follow_ups"):
                item["follow_ups"][0]["done"] = item["date"]
            elif kind == "drop" and len(items) > 1:
                items.remove(item)
            elif kind == "follow-up":  # a promise made: open until done
                item.setdefault("follow_ups", []).append({
                    "task": "Bring the new referral pads",
                    "due": item["date"] + dt.timedelta(days=rng.randint(1, 90))})
            elif kind in ("lunch", "free lunch"):  # a lunch given, its cost written or not
                lunch = {key: item[key] for key in ("date", "liaison", "practice", "physicians")
                         if key in item}
                lunch.update(type="lunch", summary="Lunch for the front desk.")
                if kind == "lunch":
                    lunch["cost"] = rng.randint(20, 300) + 0.5
                items.append(lunch)
            elif kind == "due":  # a promise put off: its due date moved
                for task in item.get("follow_ups", ()):
                    if "done" not in task:
                        task["due"] += dt.timedelta(days=rng.randint(1, 40))
        edit_yaml(path, change)
    elif kind == "add":
        path = rng.choice(logs).with_name(f"added-{rng.randint(1, 10**6)}.yaml")
        path.write_text(rng.choice(logs).read_text())
    elif kind == "remove":
        path = rng.choice(logs)
        before[path] = path.read_bytes()
        path.unlink()
    elif kind in ("referral", "row", "row date", "row source"):
        # a row removed, entered twice, moved to another day of its month or to another source
        path = rng.choice(sorted((data / "referrals").glob("*.csv")))
        before[path] = path.read_bytes()
        lines = path.read_text().splitlines(keepends=True)
        if len(lines) > 2:
            at = rng.randrange(1, len(lines))
            cells = lines[at].rstrip("\n").split(",")
            column = {name: i for i, name in enumerate(lines[0].rstrip("\n").split(","))}
            date, source, doc = (column.get(c) for c in ("date", "source", "physician"))
            if kind == "referral":
                del lines[at]
            elif kind == "row date":
                cells[date] = cells[date][:8] + f"{rng.randint(1, 28):02d}"
                lines[at] = ",".join(cells) + "\n"
            elif kind == "row source" and doc is not None:
                cells[source], cells[doc] = (("web", "") if cells[source] == "physician" else
                                             ("physician", rng.choice(physicians).stem))
                lines[at] = ",".join(cells) + "\n"
            else:
                lines.insert(at, lines[at] if lines[at].endswith("\n") else lines[at] + "\n")
            path.write_text("".join(lines))
    elif kind in ("team", "training"):
        path = rng.choice(sorted((data / "team").glob("*.yaml")))
        before[path] = path.read_bytes()
        guides = sorted(g.stem for g in (root / "content" / "training").glob("*.md"))
        if kind == "team" or not guides:
            edit_yaml(path, lambda d: d.update(name=f"Rell Quarby {rng.randint(1, 99)}"))
        else:
            edit_yaml(path, lambda d: d.setdefault("trainings", []).append({
                "guide": rng.choice(guides), "completed": dt.date(2026, rng.randint(1, 10), 3),
                "score": rng.randint(60, 100)}))
    elif kind == "threshold":
        path = root / "site.yaml"
        before[path] = path.read_bytes()
        edit_yaml(path, lambda d: d.setdefault("thresholds", {}).update(
            lapsed_after_days=rng.choice([60, 90, 150])))
    elif kind == "deck":  # a line added to a deck's last slide
        path = rng.choice(sorted((root / "content" / "presentations").glob("*.md")))
        before[path] = path.read_bytes()
        path.write_text(path.read_text().rstrip("\n") + f"\n\nCall us any day ({rng.randint(1, 99)}).\n")
    elif kind == "practice":
        path = rng.choice(practices)
        before[path] = path.read_bytes()
        edit_yaml(path, lambda d: d.update(phone=f"828-555-{rng.randint(1000, 9999)}"))
    elif kind in ("address", "zip", "liaison"):  # a practice moved, or given another liaison
        path = rng.choice(practices)
        before[path] = path.read_bytes()
        team = sorted(t.stem for t in (data / "team").glob("*.yaml"))
        new = {"address": f"{rng.randint(10, 999)} Larch Row",
               "zip": f"{rng.randint(10000, 99999)}",
               "liaison": rng.choice(team)}[kind]
        edit_yaml(path, lambda d: d.update({kind: new}))
    elif kind == "new doctor":
        path = data / "physicians" / f"d-9{rng.randint(10000, 99999)}.yaml"
        path.write_text(f"name: Ovi Brannick {rng.randint(1, 99)}\nspecialty: Podiatry\n"
                        f"practice: {rng.choice(practices).stem}\n")
    else:
        path = rng.choice(physicians)
        before[path] = path.read_bytes()
        new = {"phone": f"828-555-{rng.randint(1000, 9999)}",
               "move": rng.choice(practices).stem,
               "rename": f"Tamsin Orlo-Vey {rng.randint(1, 99)}",
               "tier": rng.choice(["A", "B", "C"]),
               "potential": rng.choice(["high", "medium", "low"])}[kind]
        field = {"phone": "phone", "move": "practice", "rename": "name", "tier": "tier",
                 "potential": "potential"}[kind]
        edit_yaml(path, lambda d: d.update({field: new}))
    return f"{kind} {path.relative_to(root).as_posix()}", path, before.get(path)
