"""Which of our services fit a physician's specialty: the mapping behind the briefs' talking
point "their specialty fits …" (liaison.pages.talking).

The built-in mapping is ``liaison/templates/talking-points.yaml``: specialty keywords, each with
the service keys to suggest. A site changes it with its own ``templates/talking-points.yaml``
holding only the keywords it adds or changes (an empty list suggests nothing for that keyword).
A physician matches a keyword when the keyword's words appear, in order and as whole words, in
their specialty, in any case; the services of every keyword they match are suggested, in the
order of site.yaml's services. Service keys of the built-in file that a site does not have are
skipped; in a site's file they are errors.

The site file's problems (YAML syntax, a value that is not a list of service keys, an unknown
service, a duplicate keyword) are diagnostics at their line and column, reported by ``validate``
(liaison.overrides) and refused by ``build``, as for ``palette.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from liaison.diagnostics import Problem, did_you_mean

BUILTIN = Path(__file__).parent / "templates" / "talking-points.yaml"
SITE_FILE = "templates/talking-points.yaml"  # relative to a site root
MAX_BYTES = 64 * 1024
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> tuple[str, ...]:
    """The words of a specialty or keyword, lower-cased (a curly apostrophe is a straight one)."""
    return tuple(_WORD.findall(text.lower().replace("\u2019", "'")))


@dataclass(frozen=True)
class Fits:
    """The mapping: (keyword words, service keys) in the order written."""

    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def services_for(self, specialty: str, services: list[str]) -> list[str]:
        """The keys of ``services`` (site.yaml's, in its order) that fit ``specialty``."""
        have = words(specialty)
        wanted: set[str] = set()
        for keyword, keys in self.entries:
            k = len(keyword)
            if any(have[i:i + k] == keyword for i in range(len(have) - k + 1)):
                wanted.update(keys)
        return [s for s in services if s in wanted]

    def over(self, base: "Fits") -> "Fits":
        """This mapping's keywords over ``base``'s: the same keyword replaces, new ones add."""
        mine = dict(self.entries)
        merged = [(kw, mine.pop(kw, keys)) for kw, keys in base.entries]
        return Fits(tuple(merged) + tuple(mine.items()))


def parse(text: str, services: list[str] | None, path: str = SITE_FILE
          ) -> tuple[Fits, list[Problem]]:
    """The text of a talking-points.yaml -> (its mapping, its problems at their lines and
    columns). ``services``: the site's service keys, which every key must be one of (None:
    not checked, for the built-in file). A keyword in error maps nothing."""
    from liaison.yamlio import YamlSyntaxError, compose

    problems: list[Problem] = []

    def problem(message: str, node) -> None:
        problems.append(Problem(path, message, line=node.start_mark.line + 1,
                                col=node.start_mark.column + 1))

    try:
        root = compose(text)
    except YamlSyntaxError as exc:
        return Fits(), [Problem(path, exc.message, line=exc.line, col=exc.col)]
    if root is None:  # empty, or comments only: changes nothing
        return Fits(), problems
    # The examples name the site's own services (the built-in file, checked without them,
    # never has a problem to show): a sleep center is not told of vein ablation.
    shown = (services or ["consultation"])[:2]
    example = f"family medicine: [{', '.join(shown)}]"
    if not isinstance(root, yaml.MappingNode):
        problem(f"talking-points.yaml maps specialty keywords to service keys, one a line, "
                f"e.g. {example}", root)
        return Fits(), problems
    entries: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode) or not words(key_node.value):
            problem(f"a key of talking-points.yaml is a specialty keyword, e.g. {example}",
                    key_node)
            continue
        keyword = words(key_node.value)
        if keyword in seen:
            problem(f"duplicate specialty keyword '{key_node.value}' (also on line "
                    f"{seen[keyword]})", key_node)
            continue
        seen[keyword] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "~", "null") \
                and not value_node.style:
            problem(f"'{key_node.value}' needs a list of service keys; [] suggests nothing",
                    value_node)
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            one = value_node.value if isinstance(value_node, yaml.ScalarNode) else shown[0]
            problem(f"'{key_node.value}' takes a list of service keys, in brackets: "
                    f"{key_node.value}: [{one}]", value_node)
            continue
        keys: list[str] = []
        ok = True
        for item in value_node.value:
            if not isinstance(item, yaml.ScalarNode) or not item.value:
                problem(f"a service key is one word of site.yaml's services, e.g. {shown[0]}",
                        item)
                ok = False
                continue
            if services is not None and item.value not in services:
                problem(f"unknown service '{item.value}'{did_you_mean(item.value, services)}; "
                        f"the services of site.yaml are " + ", ".join(services), item)
                ok = False
                continue
            if item.value not in keys:
                keys.append(item.value)
        if ok:
            entries.append((keyword, tuple(keys)))
    return Fits(tuple(entries)), problems


def _load_builtin() -> Fits:
    fits, problems = parse(BUILTIN.read_text(encoding="utf-8"), None,
                           "liaison/templates/talking-points.yaml")
    if problems:  # pragma: no cover - the package's own file is tested
        raise RuntimeError(f"the built-in talking points are broken: {problems}")
    return fits


DEFAULT = _load_builtin()


def load(site_root: Path, services: list[str]) -> tuple[Fits, list[Problem]]:
    """A site's mapping: the built-in one with the site's ``templates/talking-points.yaml``
    over it, and that file's problems (a keyword in error keeps its built-in services)."""
    from liaison.parse import read_site_file

    text, problems = read_site_file(site_root, SITE_FILE, MAX_BYTES,
                                    "it maps a few specialties to services")
    if text is None:
        return DEFAULT, problems
    fits, problems = parse(text, services)
    return fits.over(DEFAULT), problems


def for_site(site_root: Path, services: list[str]) -> Fits:
    """A site's mapping for a build; raises TemplateFailure (its diagnostics, one a line) when
    the site's talking-points.yaml has problems."""
    from liaison.errors import TemplateFailure

    fits, problems = load(site_root, services)
    if problems:
        raise TemplateFailure.of(problems)
    return fits
