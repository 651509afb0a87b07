"""A site's own templates (``templates/``, overriding the built-in ones by file name) and its
palette (``templates/palette.yaml``), checked by ``validate`` as ``build`` would use them: what
passes ``validate`` builds.

* The palette's problems (syntax, an unknown key, a value that is no colour) are diagnostics
  at their line and column (liaison.palette).
* Every override is compiled: a syntax error, or a byte that is not UTF-8 (``SiteLoader``), is
  a diagnostic at its line, from ``build`` too.
* A template that extends, includes or imports a template that does not exist (a misspelt
  ``builtin/…`` name, usually) is a diagnostic at that line, with the closest name.
* An override whose name is no built-in template and that no other override uses overrides
  nothing (a misspelt name, usually): a warning, with the closest built-in name.
* Every page whose template is an override, or extends, includes or imports one (directly or
  through other templates), is rendered in memory with the site's own records, on both
  cores, and nothing is written: an undefined name or a failing filter is a diagnostic at the
  template's line, naming the page. Sites without overrides pay nothing.
* Every page so rendered must still hold what the security rules put on every page: the
  robots line and Liaison's Content-Security-Policy (``head.html``), and load nothing from
  another host (a CDN's script, a web font's stylesheet, a picture): each is an error at the
  template's line, so that ``build`` refuses it.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import jinja2
from jinja2 import meta

from liaison import palette as palette_stage
from liaison.diagnostics import Problem, did_you_mean

TEMPLATES = "templates"
PALETTE = "palette.yaml"  # in templates/: the site's colours, not a template
TALKING = "talking-points.yaml"  # in templates/: services by specialty (liaison.talking_points)
SETTINGS = frozenset((PALETTE, TALKING))  # the files of templates/ that are no templates
# Templates that pages reach through Python rather than through Jinja tags: an override of
# one of them touches every page.
EVERY_PAGE = frozenset(("macros.html",))
PARALLEL_PAGES = 200  # pages to render before the check of the templates is shared out

# What every page holds whatever the site's templates (SPEC: Security; liaison/templates/head.html)
ROBOTS = '<meta name="robots" content="noindex, nofollow">'
_CSP = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)
# What a page would load from another host: an element's src, a <link>'s href (stylesheet,
# font, icon), an <object>'s data, and in a <style> or a style attribute url(…) and @import.
_REMOTE = r"""(?:https?:)?//[^"'\s>)]+"""
_LOADS = re.compile(r"""<(?:script|img|iframe|frame|source|video|audio|embed|track|input)\b[^>]*?"""
                    rf"""\s(?:src|srcset|poster)\s*=\s*["']?\s*({_REMOTE})"""
                    rf"""|<link\b[^>]*?\shref\s*=\s*["']?\s*({_REMOTE})"""
                    rf"""|<object\b[^>]*?\sdata\s*=\s*["']?\s*({_REMOTE})""", re.I)
_STYLES = re.compile(r"""<style\b[^>]*>(.*?)</style>|\sstyle\s*=\s*("[^"]*"|'[^']*')""", re.I | re.S)
_STYLE_LOADS = re.compile(rf"""(?:url\(|@import)\s*["']?\s*({_REMOTE})""", re.I)


def stylesheet_problems(root: Path) -> list[Problem]:
    """A site's own stylesheets (``templates/assets/**/*.css``) that load from another host
    (``@import url(https://fonts…)``, ``url(//cdn…)``): an error at the address's line and
    column, as in a template; the Content-Security-Policy would block it without a word."""
    from liaison.discover import regular_files
    from liaison.parse import NotRegular, read_beneath

    found = []
    for rel in regular_files(root, f"{TEMPLATES}/assets"):
        if not rel.lower().endswith(".css"):
            continue
        try:
            text = read_beneath(root, rel).decode("utf-8", errors="replace")
        except (OSError, NotRegular):
            continue
        for m in _STYLE_LOADS.finditer(text):
            before = text[:m.start(1)]
            found.append(Problem(rel, f"'{m.group(1)}' is loaded from another host: pages load "
                                 "nothing from another host (no CDN, no web font; the "
                                 "Content-Security-Policy blocks it); put the file in "
                                 "templates/assets/ and give its path relative to this stylesheet",
                                 line=before.count("\n") + 1, col=m.start(1) - before.rfind("\n")))
    return found


def page_security(html: str, csp: str) -> list[str]:
    """What a rendered page lacks of the rules every page keeps, or loads from another host:
    ("robots" | "csp" | "load URL") items, in that order. Only the tags around a "//" are
    read (about 3 ms a megabyte of HTML in all), and the styles only of a page that says url( or
    @import."""
    found = []
    head = html.split("</head>", 1)[0]
    if ROBOTS not in head:
        found.append("robots")
    policy = _CSP.search(head)
    if policy is None or policy.group(1).replace("&#39;", "'") != csp:
        found.append("csp")
    at = html.find("//")
    while at >= 0:
        start = html.rfind("<", 0, at)
        if start > html.rfind(">", 0, at):  # inside a tag
            end = html.find(">", at)
            end = len(html) if end < 0 else end + 1
            m = _LOADS.match(html, start, end)
            if m:
                found.append("load " + next(g for g in m.groups() if g))
            at = end
        at = html.find("//", at + 2)
    if "url(" in html or "@import" in html:
        for m in _STYLES.finditer(html):
            found += ["load " + u.group(1) for u in _STYLE_LOADS.finditer(m.group(1) or m.group(2))]
    return list(dict.fromkeys(found))


def override_names(root: Path) -> list[str]:
    """What a site customizes in ``templates/``: the templates it overrides or adds, by name
    ('/'-separated, relative to ``templates/``), and its ``palette.yaml``; assets and README
    files are not listed. Regular files only: a link (of a file or a folder, ``templates/``
    included) is never followed, hidden entries are skipped (SPEC §1)."""
    from liaison.discover import regular_files

    names = []
    for rel in regular_files(root, TEMPLATES):
        name = rel[len(TEMPLATES) + 1:]
        if name.split("/", 1)[0] == "assets" or name.rsplit("/", 1)[-1] == "README.md":
            continue
        names.append(name)
    return names


class SiteLoader(jinja2.BaseLoader):
    """The site's ``templates/`` folder, as ``jinja2.FileSystemLoader`` reads it (UTF-8 text)
    but regular files only: a template that is a link, or that lies in a linked folder, or a
    special file (a FIFO would block), is absent to this loader, so the built-in template of
    that name stands in (and discovery reports the link as an error, so nothing is built)."""

    def __init__(self, site_root: Path):
        self.site_root = Path(site_root)

    def get_source(self, environment, template):
        from jinja2.loaders import split_template_path

        from liaison.parse import NotRegular, open_beneath

        rel = "/".join((TEMPLATES, *split_template_path(template)))
        try:
            fd = open_beneath(self.site_root, rel)
        except (OSError, NotRegular):
            raise jinja2.TemplateNotFound(template) from None
        with open(fd, "rb") as fh:
            raw = fh.read()
            mtime = os.fstat(fh.fileno()).st_mtime
        filename = os.path.normpath(os.path.join(self.site_root, rel))
        from liaison.yamlio import YamlSyntaxError, decode

        try:  # UTF-8 without its byte-order mark (Notepad's "UTF-8 with BOM"): kept, it went
            contents = decode(raw)  # into every page, before <!doctype html> (quirks mode)
        except YamlSyntaxError as exc:  # at the line of the first byte that is not UTF-8
            raise jinja2.TemplateSyntaxError(exc.message, exc.line, template, filename) from None
        from liaison.parse import conflict_line, conflict_message

        conflict = conflict_line(raw)  # else rendered, markers and both sides, into pages
        if conflict is not None:
            raise jinja2.TemplateSyntaxError(conflict_message(raw), conflict, template,
                                             filename)

        def uptodate() -> bool:
            try:
                return os.stat(filename, follow_symlinks=False).st_mtime == mtime
            except OSError:
                return False

        return contents, filename, uptodate

    def list_templates(self) -> list[str]:
        from liaison.discover import regular_files

        return [rel[len(TEMPLATES) + 1:] for rel in regular_files(self.site_root, TEMPLATES)]


def _problem(exc: Exception, root: Path, page: str | None = None, names=()) -> Problem:
    from liaison.render import template_location

    path, line, col, message = template_location(exc, root, page, names)
    return Problem(path, f"template error: {message}", line=line, col=col)


def _closure(env: jinja2.Environment, name: str, memo: dict[str, frozenset]) -> frozenset:
    """``name`` and every template it extends, includes or imports, recursively."""
    if name in memo:
        return memo[name]
    memo[name] = frozenset((name,))  # a cycle stops here
    found = {name}
    try:
        source = env.loader.get_source(env, name)[0]
        refs = meta.find_referenced_templates(env.parse(source))
    except (jinja2.TemplateError, OSError):
        refs = []
    for ref in refs:
        if ref is None:  # a name computed at render time: it may be any template
            found |= set(env.list_templates())
        else:
            found |= _closure(env, ref, memo)
    memo[name] = frozenset(found)
    return memo[name]


def _missing_references(env: jinja2.Environment, name: str, source: str) -> list[Problem]:
    """The templates that ``name`` extends, includes or imports by a constant name and that do
    not exist, at their lines."""
    from liaison.render import BUILTIN_PREFIX

    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return []  # reported by the compilation already
    found = []
    nodes = [*tree.find_all(jinja2.nodes.Extends), *tree.find_all(jinja2.nodes.Include),
             *tree.find_all(jinja2.nodes.Import), *tree.find_all(jinja2.nodes.FromImport)]
    known = None
    for node in sorted(nodes, key=lambda n: n.lineno):
        ref = node.template
        if getattr(node, "ignore_missing", False) or not isinstance(ref, jinja2.nodes.Const) \
                or not isinstance(ref.value, str):
            continue
        try:
            env.loader.get_source(env, ref.value)
        except jinja2.TemplateNotFound:
            if known is None:
                known = [n for n in env.list_templates() if n.endswith(".html")]
            hint = did_you_mean(ref.value, known)
            if not hint and "/" not in ref.value:
                hint = did_you_mean(f"{BUILTIN_PREFIX}/{ref.value}", known)
            found.append(Problem(f"{TEMPLATES}/{name}", f"template error: there is no template "
                                 f"'{ref.value}'{hint}", line=node.lineno, col=1))
        except (jinja2.TemplateError, OSError):
            continue
    return found


def _security_problems(html: str, csp: str, page, names: list[str],
                       texts: dict[str, str]) -> list[Problem]:
    """The diagnostics of a page that a site's templates (``names``, the likeliest first) left
    without the robots line or Liaison's Content-Security-Policy, or made load a file from
    another host: at the line of the address in the template that writes it."""
    found = []
    where = f"{TEMPLATES}/{names[0]}" if names else f"{TEMPLATES}/{page.template}"
    keep = ("keep the built-in head.html's lines" if where.endswith("/head.html") else
            "extend 'builtin/base.html', or include 'head.html' in <head>")
    for item in page_security(html, csp):
        if item == "robots":
            found.append(Problem(where, f"the page has no robots line {ROBOTS} (rendering "
                                 f"{page.path}): every page must keep it; {keep}", line=1, col=1))
        elif item == "csp":
            found.append(Problem(where, "the page has no Content-Security-Policy line, or "
                                 f"another one than Liaison's (rendering {page.path}): every "
                                 f"page must keep Liaison's; {keep}", line=1, col=1))
        else:
            url = item[len("load "):]
            path, line, col = where, 1, 1
            for name in names:
                at = texts.get(name, "").find(url)
                if at >= 0:
                    before = texts[name][:at]
                    path, line, col = (f"{TEMPLATES}/{name}", before.count("\n") + 1,
                                       at - before.rfind("\n"))
                    break
            found.append(Problem(path, f"'{url}' is loaded from another host (rendering "
                                 f"{page.path}): pages load nothing from another host (no CDN, "
                                 "no web font; the Content-Security-Policy blocks it); put the file "
                                 "in templates/assets/ and link it as {{ base }}assets/NAME",
                                 line=line, col=col))
    return found


def _blocks(env: jinja2.Environment, name: str) -> tuple[str | None, dict[str, int], set[str]]:
    """The template ``name`` extends (a constant name, or None), its outermost blocks by name
    with their lines (a block inside another one is that block's own), and all its blocks."""
    try:
        tree = env.parse(env.loader.get_source(env, name)[0])
    except (jinja2.TemplateError, OSError):
        return None, {}, set()
    parent = next((n.template.value for n in tree.find_all(jinja2.nodes.Extends)
                   if isinstance(n.template, jinja2.nodes.Const)), None)
    found: dict[str, int] = {}

    def walk(node) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, jinja2.nodes.Block):
                found.setdefault(child.name, child.lineno)
            else:
                walk(child)

    walk(tree)
    return parent, found, {b.name for b in tree.find_all(jinja2.nodes.Block)}


def _lost_blocks(env: jinja2.Environment, names: list[str], builtin: list[str]) -> list[Problem]:
    """Blocks that a template fills and that no template it extends has, so that they are
    never shown: a block of the site's own template (a misspelt name: a warning at its line,
    with the closest name), or a block of a built-in page that the site's own ``base.html``
    (or other parent) left out (every page of that template lost that part: a warning at the
    parent, naming the block)."""
    from liaison.render import BUILTIN_PREFIX

    ours = {n for n in names if not n.startswith(BUILTIN_PREFIX + "/")}
    children = sorted(ours) + [b for b in builtin if b not in ours] + \
        [f"{BUILTIN_PREFIX}/{b}" for b in builtin if b in ours]
    memo: dict[str, tuple] = {}

    def parsed(name):
        if name not in memo:
            memo[name] = _blocks(env, name)
        return memo[name]

    lost: dict[tuple, list[str]] = {}
    found = []
    for child in children:
        parent, blocks, _all = parsed(child)
        chain, seen, above = [], set(), set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            chain.append(parent)
            grand, _outer, theirs = parsed(parent)
            above |= theirs
            parent = grand
        if not chain:
            continue
        for block, line in sorted(blocks.items(), key=lambda b: b[1]):
            if block in above:
                continue
            if child in ours:
                found.append(Problem(
                    f"{TEMPLATES}/{child}", f"block '{block}' is in no template that '{child}' "
                    f"extends ({', '.join(chain)}), so it is never shown"
                    + did_you_mean(block, sorted(above)), severity="warning", line=line, col=1))
            else:
                at = next((p for p in chain if p in ours), None)
                if at is not None:
                    lost.setdefault((at, block), []).append(child.removeprefix(BUILTIN_PREFIX + "/"))
    for (at, block), pages in sorted(lost.items()):
        pages = sorted(set(pages))
        named = ", ".join(pages[:3]) + (f" and {len(pages) - 3} others" if len(pages) > 3 else "")
        found.append(Problem(
            f"{TEMPLATES}/{at}", f"the block '{block}' is missing, which the built-in {named} "
            f"fill{'s' if len(pages) == 1 else ''}: that part of their pages is never shown; put "
            f"{{% block {block} %}}{{% endblock %}} where it goes (or extend "
            f"'{BUILTIN_PREFIX}/{at}' and change only the blocks you need)",
            severity="warning", line=1, col=1))
    return found


def macro_signatures(tree) -> dict[str, tuple[list[str], bool, int]]:
    """A template's macros by name: (parameters, whether it takes any others through
    ``varargs``/``kwargs``, line)."""
    out = {}
    for node in tree.body:
        if isinstance(node, jinja2.nodes.Macro):
            extra = any(n.name in ("varargs", "kwargs") for n in node.find_all(jinja2.nodes.Name))
            out[node.name] = ([a.name for a in node.args], extra, node.lineno)
    return out


def missing_macro(macro: str, users: str, count: int, file: str, ours) -> str:
    """The message of a macro that a site's own ``file`` (macros.html) lacks, which ``users``
    (``count`` templates) import from it: here and where a build's page meets it
    (``render.template_location``)."""
    return (f"no macro '{macro}', which {users} import{'s' if count == 1 else ''} from {file}"
            + did_you_mean(macro, sorted(ours)) + f": this file replaces the built-in {file} "
            f"whole; copy the macro from liaison/templates/{file}")


def _missing_macros(env: jinja2.Environment, names: list[str], builtin: list[str]) -> list[Problem]:
    """A site's own ``macros.html`` replaces the built-in one for every page: each macro that
    a page template imports from it (and ``interaction_item``, which every list of
    interactions shows) must be there, taking the parameters the built-in one takes. Each
    one missing, or taking fewer parameters, is an error at the site's file (rendering said
    it at the line of each built-in page, "does not export the requested name")."""
    from liaison.render import BUILTIN_PREFIX, PACKAGE_TEMPLATES

    try:
        ours = macro_signatures(env.parse(env.loader.get_source(env, "macros.html")[0]))
        theirs = macro_signatures(env.parse((PACKAGE_TEMPLATES / "macros.html").read_text(encoding="utf-8")))
    except (jinja2.TemplateError, OSError):
        return []
    wanted: dict[str, set[str]] = {"interaction_item": {"every list of interactions"}}
    calls: dict[str, tuple[int, set[str]]] = {"interaction_item": (2, set())}  # (i, base)
    for name in [n for n in names if n != "macros.html"] + \
            [f"{BUILTIN_PREFIX}/{b}" for b in builtin if b != "macros.html"]:
        try:
            tree = env.parse(env.loader.get_source(env, name)[0])
        except (jinja2.TemplateError, OSError):
            continue
        for node in tree.find_all(jinja2.nodes.FromImport):
            if isinstance(node.template, jinja2.nodes.Const) and node.template.value == "macros.html":
                for item in node.names:
                    macro = item[0] if isinstance(item, tuple) else item
                    wanted.setdefault(macro, set()).add(name.removeprefix(BUILTIN_PREFIX + "/"))
        for node in tree.find_all(jinja2.nodes.Call):  # what the pages give each macro
            if isinstance(node.node, jinja2.nodes.Name) and node.node.name in wanted:
                n, keys = calls.get(node.node.name, (0, set()))
                calls[node.node.name] = (max(n, len(node.args)), keys | {k.key for k in node.kwargs})
    found = []
    for macro in sorted(wanted):
        users = ", ".join(sorted(wanted[macro]))
        if macro not in ours:
            found.append(Problem(
                f"{TEMPLATES}/macros.html",
                missing_macro(macro, users, len(wanted[macro]), "macros.html", ours),
                line=1, col=1))
            continue
        params, extra, line = ours[macro]
        if macro in theirs and not extra:
            n, keys = calls.get(macro, (0, set()))
            lost = [a for a in theirs[macro][0][len(params):n]] + sorted(k for k in keys if k not in params)
            if lost:
                found.append(Problem(
                    f"{TEMPLATES}/macros.html", f"macro '{macro}' takes no "
                    f"{', '.join(repr(a) for a in lost)}, which the built-in pages give it: write "
                    f"it as the built-in one, {macro}({', '.join(theirs[macro][0])})", line=line, col=1))
    return found


def _texts(root: Path, names: list[str]) -> dict[str, str]:
    """The text of each of the site's templates named (never read through a link)."""
    from liaison.parse import NotRegular, open_beneath

    texts = {}
    for name in names:
        try:  # never through a link (SiteLoader)
            fd = open_beneath(root, f"{TEMPLATES}/{name}")
            with open(fd, encoding="utf-8", errors="replace") as fh:
                texts[name] = fh.read()
        except (OSError, NotRegular):
            texts[name] = ""
    return texts


def security_failure(env: jinja2.Environment, root: Path, page, html: str, csp: str) -> str | None:
    """For ``build``: the diagnostic lines of a page that the site's templates left without
    the robots line or Liaison's Content-Security-Policy, or made load a file from another
    host (as ``check_overrides`` reports them), or None. What it reads of the site's
    templates is kept on ``env``."""
    if not page_security(html, csp):
        return None
    overridden, texts, memo = _site_templates(env, root)
    return "\n".join(f"{p.path}:{p.line}:{p.col}: {p.severity}: {p.message}"
                     for p in _security_problems(html, csp, page, _ours(env, page, overridden, memo),
                                                 texts)) or None


def page_warnings(env: jinja2.Environment, root: Path, page, html: str) -> list[Problem]:
    """For ``build``: the warnings ``check_overrides`` gives a page that the site's templates
    make (code or styles written into the page, which the Content-Security-Policy blocks; a
    link to an asset the site does not have), from the HTML the build rendered, so that a
    build says what validate says without rendering a page twice. [] for a page none of the
    site's templates makes. What it reads of the site's templates is kept on ``env``."""
    overridden, texts, memo = _site_templates(env, root)
    if not overridden & EVERY_PAGE and not _closure(env, page.template, memo) & overridden:
        return []
    assets = getattr(env, "liaison_assets", None)
    if assets is None:
        assets = env.liaison_assets = _asset_names(root)
    return _page_warnings(html, page, _ours(env, page, overridden, memo), texts, assets)


def _site_templates(env: jinja2.Environment, root: Path) -> tuple[set, dict, dict]:
    """The site's templates (their names, their texts, and the memo of ``_closure``), read
    once and kept on ``env``."""
    known = getattr(env, "liaison_overrides", None)
    if known is None:
        names = [n for n in override_names(root) if n not in SETTINGS]
        known = env.liaison_overrides = (set(names), _texts(root, names), {})
    return known


def _ours(env: jinja2.Environment, page, overridden: set, memo: dict) -> list[str]:
    """The site's templates that make a page, the likeliest place of a missing line first."""
    made = _closure(env, page.template, memo) & overridden
    first = ("head.html", page.template, "base.html")
    return [n for n in first if n in made] + sorted(made - set(first))


def _page_warnings(html: str, page, names: list[str], texts: dict[str, str],
                   assets: set[str]) -> list[Problem]:
    """The warnings of a page the site's templates ``names`` make: links to assets it does
    not have, code and styles the Content-Security-Policy blocks."""
    return _asset_links(html, page, names, texts, assets) + _inline_code(html, page, names, texts)


def first_of_each(found) -> list[Problem]:
    """Of (a page's place in the pages' order, a problem on it) pairs, each problem once (by
    file, line and what it says but the page), the first page's, sorted by place: what
    several pages show is said once, naming the first of them in the pages' order, whichever
    process rendered them."""
    seen: dict[tuple, tuple[int, Problem]] = {}
    for at, p in found:
        key = (p.path, p.line, p.message.split(" (rendering ")[0])
        if key not in seen or at < seen[key][0]:
            seen[key] = (at, p)
    return [seen[k][1] for k in sorted(seen)]


# What the Content-Security-Policy blocks on a page (script-src and style-src 'self'): code and
# styles written into the page itself
_INLINE = (
    (re.compile(r"<script\b(?![^>]*\ssrc\s*=)[^>]*>\s*[^<\s]", re.I), "<script", "a <script> written "
     "in the page", "put the code in templates/assets/ours.js and link it with "
     "<script src=\"{{ base }}assets/ours.js\" defer></script>"),
    (re.compile(r"<style\b", re.I), "<style", "a <style> element", "put the rules in "
     "templates/assets/ours.css and link it from the head block"),
    (re.compile(r"<[a-z][^<>]*?\sstyle\s*=\s*[\"']", re.I), "style=", "a style attribute",
     "give the element a class and style it in templates/assets/ours.css"),
    (re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=\s*[\"']", re.I), None, "an event handler (on…=)",
     "attach it from a script of templates/assets/"),
)


# Where each of them stands in a template's text
_INLINE_FINDS = tuple(
    re.compile(r"\son[a-z]+\s*=", re.I) if literal is None else
    re.compile(r"\s" + re.escape(literal) if literal == "style=" else re.escape(literal), re.I)
    for _pattern, literal, _what, _how in _INLINE)


def _inline_code(html: str, page, names: list[str], texts: dict[str, str]) -> list[Problem]:
    """Scripts, styles and event handlers that a page of the site's own templates writes into
    the page itself: the Content-Security-Policy blocks them, so they do nothing, without a
    word in the browser but its console. A warning at the line in the template.

    Only what one of the site's templates writes in its text is looked for in the page (the
    built-in templates write none, and the records' Markdown is sanitized: it would come
    from a site's template writing out a value as it is, ``|safe``): looking for the four
    in every page was a fifth of the time the pages took to render."""
    found = []
    for (pattern, literal, what, how), find in zip(_INLINE, _INLINE_FINDS):
        if not _written(find, texts) or not pattern.search(html):
            continue
        path, line, col = f"{TEMPLATES}/{names[0]}" if names else f"{TEMPLATES}/{page.template}", 1, 1
        for template in names:
            m = find.search(texts.get(template, ""))
            if m:
                text = texts[template]
                at = m.start() + (1 if text[m.start()].isspace() else 0)
                before = text[:at]
                path, line, col = f"{TEMPLATES}/{template}", before.count("\n") + 1, at - before.rfind("\n")
                break
        found.append(Problem(path, f"{what} is blocked by the Content-Security-Policy (rendering "
                             f"{page.path}): it does nothing; {how}", severity="warning",
                             line=line, col=col))
    return found


def _written(find: re.Pattern, texts: dict[str, str]) -> bool:
    """Whether one of the site's templates (``texts``: ``_texts``) holds what ``find`` looks
    for: worked out once per process, not for each page."""
    return _written_in(find, tuple(texts.values()))


@functools.lru_cache(maxsize=64)
def _written_in(find: re.Pattern, texts: tuple[str, ...]) -> bool:
    return any(find.search(text) for text in texts)


_ASSET_LINK = re.compile(r"""<(?:link|script|img)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"'#?]*assets/[^"'#?]+)""", re.I)


def _asset_names(root: Path) -> set[str]:
    """The files of the built site's ``assets/``: the package's and the site's own."""
    from liaison.render import asset_sources

    return set(asset_sources(root))


def asset_case_problems(root: Path) -> list[Problem]:
    """A warning at each of the site's assets (``templates/assets/``) whose name is a built-in
    asset's written with other capitals (``Style.css``): it does not replace the built-in one
    (the pages link ``style.css``), and the built site holds both, which a Mac's or Windows's
    file system, opened on the site folder, takes for one file."""
    from liaison.discover import regular_files
    from liaison.render import PACKAGE_STATIC

    builtin = {p.name.lower(): p.name for p in PACKAGE_STATIC.iterdir() if p.is_file()}
    found = []
    rels = regular_files(root, f"{TEMPLATES}/assets", recursive=False)
    ours = {rel.rsplit("/", 1)[-1] for rel in rels}
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        theirs = builtin.get(name.lower())
        # (beside the site's own file of the built-in name: two names of one file on a Mac,
        # which discover.unportable_names says)
        if theirs is not None and theirs != name and theirs not in ours:
            found.append(Problem(
                rel, f"the built-in asset is named '{theirs}': this file does not replace it (the "
                     f"pages link {theirs}), and on macOS and Windows, which do not tell a capital "
                     "letter from a small one, the built site's two files are one; name it "
                     f"{theirs} to replace the built-in one, or give it another name",
                severity="warning", line=1, col=1))
    return found


def _links_known(html: str, base: str, assets: set[str]) -> bool:
    """Whether every ``assets/`` in a page stands in an address written ``{{ base }}assets/``
    (``base``: the way up from the page to the site's root) of a file the site has: then no
    link is wrong, and the page's tags need not be looked through (a fortieth of the time a
    page takes to render, on every page a site's base.html makes)."""
    at = html.find("assets/")
    while at >= 0:
        quote = max(html.rfind('"', 0, at), html.rfind("'", 0, at))
        end = at + len("assets/")
        while end < len(html) and html[end] not in "\"'#?":
            end += 1
        if quote < 0 or html[quote + 1:at] != base or html[at + len("assets/"):end] not in assets:
            return False
        at = html.find("assets/", end)
    return True


def _asset_links(html: str, page, names: list[str], texts: dict[str, str],
                 assets: set[str]) -> list[Problem]:
    """A stylesheet, script or picture of ``assets/`` that a page of the site's own templates
    links and that the site does not have (``{{ base }}assets/our.css`` for ``ours.css``), or
    that a link without ``{{ base }}`` misses from a page in a folder: a warning at the line
    of the link in the template, with the closest file."""
    import posixpath

    folder = posixpath.dirname(page.path)
    if _links_known(html, "../" * (folder.count("/") + 1) if folder else "", assets):
        return []
    found = []
    for m in _ASSET_LINK.finditer(html):
        href = m.group(1)
        if "://" in href or href.startswith(("//", "data:")):
            continue  # another host (said above)
        # (a path from the host's root: not the site's where it is served in a sub-folder or
        # opened from the disk)
        rooted = href.startswith("/")
        where = posixpath.normpath(posixpath.join(folder, href))
        name = where[len("assets/"):] if where.startswith("assets/") else None
        if name in assets and not rooted:
            continue
        at = href[href.rindex("assets/"):]
        path, line, col = f"{TEMPLATES}/{names[0]}" if names else f"{TEMPLATES}/{page.template}", 1, 1
        for template in names:
            i = texts.get(template, "").find(at)
            if i >= 0:
                before = texts[template][:i]
                path, line, col = f"{TEMPLATES}/{template}", before.count("\n") + 1, i - before.rfind("\n")
                break
        if rooted:
            why = (f"'{href}' reaches the site's assets/ only where the site is served at the "
                   f"root of its host, not from a sub-folder (an intranet's /liaison/) nor opened "
                   f"from the disk (rendering {page.path}): write {{{{ base }}}}{at}")
        elif name is None:
            why = (f"'{href}' does not reach the site's assets/ from every page (rendering "
                   f"{page.path}): write {{{{ base }}}}{at}")
        else:
            why = (f"'{at}' is no file of the site (rendering {page.path}): put it in "
                   f"templates/{at}" + did_you_mean(name, sorted(assets)))
        found.append(Problem(path, why, severity="warning", line=line, col=col))
    return found


def check_overrides(site, stats: dict, as_of, workers: int | None = None,
                    render: bool = True) -> list[Problem]:
    """The problems of a site's template overrides (none when it has none). Without
    ``render`` (the records have errors) only their syntax and names are checked."""
    from liaison import pages as page_registry
    from liaison.decks import SlideError
    from liaison.render import BUILTIN_PREFIX, PACKAGE_TEMPLATES, make_env
    from liaison.sandbox import BUDGET, TemplateTimeout
    from liaison.workers import cpu_count, map_forked

    root = site.root
    names = override_names(root)
    if not names:
        return []
    palette, problems = palette_stage.load(root)  # the built-in colours stand for bad ones
    if TALKING in names:
        from liaison import talking_points

        services = [s.key for s in site.config.services] if site.config else None
        problems += talking_points.load(root, services)[1]
    names = [n for n in names if n not in SETTINGS]
    env = make_env(root, palette, sandboxed=bool(names))  # as build_site's make_env
    broken = False
    builtin = sorted(p.name for p in PACKAGE_TEMPLATES.iterdir() if p.suffix == ".html")
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:  # (a file that is not UTF-8 among them)
            problems.append(_problem(exc, root))
            broken = True
    texts = _texts(root, names)
    for name in names:
        if name.startswith(BUILTIN_PREFIX + "/"):
            problems.append(Problem(
                f"{TEMPLATES}/{name}",
                f"'{BUILTIN_PREFIX}/…' always names a built-in template, so this file is never "
                f"used; to replace '{name[len(BUILTIN_PREFIX) + 1:]}' put it in {TEMPLATES}/ "
                "itself",
                severity="warning", line=1, col=1))
            continue
        missing = _missing_references(env, name, texts[name])
        problems += missing
        broken = broken or bool(missing)
        used = any(name in text for other, text in texts.items() if other != name)
        if name not in builtin and not used:
            problems.append(Problem(
                f"{TEMPLATES}/{name}",
                f"'{name}' overrides no built-in template and no other template uses it"
                + did_you_mean(name, [*builtin, PALETTE, TALKING]),  # (palette.yml: the colours)
                severity="warning", line=1, col=1))
    if not broken:
        problems += _lost_blocks(env, names, builtin)
        if "macros.html" in names:  # what the built-in pages import of it, it must define
            lacking = _missing_macros(env, names, builtin)
            problems += lacking
            broken = broken or any(p.severity == "error" for p in lacking)
    if broken or not render:  # rendering would only repeat the syntax errors
        return problems

    view = page_registry.SiteView(site, stats, as_of, palette)
    pages = page_registry.plan(view)
    assets = _asset_names(root)
    overridden = set(names)
    memo: dict[str, frozenset] = {}
    every = bool(overridden & EVERY_PAGE)
    touched = [p for p in pages if every or _closure(env, p.template, memo) & overridden]
    if not touched:
        return problems
    n = cpu_count() if workers is None else workers
    if len(touched) < PARALLEL_PAGES:
        n = 1
    # each page with its place in the pages' order: of a failure on several pages, the first
    # one's is said, whichever process rendered it
    shares = [list(enumerate(touched))[i::n] for i in range(n)]

    def render(share) -> list[tuple[int, Problem]]:
        with BUDGET.armed():  # in the sandbox, with the time budget of build (render_pages)
            return render_share(share)

    def render_share(share) -> list[tuple[int, Problem]]:
        found: dict[tuple, tuple[int, Problem]] = {}  # (the page's place, the problem)
        # templates that ran over the budget (a page's, and the override it stopped in): seconds
        # for every page that uses one, base.html's loop once per page template extending it
        slow: set[str] = set()
        for at, page in share:
            if page.template in slow or _closure(env, page.template, memo) & slow:
                continue
            began = BUDGET.begin()
            context = {}
            try:
                context = page_registry.context(view, page)
                html = env.get_template(page.template).render(context)
                ours = _ours(env, page, overridden, memo)
                for p in _security_problems(html, str(context["csp"]), page, ours, texts) + \
                        _page_warnings(html, page, ours, texts, assets):
                    found.setdefault((p.path, p.line, p.message.split(" (rendering ")[0]), (at, p))
            except SlideError as exc:
                if exc.timed_out:
                    slow.add(page.template)
                p = Problem(exc.path, f"template error: {exc.message} (rendering {page.path})",
                            line=exc.line, col=1)
                found.setdefault((p.path, p.line, exc.message), (at, p))
            except Exception as exc:  # noqa: BLE001 - any failure of a site's template is data
                p = _problem(exc, root, page.path, [*context, *env.globals])
                if isinstance(exc, TemplateTimeout):
                    slow.add(page.template)
                    if p.path.startswith(TEMPLATES + "/"):
                        slow.add(p.path[len(TEMPLATES) + 1:])
                # one diagnostic per place and message kind, not one per page
                found.setdefault((p.path, p.line, p.message.split(" (rendering ")[0]), (at, p))
            finally:
                BUDGET.end(began)
        return list(found.values())

    return problems + first_of_each(
        found for part in map_forked(render, [s for s in shares if s]) for found in part)
