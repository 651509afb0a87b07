"""A new file is read back the way `validate` reads it (the loader's parsers, models and
patient-information guard) before it is written, and written without ever replacing a file.

A problem of a value is said about the option that gave it (BadValue, exit 2); text that does
not read back as the values given is a bug of the writer (LiaisonError, nothing written).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import BaseModel

from liaison.diagnostics import format_loc
from liaison.errors import LiaisonError
from liaison.scaffold.fields import BadValue, flags

YAML_EXT = (".yaml", ".yml")


def raise_value_problems(problems, model: type[BaseModel], warn=None) -> None:
    """Loader problems -> BadValue: one, about its option; several, one line each. A
    message loses the location of its field (``name: ``, or a list file's ``[0].source: ``);
    a list item's index stays (``needs[0]: ``). A warning (the guard's near forms) is said
    with ``warn``, about its option, and refuses nothing."""
    option_of = flags(model)
    lines = []
    for p in problems:
        if p.severity == "warning":
            if warn is not None:
                warn("warning: " + _about_option(p, option_of))
            continue
        name, msg = _field_and_message(p)
        lines.append((option_of.get(name, f"--{name}") if name else None, msg))
    if len(lines) == 1 and lines[0][0]:
        raise BadValue(lines[0][1], lines[0][0])
    if lines:
        raise BadValue("\n".join(f"{opt or 'value'}: {msg}" for opt, msg in lines))


def _field_and_message(p) -> tuple[str | None, str]:
    """A problem's field (the first name of its location) and its message without the
    location of that field (a list item's index stays: ``needs[0]: ``)."""
    loc = tuple(p.loc or ())
    n = next((i for i, part in enumerate(loc) if isinstance(part, str)), len(loc))
    name = str(loc[n]) if n < len(loc) else None
    where, msg = format_loc(loc[:n + 1]), p.message
    if where and msg.startswith((f"{where}: ", f"{where}.")):
        msg = msg[len(where) + (2 if msg[len(where)] == ":" else 1):]
    return name, msg


def _about_option(p, option_of) -> str:
    """'--need: needs[0]: message' for a problem of a value (its field's option first)."""
    name, msg = _field_and_message(p)
    return f"{option_of.get(name, f'--{name}') if name else 'value'}: {msg}"


def _not_as_given(rel: str) -> LiaisonError:
    return LiaisonError(f"{rel}: the values do not read back as given; nothing written")


def verify_record(root: Path, rel: str, text: str, model: type[BaseModel], values: dict,
                  warn=None):
    """Read a one-record file back; its record (warnings said with ``warn``)."""
    from liaison.load import Loader

    loader = Loader(root)
    record = loader.records(rel, loader.parse(rel, raw=text.encode("utf-8")),
                            lambda data: loader.validate(model, data, rel))
    raise_value_problems(loader.problems, model, warn)
    try:
        expected = model.model_validate(values)
    except Exception:  # pragma: no cover - the file validated, so the values do
        expected = None
    if record is None or record != expected:  # pragma: no cover - a bug of the writer
        raise _not_as_given(rel)
    return record


def verify_referral(root: Path, rel: str, text: str, values: dict, warn=None) -> None:
    """Read a referral list file of one row back (the loader's own rules for referrals)."""
    from liaison.load import Loader, _referral_yaml
    from liaison.models import Referral

    loader = Loader(root)
    rows = loader.records(rel, loader.parse(rel, raw=text.encode("utf-8")),
                          lambda data: _referral_yaml(loader, rel, data))
    raise_value_problems(loader.problems, Referral, warn)
    expected = (values["date"], values["source"], values.get("physician"), values["service"],
                values.get("status", "referred"), values.get("count", 1))
    if not rows or len(rows) != 1 or tuple(rows[0][:6]) != expected:  # pragma: no cover
        raise _not_as_given(rel)


def verify_markdown(rel: str, text: str, model: type[BaseModel], values: dict, warn=None):
    """Read a guide or deck back (front matter through the loader; a deck's slide templates
    compiled); its Guide or Deck."""
    from liaison.load import Loader, _load_markdown
    from liaison.models import DeckMeta

    with tempfile.TemporaryDirectory(prefix="liaison-new-") as tmp:
        path = Path(tmp) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        loader = Loader(Path(tmp))
        doc = _load_markdown(loader, rel, model)
    raise_value_problems([p for p in loader.problems if p.loc], model, warn)
    for p in loader.problems:  # a near form of the guard in the body (the title, in a guide)
        if not p.loc and p.severity == "warning" and warn is not None:
            warn(f"warning: {rel}:{p.line}: {p.message}")
    errors = [p for p in loader.problems if p.severity != "warning"]
    if errors:  # pragma: no cover - a problem of the writer, not of a value
        raise LiaisonError(f"{rel}: does not read back: {errors[0].message}; "
                           "nothing written")
    if doc is None or doc.meta != model.model_validate(values):  # pragma: no cover
        raise _not_as_given(rel)
    if model is DeckMeta:
        from liaison.decks import compile_deck, make_env

        _compiled, errors = compile_deck(make_env(), doc)
        if errors:  # pragma: no cover - the skeleton is ours; a title is kept out of Jinja
            raise LiaisonError(f"{rel}:{errors[0].line}: {errors[0]}; nothing written")
    return doc


# ------------------------------------------------------------------------------ writing


def _write(fh, text: str) -> None:
    fh.write(text)


WRITTEN: list[str] = []  # the files this process created, for a message that follows a failure


def write_new(root: Path, rel: str, text: str) -> None:
    """Create ``rel`` (never replacing a file: exclusive creation), or LiaisonError. A write
    that fails or is interrupted (Ctrl+C) leaves no part of the file behind."""
    path = root / rel
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            try:
                _write(fh, text)
                fh.flush()
            except BaseException:
                fh.close()
                path.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise LiaisonError(f"{rel} already exists: not overwritten") from None
    except OSError as exc:
        raise LiaisonError(f"cannot write {rel}: {exc.strerror or exc}") from None
    WRITTEN.append(rel)


def write_free_name(root: Path, folder: str, stem: str, text: str) -> str:
    """Write ``text`` at ``folder/stem.yaml``, else ``stem-2``, ``-3``, … (a name not taken by
    a .yaml or .yml file): the path written."""
    for n in range(1, 10_000):
        name = stem + (f"-{n}" if n > 1 else "")
        if any((root / folder / f"{name}{ext}").exists() for ext in YAML_EXT):
            continue
        rel = f"{folder}/{name}.yaml"
        try:
            write_new(root, rel, text)
        except LiaisonError:
            if (root / rel).exists():  # created meanwhile by someone else: take the next name
                continue
            raise
        return rel
    raise LiaisonError(f"{folder}: no free file name for {stem}")  # pragma: no cover
