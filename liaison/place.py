"""Problems -> diagnostics: the line and column of each problem in its file.

Problems found while loading and checking know the path of the offending value in the file's
YAML (``Problem.loc``); only here are the files that have such a problem parsed again with
marks, once each, to turn that path into a line and a column.
"""
from __future__ import annotations

from pathlib import Path

from liaison import guard, yamlio
from liaison.content import split_front_matter
from liaison.diagnostics import Diagnostic, Problem, shortened, visible


def place(root: Path, problems: list[Problem]) -> list[Diagnostic]:
    """Problems -> diagnostics with line and column, sorted, each once. Files are parsed with
    marks only here, once each, and only those that have a problem located by a path."""
    nodes: dict[str, tuple] = {}  # (tree, line offset, lines, its mappings' keys) by path
    out = []
    for p in problems:
        message = p.message
        if p.line is not None:
            line, col = p.line, p.col or 1
        elif p.loc is None:
            line, col = 1, 1
        else:
            if p.path not in nodes:
                nodes[p.path] = (*_marked_tree(root, p.path), {})
            node, offset, lines, keys = nodes[p.path]
            line, col = yamlio.locate(node, p.loc, p.at, keys)
            line += offset
            if p.within is not None and node is not None:  # the line inside a long note, said in words
                inside = _within(yamlio.find(node, p.loc, p.at, keys), p.within, lines)
                if inside is not None:
                    message = f"{message} (on line {inside + offset})"
        # one diagnostic, one line; a patient identifier the message would quote, withheld;
        # a long value it quotes, shortened; a character that prints as nothing, shown
        message = visible(shortened(guard.withheld(" ".join(message.split()))))
        out.append(Diagnostic(p.path, line, col, p.severity, message))
    return sorted(set(out))


def _within(scalar, within: int, lines: list[str]) -> int | None:
    """The line (1-based) of the line ``within`` (from 0) of a literal block scalar's text
    (whose lines are the file's); None for any other node or a line it does not have."""
    import yaml

    if not isinstance(scalar, yaml.ScalarNode) or scalar.style != "|":
        return None
    index = scalar.start_mark.line + 1 + within  # (the content starts below the '|')
    if index >= len(lines) or index > scalar.end_mark.line:
        return None
    return index + 1


def _marked_tree(root: Path, rel: str):
    try:
        text = yamlio.decode((root / rel).read_bytes())
        offset = 0
        if rel.endswith(".md"):
            fm = split_front_matter(text)
            text, offset = fm.yaml_text, fm.line_offset
        return yamlio.compose(text), offset, text.split("\n")
    except Exception:  # the problem was found in this file; a second failure only loses its place
        return None, 0, []
