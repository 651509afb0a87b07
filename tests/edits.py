"""Edits a person might commit to a site root, for the tests that compare what a change
makes with a fresh build (tests/test_incremental.py, tests/test_serve.py)."""
from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
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
# Edits of records added, renamed and removed, of the guides, site.yaml and a template
# override, for the chains of edits (``chain``): kept apart from EDITS as those are.
# The "visit" kinds edit the first interaction of the interaction file edited last (``_hot``:
# a build keeps the parts of what its records name and works out again only those of the
# records that changed, when it is edited again): moved to another physician, to a practice
# (the one added last, if any), to another month, or given a promise.
CHAIN_EDITS = ("doctor added", "doctor renamed", "doctor removed", "practice added",
               "practice renamed", "practice removed", "member added", "member removed",
               "guide", "setting", "template", "template edited", "no template",
               "visit moved", "visit to practice", "visit dated", "promise")
# What a site's override of the physician's brief adds to the built-in one (``template``).
OVERRIDE_MARK = "Override of the brief"


def site_files(out: Path) -> dict[str, bytes]:
    """Every file of a built site by relative path, its build record aside."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".liaison-build.json"}


def same_site(got: Path, want: Path) -> None:
    a, b = site_files(got), site_files(want)
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    for rel in a:
        assert a[rel] == b[rel], rel


def fresh_build(root: Path, as_of: dt.date, out: Path, **options) -> Path:
    """A full build of a copy of ``root`` (beside ``out``) with a cache folder of its own, into
    ``out``: nothing a build of ``root`` kept (the parse cache, the records' store, the keys'
    parts, the input signatures) is read or refreshed by it. ``out``."""
    from liaison.pipeline import build

    copy, cache = out.with_name(out.name + "-root"), out.with_name(out.name + "-cache")
    for folder in (copy, cache, out):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    was = os.environ.get("LIAISON_CACHE_DIR")
    os.environ["LIAISON_CACHE_DIR"] = str(cache)
    try:
        build(copy, as_of, out, full=True, **options)
    finally:
        if was is None:
            del os.environ["LIAISON_CACHE_DIR"]
        else:
            os.environ["LIAISON_CACHE_DIR"] = was
    return out


def chain(rng: random.Random, root: Path, kinds, as_of: dt.date, step, check=None,
          at=()) -> list[str]:
    """Edits made one after another in ``root``, ``step(as_of)`` after each (an incremental
    build, serve's refresh: never a full build of ``root``, which would make again what the
    next step keeps): each of ``kinds`` is a kind ``edit`` takes, "revert" (the files put
    back as they were before the last edit the site took; nothing before the first) or a
    date (the as-of date moves to it, no file edited). ``step`` returns whether the site
    took the edit; an edit it refuses (data with errors) is taken back, and the next edit
    follows at once. ``check(as_of)`` after the steps whose numbers are in ``at`` (a
    comparison with a ``fresh_build``). What was done, step by step ("refused: ..." for an
    edit taken back)."""
    done, last = [], None
    for number, kind in enumerate(kinds):
        was = _tree(root)
        if isinstance(kind, dt.date):
            as_of, what = kind, f"as of {kind}"
        elif kind == "revert":
            if last is not None:
                _put_back(root, last)
            what = "revert"
        else:
            what = edit(rng, root, kind)[0]
        if step(as_of):
            last = was
        else:
            _put_back(root, was)
            what = "refused: " + what
        done.append(what)
        if check is not None and number in at:
            check(as_of)
    return done


def _tree(root: Path) -> dict[str, bytes]:
    """The bytes of every file of the site root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file()}


def _put_back(root: Path, tree: dict[str, bytes]) -> None:
    """The site root's files as they were in ``tree`` (``_tree``): those changed written
    again, those added removed, the others left as they are."""
    for rel, data in _tree(root).items():
        if rel not in tree:
            (root / rel).unlink()
        elif tree[rel] != data:
            (root / rel).write_bytes(tree[rel])
    for rel, data in tree.items():
        if not (root / rel).exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)


def _hot(logs: list[Path]) -> Path:
    """The interaction file written last (of those written at the same time, the last by
    name: the newest month's)."""
    return max(logs, key=lambda p: (p.stat().st_mtime_ns, p))


def _unnamed(root: Path, folder: str) -> list[Path]:
    """The records of ``data/<folder>`` that no other file of ``data`` names (a physician, a
    practice or a team member that can be renamed or removed without an error)."""
    data = root / "data"
    text = "\n".join(p.read_text() for p in data.rglob("*")
                     if p.is_file() and p.suffix in (".yaml", ".yml", ".csv")
                     and p.parent.name != folder)
    return [p for p in sorted((data / folder).glob("*.yaml"))
            if not re.search(rf"(?<![\w-]){re.escape(p.stem)}(?![\w-])", text)]


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
    elif kind in ("visit moved", "visit to practice", "visit dated", "promise"):
        path = _hot(logs)
        before[path] = path.read_bytes()
        doctor = rng.choice(physicians).stem
        added = [p.stem for p in practices if p.stem.startswith("added-")]
        practice = added[-1] if added else rng.choice(practices).stem
        team = sorted(t.stem for t in (data / "team").glob("*.yaml"))

        def change(items):
            item = items[0] if isinstance(items, list) else items
            if kind == "visit moved":
                item["physicians"] = [doctor]
                item.pop("practice", None)
            elif kind == "visit to practice":
                item["practice"] = practice
                item.pop("physicians", None)
            elif kind == "visit dated":
                item["date"] = item["date"].replace(day=1) - dt.timedelta(days=rng.randint(1, 60))
            else:
                item.setdefault("follow_ups", []).append({
                    "task": "Send the new intake form", "owner": rng.choice(team),
                    "due": item["date"] + dt.timedelta(days=rng.randint(1, 60))})
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
    elif kind in ("doctor added", "practice added", "member added"):
        folder, text = {
            "doctor added": ("physicians", "name: Ovi Brannick {n}\nspecialty: Podiatry\n"
                                           f"practice: {rng.choice(practices).stem}\n"),
            "practice added": ("practices", "name: Larchmere Foot Clinic {n}\n"
                                            "address: 40 Quarry Lane\ncity: Lakewood\n"
                                            "state: VT\nzip: \"88052\"\n"),
            "member added": ("team", "name: Pell Andry {n}\nrole: liaison\n")}[kind]
        n = rng.randint(1, 10**5)
        path = data / folder / f"added-{n}.yaml"
        path.write_text(text.format(n=n))
    elif kind in ("doctor renamed", "doctor removed", "practice removed", "member removed"):
        # (a record no other file names: else the edit is data with errors)
        folder = {"doctor": "physicians", "practice": "practices",
                  "member": "team"}[kind.split()[0]]
        path = rng.choice(_unnamed(root, folder) or sorted((data / folder).glob("*.yaml")))
        before[path] = path.read_bytes()
        if kind == "doctor renamed":
            path = path.rename(path.with_name(f"renamed-{rng.randint(1, 10**5)}.yaml"))
        else:
            path.unlink()
    elif kind == "practice renamed":  # (the one the hot file's first interaction names, if any)
        first = yaml.safe_load(_hot(logs).read_text())
        named = (first[0] if isinstance(first, list) else first).get("practice")
        path = data / "practices" / f"{named}.yaml"
        path = path if named and path.exists() else rng.choice(practices)
        before[path] = path.read_bytes()
        edit_yaml(path, lambda d: d.update(name=f"Quillfeather Family Clinic {rng.randint(1, 99)}"))
    elif kind == "guide":  # a paragraph added to a training guide
        path = rng.choice(sorted((root / "content" / "training").glob("*.md")))
        before[path] = path.read_bytes()
        path.write_text(path.read_text().rstrip("\n")
                        + f"\n\nAsk the front desk for the fax cover ({rng.randint(1, 99)}).\n")
    elif kind == "setting":  # our practice's phone, shown on every page's footer or head
        path = root / "site.yaml"
        before[path] = path.read_bytes()
        phone = f"(555) 555-{rng.randint(1000, 9999)}"
        edit_yaml(path, lambda d: d["practice"].update(phone=phone))
    elif kind in ("template", "template edited", "no template"):
        # a site's override of the physician's brief: made, edited, removed
        path = root / "templates" / "physician.html"
        before[path] = path.read_bytes() if path.exists() else None
        if kind == "no template":
            if path.exists():
                path.unlink()
        else:
            if not path.exists():
                from liaison import render

                path.parent.mkdir(exist_ok=True)
                path.write_bytes((Path(render.__file__).parent / "templates" /
                                  "physician.html").read_bytes())
            path.write_text(path.read_text().replace(
                "{% block content %}",
                f"{{% block content %}}<p>{OVERRIDE_MARK} {rng.randint(1, 99)}</p>", 1))
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
