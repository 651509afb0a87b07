"""The colours of the pages, the charts and the decks: one palette.

The built-in palette is ``liaison/templates/palette.yaml``; a site changes colours with its own
``templates/palette.yaml``, holding only the keys it changes. Its problems (YAML syntax, an
unknown key, a value that is not ``#rgb`` / ``#rrggbb``) are diagnostics at their line and
column, reported by ``validate`` (liaison.overrides) and refused by ``build``.

Where the colours go:

* charts (liaison.charts) and .pptx decks (liaison.pptx) take a ``Palette``; by default the
  active one, which ``render.make_env`` sets for the site being built, before the build forks
  its workers (they inherit it);
* CSS assets mark a colour with the palette key it stands for, ``#0f766e /* palette: primary */``:
  the build drops the mark and writes the site's colour in place of the literal when the site
  changed that key (``apply_css``), so the default output is the stylesheet as written;
* the pages' dark scheme (``prefers-color-scheme: dark``, style.css) takes the ``dark-*`` keys.
  A site that changes a colour of the practice (``primary``, ``series-1``, ``good``…) and not
  its ``dark-`` key gets in the dark scheme that colour lightened until it reads on the dark
  background (``follow_dark``, as the site's palette is loaded); the dark neutrals (text,
  background…) stay the built-in ones unless the site sets them. Charts and .pptx decks are written in the light colours; the
  style sheet recolours a chart's marks in the dark scheme.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from liaison.diagnostics import Problem, did_you_mean

BUILTIN = Path(__file__).parent / "templates" / "palette.yaml"
SITE_FILE = "templates/palette.yaml"  # relative to a site root
MAX_BYTES = 64 * 1024
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_HEX_ONLY = re.compile(r"(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_CSS_MARK = re.compile(r"(#[0-9a-fA-F]{3,8})[ \t]*/\*[ \t]*palette:[ \t]*([a-z0-9-]+)[ \t]*\*/")


@dataclass(frozen=True)
class Palette:
    """Every colour of the palette as ``#rrggbb`` (lower case). Keys are written with hyphens
    in palette.yaml (``series-1``) and with underscores here (``series_1``)."""

    text: str
    strong: str
    muted: str
    caption: str
    faint: str
    grid: str
    rule: str
    band: str
    background: str
    surface: str
    primary: str
    primary_soft: str
    header: str
    header_text: str
    series_1: str
    series_2: str
    good: str
    good_soft: str
    warning: str
    warning_soft: str
    bad: str
    bad_soft: str
    info: str
    info_soft: str
    # the dark scheme (prefers-color-scheme: dark) of the pages: style.css's variables there
    dark_text: str
    dark_muted: str
    dark_caption: str
    dark_faint: str
    dark_grid: str
    dark_band: str
    dark_background: str
    dark_surface: str
    dark_primary: str
    dark_primary_soft: str
    dark_series_1: str
    dark_series_2: str
    dark_good: str
    dark_good_soft: str
    dark_warning: str
    dark_warning_soft: str
    dark_bad: str
    dark_bad_soft: str
    dark_info: str
    dark_info_soft: str

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The keys as palette.yaml writes them, in the dataclass's order."""
        return tuple(f.name.replace("_", "-") for f in fields(cls))

    def __getitem__(self, key: str) -> str:
        return getattr(self, key.replace("-", "_"))

    def items(self) -> list[tuple[str, str]]:
        return [(k, self[k]) for k in self.keys()]

    def hex(self, key: str) -> str:
        """A colour as DrawingML writes it: ``0F766E``."""
        return self[key][1:].upper()


def normalize(value: str) -> str:
    """``#ABC`` -> ``#aabbcc``; ``#0F766E`` -> ``#0f766e``."""
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def parse(text: str, path: str = SITE_FILE,
          where: dict | None = None) -> tuple[dict[str, str], list[Problem]]:
    """The text of a palette.yaml -> (the colours it sets, by key, normalized; its problems,
    each at its line and column). A key in error sets nothing; ``where`` (given) gets the
    (line, column) of each colour set."""
    from liaison.yamlio import YamlSyntaxError, compose

    problems: list[Problem] = []

    def problem(message: str, line: int, col: int) -> None:
        problems.append(Problem(path, message, line=line, col=col))

    try:
        root = compose(text)
    except YamlSyntaxError as exc:
        problem(exc.message, exc.line, exc.col)
        return {}, problems
    if root is None:  # an empty file (or comments only) changes nothing
        return {}, problems
    if not isinstance(root, yaml.MappingNode):
        problem('palette.yaml holds colours by name, one a line, e.g. primary: "#0f766e"',
                root.start_mark.line + 1, root.start_mark.column + 1)
        return {}, problems

    keys = Palette.keys()
    lines = text.split("\n")
    found: dict[str, str] = {}
    seen: set[str] = set()
    for key_node, value_node in root.value:
        kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problem("a key of palette.yaml is a colour's name, such as primary", kline, kcol)
            continue
        key = key_node.value
        if key in seen:
            problem(f"duplicate key '{key}'", kline, kcol)
            continue
        seen.add(key)
        if key not in keys:
            hint = did_you_mean(key, keys) or did_you_mean(key.replace("_", "-"), keys, 0.8)
            problem(f"unknown palette key '{key}'{hint}; the keys are "
                    + ", ".join(keys), kline, kcol)
            continue
        vline, vcol = value_node.start_mark.line + 1, value_node.start_mark.column + 1
        if not isinstance(value_node, yaml.ScalarNode):
            problem(f"'{key}' takes one colour, #rgb or #rrggbb, e.g. {key}: \"#0f766e\"",
                    vline, vcol)
            continue
        value = value_node.value
        if _COLOUR.fullmatch(value):
            found[key] = normalize(value)
            if where is not None:
                where[key] = (vline, vcol)
            continue
        if not value_node.style and value in ("", "~", "null"):
            line = lines[kline - 1] if kline <= len(lines) else ""
            hash_at = line.find("#", kcol - 1 + len(key))
            if hash_at >= 0:  # `primary: #0f766e`: the colour became a comment
                problem(f"'{key}' has no colour: an unquoted # starts a YAML comment; quote "
                        f"the colour: {key}: \"{line[hash_at:].split()[0]}\"", kline, hash_at + 1)
            else:
                problem(f"'{key}' has no colour: write #rgb or #rrggbb, quoted, e.g. "
                        f"{key}: \"#0f766e\"", vline, vcol)
            continue
        hint = (f" (did you mean \"#{value}\"?)" if _HEX_ONLY.fullmatch(value)
                else "; a colour is #rgb or #rrggbb (names such as 'teal' are not accepted)")
        problem(f"'{value}' is not a colour{hint}", vline, vcol)
    return found, problems


def _load_builtin() -> Palette:
    found, problems = parse(BUILTIN.read_text(encoding="utf-8"), "liaison/templates/palette.yaml")
    missing = [k for k in Palette.keys() if k not in found]
    if problems or missing:  # pragma: no cover - the package's own file is tested
        raise RuntimeError(f"the built-in palette is broken: {problems or missing}")
    return Palette(**{k.replace("-", "_"): v for k, v in found.items()})


DEFAULT = _load_builtin()


def load(site_root: Path) -> tuple[Palette, list[Problem]]:
    """A site's palette: the built-in one with the site's ``templates/palette.yaml`` over it,
    and that file's problems (the built-in colour stands for a key in error)."""
    from liaison.parse import read_site_file

    text, problems = read_site_file(site_root, SITE_FILE, MAX_BYTES,
                                    "a palette holds a few colours")
    if text is None:
        return DEFAULT, problems
    where: dict[str, tuple[int, int]] = {}
    found, problems = parse(text, where=where)
    palette = replace(DEFAULT, **{k.replace("-", "_"): v for k, v in found.items()})
    return follow_dark(palette, set(found)), problems + slide_contrast(palette, where)


# The text of a .pptx slide (liaison.pptx.slides) and what it stands on: (text, ground, what it
# is); a colour that is no key is the slides' own (a table header's white)
SLIDE_TEXT = (("primary", "surface", "the slides' titles and big numbers"),
              ("#ffffff", "primary", "a slide table's header row (white on primary)"),
              ("strong", "surface", "the slides' text"),
              ("strong", "band", "the slides' text in a table's banded rows"),
              ("muted", "surface", "a title slide's subtitle"),
              ("caption", "surface", "the slides' footer"))


def slide_contrast(palette: Palette, where: dict[str, tuple[int, int]]) -> list[Problem]:
    """A warning, at the colour of the site's palette.yaml (``where``: key -> line, column)
    that makes it, for each text of the .pptx slides that reads at less than 4.5:1 on its
    ground (WCAG's measure, which PowerPoint's Accessibility Checker and a room's projector
    ask of text); the built-in colours give none."""
    out = []
    for text, ground, what in SLIDE_TEXT:
        given = [k for k in (text, ground) if k in where]
        if not given:
            continue
        a, b = (k if k.startswith("#") else palette[k] for k in (text, ground))
        ratio = contrast(a, b)
        if ratio < 4.5:
            key = given[0]
            mine, other = (a, b) if key == text else (b, a)
            way = "lighter" if _luminance(mine) > _luminance(other) else "darker"
            # rounded down: 4.48:1 read "4.5:1" in a warning that it needs 4.5:1
            shown = math.floor(ratio * 10) / 10
            out.append(Problem(SITE_FILE, f"{what} read at {shown:.1f}:1 ({a} on {b}); text on a slide "
                                          f"needs 4.5:1 at least: make '{key}' {way}",
                               severity="warning", line=where[key][0], col=where[key][1]))
    return out


def for_site(site_root: Path) -> Palette:
    """A site's palette for a build; raises TemplateFailure (its diagnostics, one a line) when
    the site's palette.yaml has errors (its warnings are validate's to say)."""
    from liaison.errors import TemplateFailure

    palette, problems = load(site_root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise TemplateFailure.of(errors)
    return palette


def apply_css(css: str, palette: Palette) -> str:
    """A stylesheet with its palette marks resolved: ``#0f766e /* palette: primary */``
    becomes the palette's primary colour when it differs from the built-in one, else the
    literal as written (so the default output is the file as written, minus the marks). A
    mark naming no key is left as it is."""
    if "palette:" not in css:
        return css

    def resolve(m: re.Match) -> str:
        literal, key = m.group(1), m.group(2)
        if key not in _KEYS:
            return m.group(0)
        colour = palette[key]
        return colour if colour != DEFAULT[key] else literal

    return _CSS_MARK.sub(resolve, css)


# a dark key that follows the site's light colour when the site sets the light one only: the
# colours of the practice and of meanings (a site's own brand, its own red). The neutrals (text,
# grid, background…) are the dark scheme's own: a site's cream background is no dark one.
_FOLLOWS = {"primary": 4.5, "series-1": 3.0, "series-2": 3.0, "good": 4.5, "warning": 4.5,
            "bad": 4.5, "info": 4.5}  # the contrast each needs on the dark surfaces (text: 4.5)
_SOFT_SHARE = 0.22  # a dark "-soft" background: this much of its colour in the dark surface


def _luminance(colour: str) -> float:
    chans = []
    for i in (1, 3, 5):
        v = int(colour[i:i + 2], 16) / 255
        chans.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
    return 0.2126 * chans[0] + 0.7152 * chans[1] + 0.0722 * chans[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _mix(a: str, b: str, share_a: float) -> str:
    """``a`` and ``b`` mixed in sRGB, ``share_a`` of ``a``."""
    return "#" + "".join(
        f"{round(int(a[i:i + 2], 16) * share_a + int(b[i:i + 2], 16) * (1 - share_a)):02x}"
        for i in (1, 3, 5))


def follow_dark(palette: Palette, given: frozenset[str] | set[str] = frozenset()) -> Palette:
    """``palette`` with its dark colours following the site's: each ``dark-*`` key not in
    ``given`` (the keys the site's palette.yaml sets), of a colour of the practice or of a
    meaning whose light key the site changed, becomes that colour for the dark scheme: a
    ``-soft`` one a little of it in the dark surface; the others mixed with white until they
    have their contrast on the dark background, surface, band and their own soft ground. The
    other dark keys are left as they are."""
    for softs in (True, False):  # the soft grounds first: the colours are measured on them
        changed = {}
        for base, need in _FOLLOWS.items():
            key = f"dark-{base}-soft" if softs else f"dark-{base}"
            if key not in _KEYS or key in given or palette[base] == DEFAULT[base]:
                continue
            if softs:
                changed[key] = _mix(palette[base], palette["dark-surface"], _SOFT_SHARE)
                continue
            grounds = [palette["dark-background"], palette["dark-surface"], palette["dark-band"]]
            if f"{key}-soft" in _KEYS:
                grounds.append(palette[f"{key}-soft"])
            for step in range(21):
                colour = _mix("#ffffff", palette[base], step / 20)
                if min(contrast(colour, g) for g in grounds) >= need:
                    break
            changed[key] = colour
        palette = replace(palette, **{k.replace("-", "_"): v for k, v in changed.items()})
    return palette


def css_marks(css: str) -> list[tuple[int, int, str]]:
    """(line, column, key) of every palette mark in a stylesheet."""
    out = []
    for m in _CSS_MARK.finditer(css):
        before = css[: m.start(2)]
        out.append((before.count("\n") + 1, m.start(2) - (before.rfind("\n") + 1) + 1, m.group(2)))
    return out


_KEYS = frozenset(Palette.keys())
