"""A small DOM of built pages for the page tests: parse a file, find elements by tag, class or
id, read their text. (The standard library's HTMLParser, no dependency.)"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
NBSP = "\u00a0"


class Node:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self, svg: bool = True) -> str:
        """The text, runs of white space as one; without ``svg``, leaving out the charts'
        text and reading no-break spaces as spaces (as a person reads the page)."""
        parts = [c if isinstance(c, str) else c.text(svg) for c in self.children
                 if isinstance(c, str) or svg or c.tag != "svg"]
        text = "".join(parts)
        return " ".join((text if svg else text.replace(NBSP, " ")).split())

    def all(self, tag: str, cls: str | None = None) -> list["Node"]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag and (cls is None or cls in c.classes):
                    found.append(c)
                found.extend(c.all(tag, cls))
        return found

    def by_id(self, ident: str) -> "Node | None":
        for c in self.children:
            if isinstance(c, Node):
                if c.attrs.get("id") == ident:
                    return c
                hit = c.by_id(ident)
                if hit is not None:
                    return hit
        return None

    def hrefs(self) -> list[str]:
        return [a.attrs.get("href", "") for a in self.all("a")]


class _Builder(HTMLParser):
    def __init__(self, node: type[Node]):
        super().__init__(convert_charrefs=True)
        self.node = node
        self.root = node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = self.node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(self.node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(path: Path, node: type[Node] = Node) -> Node:
    """The page's tree, made of ``node`` (a subclass of Node that reads text its own way)."""
    b = _Builder(node)
    b.feed(path.read_text(encoding="utf-8"))
    return b.root


def table_rows(table: Node) -> list[list[Node]]:
    """The cells of each row of a table's body."""
    return [row.all("td") for row in table.all("tbody")[0].all("tr")]
