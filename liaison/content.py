"""Markdown content files: front matter, training guides and deck sources (SPEC §6)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from liaison.models import DeckMeta, GuideMeta

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str
    line_offset: int  # file line of the YAML text's line 1, minus one
    body: str
    body_line: int  # file line where the body starts


def split_front_matter(text: str) -> FrontMatter:
    """'---\\nYAML\\n---\\nbody' -> its parts, or FrontMatterError."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        raise FrontMatterError(
            "missing front matter: the file must start with a line '---', the YAML "
            "front matter (title: …), and another line '---'"
        )
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i].rstrip("\r")):
            return FrontMatter(
                "\n".join(lines[1:i]), 1, "\n".join(lines[i + 1 :]), i + 2
            )
    raise FrontMatterError("the front matter is not closed: add a line '---' after it")


@dataclass
class Guide:
    """A training guide: content/training/<id>.md."""

    id: str
    path: str
    meta: GuideMeta
    body: str
    body_line: int


@dataclass
class Slide:
    source: str  # Jinja template text of the slide
    line: int  # file line of the slide's first line


@dataclass
class Deck:
    """A presentation deck: content/presentations/<id>.md."""

    id: str
    path: str
    meta: DeckMeta
    slides: list[Slide] = field(default_factory=list)


def split_slides(body: str, body_line: int) -> list[Slide]:
    """Slides are separated by lines holding only '---'; empty slides are dropped."""
    slides: list[Slide] = []
    start, buf = body_line, []
    for n, line in enumerate(body.split("\n"), start=body_line):
        if line.strip() == "---":
            slides.append(Slide("\n".join(buf), start))
            start, buf = n + 1, []
        else:
            buf.append(line)
    slides.append(Slide("\n".join(buf), start))
    return [s for s in slides if s.source.strip()]
