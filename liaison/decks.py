"""Presentation decks: slide templates rendered in a sandbox (SPEC §6).

Slides are Jinja2 templates with ``site``, ``practice``, ``physicians`` and ``stats``; an
undefined name is an error, reported at the deck file's line where it stands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import jinja2
from jinja2 import nodes
from markupsafe import Markup
from jinja2.sandbox import SandboxedEnvironment

from liaison.content import (
    Deck, Slide, forbidden_characters, outside_code, prose_lines, repository_links, root_links, vague_links,
)
from liaison.diagnostics import Problem
from liaison.records import Site
from liaison.sandbox import BUDGET, HintedUndefined, Sandbox, TemplateTimeout, undefined_name_hint


class SlideError(Exception):
    def __init__(self, message: str, line: int, path: str = "", timed_out: bool = False):
        super().__init__(message)
        self.message, self.line, self.path, self.timed_out = message, line, path, timed_out


# A data value shown in a slide ({{ practice.name }}) is text, never Markdown or HTML: every
# value is escaped for what reads the slide next. Python-Markdown (the HTML deck) honours
# backslash escapes of its own punctuation (its tables add "|": a value holding one stays in
# its cell) and HTML entities; the .pptx reader honours a backslash before any ASCII punctuation.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!>|])")
_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


class SlideMarkup(str):
    """Text a helper made for the slide's Markdown itself (the chart's mark): not escaped."""


def _for_html(value) -> str:
    if value is None:  # an optional value left out (a site.yaml without `phone`): nothing
        return ""
    if isinstance(value, SlideMarkup):
        return str(value)
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    # a value is never a slide's "Layout:" line (the .pptx flavor escapes the colon)
    return _MD_PUNCT.sub(r"\\\1", text).replace("Layout:", "Layout&#58;")


def _for_pptx(value) -> str:
    if value is None:  # as _for_html
        return ""
    if isinstance(value, SlideMarkup):
        return str(value)
    return _ASCII_PUNCT.sub(r"\\\1", str(value))


# --------------------------------------------------------------------------- shared slides
#
# Most slides of a customized deck differ from one practice to the next only by the values
# they show (its name, its counts), which are text: the HTML deck renders each slide once with
# a token in place of each such value (``Shapes``), converts that Markdown (the same text for
# every practice: converted once per process), then puts each value's HTML in its token's
# place (``placed``). A value becomes a token only where its escaped text can make no Markdown
# of its own with what surrounds it: it starts and ends with a letter or a digit and holds no
# line break, control character, "|" (a table's cell), no-break space, or "Notes:" or
# "Layout:" (a slide's own lines). Anywhere else (an address, a code span, raw HTML, a line that
# a number starts) the slide is converted with its values in it, as before.
_OPEN, _CLOSE = "\ue000", "\ue001"  # a token: "Z" _OPEN its number _CLOSE "Z"
_TOKEN_CHARS = (_OPEN, _CLOSE)
TOKEN = re.compile(f"Z{_OPEN}([0-9]+){_CLOSE}Z")
_SHAREABLE = re.compile(r"[^\W_](?:[^\x00-\x1f\x7f|\u00a0" + _OPEN + _CLOSE + r"]*[^\W_])?")
# a value that starts with a digit first on its line (after markers): "12. " starts a list
_LINE_START = re.compile(r"(?m)^[\s\d.)\-*+>#:|]*" + TOKEN.pattern)


class Shapes:
    """The finalize of the "shape" flavor: each value a slide shows, escaped for the HTML deck
    (as ``_for_html``), or a token (``TOKEN``) where it can be (see above), the value kept in
    ``values`` (the rendering's list, set by the caller; None: no token at all)."""

    def __init__(self):
        self.values: list[str] | None = None

    def __call__(self, value) -> str:
        if value is None:  # as _for_html
            return ""
        if isinstance(value, SlideMarkup):
            return str(value)
        text = str(value)
        values = self.values
        if values is None or not _SHAREABLE.fullmatch(text) or "Notes:" in text \
                or "Layout:" in text:
            return _for_html(text)
        values.append(text)
        return f"Z{_OPEN}{len(values) - 1}{_CLOSE}Z"


SHAPES = Shapes()  # one rendering at a time in a process


def real_text(markdown: str, values: list[str]) -> str:
    """A slide's Markdown with its tokens' values in place, escaped: as the "html" flavor
    renders it."""
    return TOKEN.sub(lambda m: _for_html(values[int(m.group(1))]), markdown)


def shared(markdown: str, values: list[str]) -> bool:
    """Whether a slide's Markdown with tokens may be converted as it is (``placed`` then
    checks where each token landed): no abbreviation is defined (it would mark a value's
    words), no raw HTML but the chart's mark (a value in it is not Markdown), no token of a
    number opens a line (with the "." or ")" after it, a list's), and no value makes a
    "Notes:" or "Layout:" with the text after it."""
    if "*[" in markdown or "<" in markdown.replace(CHART_MARK, ""):
        return False
    if any(values[int(m.group(1))].isdigit() for m in _LINE_START.finditer(markdown)):
        return False
    real = real_text(markdown, values)
    return all(real.count(word) == markdown.count(word) for word in ("Notes:", "Layout:"))


def render_shaped(shape: list[CompiledSlide], html: list[CompiledSlide], context: dict
                  ) -> tuple[list[str], list[str] | None]:
    """Every slide of a deck in one context, compiled in the "shape" flavor (``shape``) and
    in the "html" one (``html``): its Markdown with tokens (``Shapes``), and their values. A
    slide that captures rendered output renders in the "html" flavor (no token). Where a
    value or the deck itself holds a token's characters, the "html" flavor's Markdown and
    None."""
    values: list[str] = []
    SHAPES.values = values
    try:
        markdown = [render_slide(plain if cs.captures else cs, context) if cs.template else ""
                    for cs, plain in zip(shape, html)]
    finally:
        SHAPES.values = None
    if sum(md.count(c) for md in markdown for c in _TOKEN_CHARS) != 2 * len(values):
        # a token's characters in a value or in the deck itself: no token at all
        return render_markdown(html, context), None
    return markdown, values


def _text_html(text: str) -> str:
    """A value's text as the converted and sanitized HTML holds it."""
    return escape(text, quote=False)


def placed(html: str, values: list[str]) -> str | None:
    """The HTML of a slide converted with tokens, each token replaced by its value's HTML;
    None when a token landed in a tag (an address, an attribute) or in code (where the
    value's escapes show): then the slide is converted with its values in it."""
    if _OPEN not in html:
        return html
    out, at = [], 0
    for m in TOKEN.finditer(html):
        before = html[:m.start()]
        if before.rfind("<") > before.rfind(">") or before.count("<code") > before.count("</code>") \
                or before.count("<pre") > before.count("</pre>"):
            return None
        out += [html[at:m.start()], _text_html(values[int(m.group(1))])]
        at = m.end()
    out.append(html[at:])
    html = "".join(out)
    return None if any(c in html for c in _TOKEN_CHARS) else html


FLAVORS = {"html": _for_html, "pptx": _for_pptx, "shape": SHAPES}

# --------------------------------------------------------------------------- layouts

# A slide asks for its layout with a first line "Layout: NAME" (like "Notes:", plain text
# that both outputs read); without one the first slide of a deck that holds only a title and
# paragraphs is the title slide, and any other slide a content slide.
LAYOUTS = ("content", "title", "two-column", "image-left", "image-right", "big-number", "closing")
_LAYOUT_LINE = re.compile(r"^Layout:[ \t]*(\S*)[ \t]*$")
COLUMN_BREAK = "+++"  # a line holding only this starts the second column of a two-column slide
# Where the practice's referral chart goes: raw HTML that no escaped value can produce (a
# value's "<" is escaped in both flavors), replaced by the SVG in HTML and read as the native
# chart by the .pptx reader.
CHART_MARK = '<div class="liaison-chart"></div>'


def layout_line(source: str) -> tuple[int, str] | None:
    """(line offset, layout name) of a slide's "Layout:" line (its first non-blank line), or
    None."""
    for k, line in enumerate(source.split("\n")):
        if not line.strip():
            continue
        m = _LAYOUT_LINE.match(line)
        return (k, m.group(1)) if m else None
    return None


def split_layout(markdown: str) -> tuple[str | None, str]:
    """A rendered slide -> (the layout it asks for or None, the rest of its Markdown)."""
    found = layout_line(markdown)
    if found is None:
        return None, markdown
    lines = markdown.split("\n")
    return found[1], "\n".join(lines[:found[0]] + lines[found[0] + 1:])


# --------------------------------------------------------------------------- helpers


def _referral_chart() -> SlideMarkup:
    """The practice's referrals per month (the last 12 months) on a slide of a customized
    deck: SVG in the HTML deck, a native chart in the .pptx. In the generic deck there is no
    practice: nothing."""
    return SlideMarkup(f"\n\n{CHART_MARK}\n\n")


def _helpers(env) -> None:
    from liaison import wording

    for name, fn in (("plural", wording.plural), ("in_words", wording.in_words),
                     ("prose_list", wording.prose_list), ("formal_name", wording.formal_name)):
        env.filters[name] = fn
        env.globals[name] = fn
    env.globals["referral_chart"] = _referral_chart


def make_env(flavor: str = "html") -> SandboxedEnvironment:
    """The sandbox slides render in (liaison.sandbox: no Python internals, limits on sizes,
    a time budget where renders are timed). Slides render to Markdown, which is sanitized
    after it becomes HTML; ``flavor`` says how values are escaped (see _for_html,
    _for_pptx)."""
    env = Sandbox(
        undefined=HintedUndefined, autoescape=False, keep_trailing_newline=True,
        finalize=FLAVORS[flavor],
    )
    _helpers(env)
    return env


# What ``deck_context`` gives each customized rendering beside site.yaml
_PER_RENDERING_NAMES = frozenset(("practice", "physicians", "stats"))


@dataclass
class CompiledSlide:
    slide: Slide
    template: jinja2.Template | None
    name: str
    # Whether the slide may render differently from one practice to the next (see
    # ``compile_deck``); one that may not renders as in the generic deck, for every practice.
    varies: bool = True
    # The names of a rendering's own context (``deck_context``) the slide names: a slide can
    # read no other (the deck sandbox loads no template, and its globals read no context)
    reads: frozenset = _PER_RENDERING_NAMES
    # Whether the slide captures rendered output (a {% set %} or {% filter %} block, a macro,
    # a call block): what it does with it would see tokens (``Shapes``) instead of values
    captures: bool = True


def _what_it_reads(ast) -> tuple[bool, frozenset]:
    """(whether a slide may render differently from one rendering to the next, the names of
    a rendering's own context it names: ``_PER_RENDERING_NAMES``): it varies where it names
    ``practice``, ``physicians`` or ``stats``, or draws at random (the ``lipsum`` global, the
    ``random`` filter). Its names are walked once."""
    names = {n.name for n in ast.find_all(nodes.Name)}
    reads = frozenset(names & _PER_RENDERING_NAMES)
    return (bool(reads) or "lipsum" in names
            or any(f.name == "random" for f in ast.find_all(nodes.Filter))), reads


def _calls_a_method(ast) -> bool:
    """Whether a slide's template calls a method (``site.services.append(…)``), which might
    change a value that the deck's renderings share."""
    return any(not isinstance(c.node, nodes.Name) for c in ast.find_all(nodes.Call))


def compile_deck(env: SandboxedEnvironment, deck: Deck) -> tuple[list[CompiledSlide], list[SlideError]]:
    """The slides of a deck compiled, and their errors (syntax, unknown layout). A slide
    ``varies`` when it reads what differs between renderings, or when any slide of the
    deck calls a method (it might change what the others read); one that does not renders
    the same text, or fails the same way, for every practice and in the generic deck."""
    out, errors, methods = [], [], False
    for n, slide in enumerate(deck.slides, start=1):
        name = f"{deck.path}#slide-{n}"
        found = layout_line(slide.source)
        if found is not None and found[1] not in LAYOUTS:
            errors.append(SlideError(
                f"slide {n}: unknown layout '{found[1]}' (one of: {', '.join(LAYOUTS)})",
                slide.line + found[0]))
        try:
            ast = env.parse(slide.source, name=name, filename=name)
            code = env.compile(ast, name=name, filename=name)
            # The globals as one plain dict: Jinja's own (a ChainMap over the environment's)
            # is copied key by key, in Python, at every render (a third of a slide's time).
            tmpl = env.template_class.from_code(env, code, dict(env.make_globals(None)))
            out.append(CompiledSlide(slide, tmpl, name, *_what_it_reads(ast), any(
                True for _ in ast.find_all((nodes.AssignBlock, nodes.FilterBlock, nodes.Macro,
                                             nodes.CallBlock)))))
            methods = methods or _calls_a_method(ast)
        except jinja2.TemplateSyntaxError as exc:
            message = exc.message or ""
            if message.startswith(("Unexpected end of template", "Encountered unknown tag 'end")):
                message += (" (each slide is a template of its own: a block opened in a slide "
                            "closes in that slide, before the next line '---')")
            errors.append(SlideError(f"slide {n}: template syntax error: {message}",
                                     slide.line + (exc.lineno or 1) - 1))
            out.append(CompiledSlide(slide, None, name))
    if methods:
        for cs in out:
            cs.varies = True
    return out, errors


def render_slide(cs: CompiledSlide, context: dict) -> str:
    """A slide's Markdown for one context, or SlideError at the deck file's line (a slide
    running over the time budget too, where the caller has armed it)."""
    began = BUDGET.begin()
    try:
        return cs.template.render(context)
    except Exception as exc:  # any template failure (undefined, sandbox, arithmetic) is data
        line = cs.slide.line
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == cs.name:
                line = cs.slide.line + tb.tb_lineno - 1
            tb = tb.tb_next
        what = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
        what += undefined_name_hint(what, [*context, *cs.template.environment.globals])
        if what == "no loader for this environment specified":  # Jinja's words for {% include %}
            what = ("a slide cannot include, import or extend another template: a slide is a "
                    "template of its own; write what it shows in the slide")
        raise SlideError(what, line, cs.name.rpartition("#")[0],
                         isinstance(exc, TemplateTimeout)) from None
    finally:
        BUDGET.end(began)


def physicians_by_practice(site: Site) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for did in sorted(site.physicians):
        out.setdefault(site.physicians[did].practice, []).append(did)
    return out


def site_context(config) -> dict:
    """site.yaml as a slide sees it (``site``): its fields, defaults filled in. A service's
    ``description`` is Markdown (SPEC §2): it goes into the slide's Markdown as written (its
    ``**bold**`` bold, the HTML sanitized with the slide's), not as text whose asterisks show."""
    ctx = config.model_dump()
    for service in ctx["services"]:
        if service["description"] is not None:
            service["description"] = SlideMarkup(service["description"])
    return ctx


def deck_context(site: Site, site_ctx: dict, stats, docs: dict[str, list[str]],
                 practice: str | None, reads: frozenset = _PER_RENDERING_NAMES) -> dict:
    """The template context of a deck: ``site`` (site.yaml), and for a customized deck the
    ``practice``, its ``physicians`` and its ``stats`` (SPEC §6: the practice's entry of
    stats.json, as a mapping); none and empty in the generic deck (``practice`` None).
    Each physician's record carries their own entry of stats.json as ``stats`` too, so that
    a slide thanks by name only those who referred (``stats``: the whole statistics).
    ``reads``: the names its slides read (``CompiledSlide.reads``): the others are left
    None (made for every practice, the physicians' records took a quarter of the deck
    checks' time at 10,000 physicians)."""
    if practice is None:
        return {"site": site_ctx, "practice": None, "physicians": [], "stats": None}
    return {
        "site": site_ctx,
        "practice": {"id": practice, **site.practices[practice].model_dump()}
        if "practice" in reads else None,
        "physicians": [{"id": did, **site.physicians[did].model_dump(),
                        "stats": _as_mapping(stats.physicians.get(did))}
                       for did in docs.get(practice, [])] if "physicians" in reads else None,
        "stats": _as_mapping(stats.practices.get(practice)) if "stats" in reads else None,
    }


def _as_mapping(figures) -> dict:
    if figures is None:
        return {}
    return figures.as_dict() if hasattr(figures, "as_dict") else figures


def deck_targets(site: Site, deck: Deck) -> list[str]:
    targets = sorted(site.practices) if deck.meta.targets == "all" else deck.meta.targets
    return [p for p in targets if p in site.practices]


def deck_contexts(site: Site, deck: Deck, stats) -> list[tuple[str | None, dict]]:
    """(practice id or None for the generic deck, template context) for every rendering."""
    site_ctx = site_context(site.config) if site.config else {}
    docs = physicians_by_practice(site)
    return [(p, deck_context(site, site_ctx, stats, docs, p))
            for p in [None, *deck_targets(site, deck)]]


def deck_failures(site: Site, stats, part: int = 0, parts: int = 1) -> list[tuple]:
    """Render the decks for one part of the renderings (all of them with ``parts`` 1), in
    the order of ``deck_contexts``: (deck, rendering index, line, slide number, message,
    practice id or None) for every slide that fails. Parts are contiguous, so that workers
    can share the renderings of a large site and their lists, joined, are the whole list."""
    with BUDGET.armed():
        return _deck_failures(site, stats, part, parts)


def _deck_failures(site: Site, stats, part: int, parts: int) -> list[tuple]:
    env = make_env()
    out = []
    docs = physicians_by_practice(site)
    for deck_id in sorted(site.decks):
        deck = site.decks[deck_id]
        compiled, errors = compile_deck(env, deck)
        if part == 0:
            out += [(deck_id, -1, e.line, None, e.message, None) for e in errors]
            for n, slide in enumerate(deck.slides, start=1):  # images: literal paths in the source
                for k, col, path in image_refs(slide.source):
                    why = image_problem(path, site.root)
                    if why:  # from another host: shown nowhere, like every remote image
                        out.append((deck_id, -1, slide.line + k, None, f"slide {n}: {why}", None, col,
                                    "warning" if _REMOTE.match(path) else "error"))
                for k, col in images_without_alt(slide.source):
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: a picture without alt "
                                "text: write what it shows between the brackets, ![Our vascular lab]"
                                "(images/lab.png); a screen reader says nothing of it, in the HTML deck "
                                "and the .pptx (where it is marked decorative); a picture that only "
                                f"decorates, say so: ![](images/wave.png \"{DECORATIVE}\")", None, col, "warning"))
                found = layout_line(slide.source)
                if found and found[1] in ("image-left", "image-right") and not any(
                        _IMAGE.fullmatch(c.strip()) for c in _chunks(slide.source)):
                    out.append((deck_id, -1, slide.line + found[0], None, f"slide {n}: layout "
                                f"'{found[1]}' without a picture alone in its paragraph (a line "
                                "![alt text](images/file.png) between blank lines): the picture's "
                                "half of the slide stays empty", None, 1, "warning"))
                for k, col, dest in repository_links(slide.source):
                    if "{{" in dest or "{%" in dest:  # an address the template writes
                        continue
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: link to '{dest}': no page "
                                "of the site (link to it by its full address)", None, col, "warning"))
                for k, col, dest in root_links(slide.source):
                    # no address written from the deck's page serves both of its pages: the generic
                    # deck's presentations/<deck>/ and the customized ones', a folder deeper
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: link to '{dest}': an "
                                "address from the server's root, which leads nowhere when the site is "
                                "opened from disk or served under a folder: link to it by its full "
                                "address (https://…)", None, col, "warning"))
                for k, col, text in vague_links(slide.source):
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: a link whose text says "
                                f"nothing of where it goes ('[{text}]'): name what it opens, [the referral "
                                "form](…); a screen reader's list of links, and the .pptx's, read its text "
                                "alone", None, col, "warning"))
                for k, col, warning in forbidden_characters(slide.source):
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: {warning}", None, col, "warning"))
                for k, col, _path in html_images(slide.source):
                    out.append((deck_id, -1, slide.line + k, None, f"slide {n}: an HTML <img> is taken "
                                "out of a slide (as every HTML tag): write the picture ![alt text](images/"
                                "file.png)", None, col, "warning"))
        if site.config is None:  # site.yaml has errors (said at its line): without its
            continue  # settings every `site.…` of a slide would fail, in a deck that is right
        renderings = [None, *deck_targets(site, deck)]  # the order of deck_contexts
        size = -(-len(renderings) // parts)
        site_ctx = site_context(site.config) if site.config else {}
        reads = frozenset().union(*(cs.reads for cs in compiled if cs.template is not None))
        measured: dict[int, list] = {}  # slide -> (lines, characters) of its largest renderings that fit
        said: set[int] = set()  # the slides said to hold too much
        contact = _contact_count(site)
        for k, pid in enumerate(renderings[part * size:(part + 1) * size], start=part * size):
            ctx = deck_context(site, site_ctx, stats, docs, pid, reads)
            for n, cs in enumerate(compiled, start=1):
                # A slide the same for every practice is rendered once, in the generic deck
                # (k 0): a failure of it is reported for the first rendering anyway.
                if cs.template is None or (k > 0 and not cs.varies):
                    continue
                try:
                    markdown = render_slide(cs, ctx)
                except SlideError as e:
                    out.append((deck_id, k, e.line, n, e.message, pid))
                    if e.timed_out:  # it would for every practice: seconds each
                        cs.template = None
                    continue
                if n not in said and _too_much(markdown, n - 1, measured, contact):
                    said.add(n)  # once per slide: for the first rendering that shows it
                    target = f"customized for practice '{pid}'" if pid else "generic deck"
                    first = len(cs.slide.source) - len(cs.slide.source.lstrip("\n"))  # its first line of text
                    out.append((deck_id, k, cs.slide.line + first, None, f"slide {n}: {TOO_MUCH} ({target})",
                                None, 1, "warning"))
    return out


TOO_MUCH = ("more than one slide holds: the HTML deck cuts its end even at its smallest text, and "
            "the .pptx needs text under 12 pt or runs it off the slide; split it in two")


def _contact_count(site: Site) -> int:
    """The contact lines of a closing slide (pages.decks.contact_lines): our name, and the
    phone, address and website that site.yaml gives."""
    our = getattr(site.config, "practice", None)
    return 1 + sum(1 for f in ("phone", "address", "website") if getattr(our, f, None))


def _too_much(markdown: str, index: int, measured: dict, contact: int) -> bool:
    """Whether a rendering of the deck's slide ``index`` holds more than a slide shows
    (``pptx.slides.crowded``). A rendering no longer and of no more lines than one that fits
    (``measured``: the slide's largest so far, updated here) is taken to fit unmeasured: the
    slides of thousands of practices are measured a few times each, not thousands."""
    from liaison.pptx.markdown import slide_content
    from liaison.pptx.slides import crowded

    shape = (markdown.count("\n"), len(markdown))
    fit = measured.setdefault(index, [])  # the largest renderings that fit, none smaller than another
    if any(shape[0] <= lines and shape[1] <= chars for lines, chars in fit):
        return False
    if not markdown.strip() or not crowded(slide_content(markdown), index, contact):
        fit[:] = [f for f in fit if not (f[0] <= shape[0] and f[1] <= shape[1])][-7:] + [shape]
        return False
    return True


def deck_problems(site: Site, failures: list[tuple]) -> list[Problem]:
    """Failures -> problems; the same mistake for every practice is said once, for the
    first rendering that shows it."""
    problems, seen = [], set()
    for deck_id, _k, line, n, message, pid, *where in sorted(failures, key=lambda f: (f[0], f[1])):
        path = site.decks[deck_id].path
        if n is None:  # a syntax error, an unknown layout, an image that cannot be shown
            col, severity = where if where else (1, "error")
            if TOO_MUCH in message:  # each part of the renderings says it once: said once
                if (deck_id, line, TOO_MUCH) in seen:
                    continue
                seen.add((deck_id, line, TOO_MUCH))
            problems.append(Problem(path, message, severity=severity, line=line, col=col))
            continue
        if (deck_id, line, message) in seen:
            continue
        seen.add((deck_id, line, message))
        target = f" (customized for practice '{pid}')" if pid else " (generic deck)"
        if not pid and message.startswith("'None' has no attribute"):
            target += (": in the generic deck practice and stats are none; show what needs them "
                       "inside {% if practice %}…{% endif %}")
        problems.append(Problem(path, f"slide {n}: template error: {message}{target}", line=line,
                                col=_error_column(site.decks[deck_id], line, message)))
    return problems


# What a template error names, and how it is written in the template: a name, an attribute or
# key, an element
_NAMED = (
    (re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined"), r"\b{}\b"),
    (re.compile(r"has no attribute '([A-Za-z_][A-Za-z0-9_]*)'"), r"\.{0}\b|\[\s*['\"]{0}['\"]\s*\]"),
    (re.compile(r"has no element (-?[0-9]+)$"), r"\[\s*{}\s*\]"),
)


def _error_column(deck: Deck, line: int, message: str) -> int:
    """The column of a template error's line where the template names what the error is
    about (``'oops' is undefined``: where ``oops`` stands inside ``{{ }}`` or ``{% %}``), or 1."""
    text = None
    for slide in deck.slides:
        lines = slide.source.split("\n")
        if slide.line <= line < slide.line + len(lines):
            text = lines[line - slide.line]
            break
    if not text:
        return 1
    for named, written in _NAMED:
        m = named.search(message)
        if not m:
            continue
        for found in re.finditer(written.format(re.escape(m.group(1))), text):
            before = text[:found.start()]
            opened = max(before.rfind("{{"), before.rfind("{%"))
            if opened > max(before.rfind("}}"), before.rfind("%}")):  # inside a tag
                return found.start() + 1 + (1 if found.group(0).startswith(".") else 0)
        break
    return 1


# --------------------------------------------------------------------------- HTML


def split_notes(markdown: str) -> tuple[str, str]:
    """A slide's Markdown -> (body, speaker notes): the paragraph starting 'Notes:' and what
    follows it are the notes (a paragraph: after a blank line, or right under a heading, which
    ends the heading's line: such notes showed on the slide)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Notes:") and (i == 0 or not lines[i - 1].strip()
                                          or _HEADING_LINE.match(lines[i - 1])):
            return "\n".join(lines[:i]).strip(), "\n".join(lines[i:])[len("Notes:"):].strip()
    return markdown.strip(), ""


def render_markdown(compiled: list[CompiledSlide], ctx: dict) -> list[str]:
    """Every slide of a deck in one context (see deck_context): its Markdown, notes included."""
    return [render_slide(cs, ctx) if cs.template else "" for cs in compiled]


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# A Markdown image: ![alt](path) or ![alt](path "title"); a value's "!" and "[" are escaped.
# ![alt](images/lab.png), ![alt](<images/our lab.png>) (a name with spaces, as CommonMark
# writes it) and ![alt](images/our%20lab.png) (as GitHub links it): ``src`` as written
_IMAGE = re.compile(r'(?<!\\)!\[(?P<alt>[^\]]*)\]\(\s*(?P<lt><)?(?P<src>(?(lt)[^<>\n]*|[^)\s>]*))(?(lt)>)'
                    r'(?:\s+"(?P<title>[^"]*)")?\s*\)')
_HEADING = re.compile(r"^ {0,3}#{1,3}[ \t]+\S")
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)


# A picture written in HTML, as GitHub shows it too: <img src="images/lab.png" width="300">
# (its attributes may go on over lines, not past a blank one, which ends HTML in Markdown)
_HTML_IMAGE = re.compile(r"""<img\b(?:[^>\n]|\n(?![ \t]*\n))*?\ssrc\s*=\s*"""
                         r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>"']+))""", re.I)


def _html_src(m: re.Match) -> tuple[int, str]:
    """The start and text of an HTML image's ``src``."""
    name = next(n for n in ("dq", "sq", "bare") if m.group(n) is not None)
    return m.start(name), m.group(name)


def image_refs(markdown: str, html: bool = False) -> list[tuple[int, int, str]]:
    """(line offset, column, path) of every image of a slide's (or guide's) Markdown, and with
    ``html`` of every ``<img>`` too (``html_images``: a guide's page shows them); an image
    written in code (an example of the syntax) is none."""
    out = [(k, m.start() + 1, m.group("src")) for k, line in prose_lines(markdown)
           for m in _IMAGE.finditer(line)]
    return sorted(out + html_images(markdown)) if html else out


def images_without_alt(markdown: str) -> list[tuple[int, int]]:
    """(line offset, column) of every image of a slide's Markdown (not in code) whose alt text
    is empty: ``![](images/lab.png)``; not one its title marks decorative, as alt="" is right
    for (``![](images/wave.png "decorative")``: neither deck shows a title)."""
    return [(k, m.start() + 1) for k, line in prose_lines(markdown)
            for m in _IMAGE.finditer(line)
            if not m.group("alt").strip() and (m.group("title") or "").strip().lower() != DECORATIVE]


DECORATIVE = "decorative"  # the title of a picture that only decorates: no alt text wanted


def html_images(markdown: str) -> list[tuple[int, int, str]]:
    """(line offset, column, path) of every ``<img>`` of a Markdown text (not in code), where
    its ``<img`` stands (its attributes may go on over lines)."""
    if "<" not in markdown:
        return []
    lines = [""] * (markdown.count("\n") + 1)  # fenced code blanked: no <img> goes through
    for k, line in prose_lines(markdown):
        lines[k] = line
    text = "\n".join(lines)
    out = []
    for m in _HTML_IMAGE.finditer(text):
        k = text.count("\n", 0, m.start())
        out.append((k, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1, _html_src(m)[1]))
    return out


_ALT_ATTR = re.compile(r"\salt\s*=", re.I)


def html_images_without_alt(markdown: str) -> list[tuple[int, int]]:
    """(line offset, column) of every ``<img>`` of a Markdown text (not in code) that has no
    ``alt`` attribute (a screen reader reads out its file's name); ``alt=""``, a picture that
    only decorates, is not one."""
    if "<" not in markdown:
        return []
    lines = markdown.split("\n")
    out = []
    for k, col, _path in html_images(markdown):
        tag = "\n".join(lines[k:k + 40])[col - 1:]  # its attributes end at a blank line, if not before
        if not _ALT_ATTR.search(tag[:tag.find(">") + 1 or None]):
            out.append((k, col))
    return out


def local_images(markdown: str, prefix: str, html: bool = False) -> str:
    """``markdown`` with the path of each of its images of our own (not another host's) read
    from ``prefix`` (the folder the page's images are copied to), and with ``html`` each
    ``<img>``'s; code shows what it says."""
    def ours(src: str) -> bool:
        return not (_REMOTE.match(src) or src.startswith("/"))

    def page_src(src: str) -> str:  # the file picture_file reads: its "#" and "?" are no
        return prefix + src.replace("#", "%23").replace("?", "%3F")  # fragment, no query

    def local(text: str) -> str:
        text = _IMAGE.sub(lambda m: (f"![{m.group('alt')}](<{page_src(m.group('src'))}>)" if m.group("lt") else
                                     f"![{m.group('alt')}]({page_src(m.group('src'))})")
                          if ours(m.group("src")) else m.group(0), text)
        if html and "<" in text:
            def one(m):
                at, src = _html_src(m)
                whole, at = m.group(0), at - m.start()
                return whole if not ours(src) else whole[:at] + page_src(src) + whole[at + len(src):]
            text = _HTML_IMAGE.sub(one, text)
        return text

    return outside_code(markdown, local)


def pictures_alone(markdown: str) -> str:
    """A slide's Markdown with each image that is not alone in its paragraph (in a sentence,
    a list item or a table cell) written as its alt text, as the .pptx shows it: the HTML deck
    showed the picture inside the line, full size, and the .pptx the words."""
    def alone(text: str) -> str:
        lines = text.split("\n")
        for k, line in enumerate(lines):
            if "![" not in line:
                continue
            before = lines[k - 1].strip() if k else ""
            after = lines[k + 1].strip() if k + 1 < len(lines) else ""
            if (_IMAGE.fullmatch(line.strip()) and not after
                    and (not before or _HEADING_LINE.match(before) or "|" in before)):
                continue
            lines[k] = _IMAGE.sub(lambda m: m.group("alt"), line)
        return "\n".join(lines)

    return outside_code(markdown, alone)


def picture_file(path: str) -> str:
    """The file an image's path names, beneath its folder: the path as written, its %20 and
    other escapes read as GitHub reads them (``images/our%20lab.png``: "our lab.png")."""
    from urllib.parse import unquote

    return unquote(path)


def read_image(root, path: str, folder: str = "presentations") -> bytes | None:
    """The bytes of an image that ``image_problem`` accepts (beneath content/<folder>/), or
    None."""
    from liaison.parse import NotRegular, read_beneath

    if image_problem(path, root, folder) is not None:
        return None
    try:
        return read_beneath(root, f"content/{folder}/{picture_file(path)}")
    except (OSError, NotRegular):
        return None


def image_problem(path: str, root, folder: str = "presentations") -> str | None:
    """Why a slide's (or, with ``folder`` "training", a guide's) image path is refused, or
    None: a file beneath content/<folder>/, PNG or JPEG (what both the browser and PowerPoint
    show)."""
    import os
    import stat
    from pathlib import PurePosixPath

    where = f"content/{folder}/"
    if not path or _REMOTE.match(path) or path.startswith("/"):
        return (f"image '{path}': not shown; give a path beneath {where} "
                "(nothing is loaded from another host)")
    written, path = path, picture_file(path)
    if "\\" in path and ".." not in path and not re.match(r"\\|[A-Za-z]:", path):  # Windows
        return (f"image '{written}': write '/' between folders, not '\\' (as on the web, and on "
                f"Linux, where CI builds): '{written.replace(chr(92), '/')}'")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or "\\" in path:
        return f"image '{written}': the path must stay beneath {where}"
    if PurePosixPath(path).suffix.lower() not in IMAGE_TYPES:
        kind = "a slide image" if folder == "presentations" else "an image"
        return f"image '{written}': {kind} must be PNG or JPEG (.png, .jpg, .jpeg)"
    named = _named_otherwise(os.path.join(root, "content", folder), parts)
    if named is not None:
        return (f"image '{written}': the file is named '{named}': write the name as it is, "
                "capitals and accents alike (macOS and Windows find the file either way, Linux "
                "does not: there it is no picture)")
    try:
        mode = os.lstat(os.path.join(root, "content", folder, *parts)).st_mode
    except (OSError, ValueError):  # (ValueError: a %00 in the path)
        return f"image '{written}': no such file in {where}"
    if not stat.S_ISREG(mode):
        return f"image '{written}': not a regular file (a link or a folder)"
    return _not_a_picture(path, root, where, written)


def _named_otherwise(top: str, parts) -> str | None:
    """The path ``parts`` beneath the folder ``top`` as its folders name their entries, when
    that differs from ``parts`` only by capitals or by how an accent is written (``Lab.PNG``
    for ``lab.png``), else None (the same name, or no such file). A Mac's or Windows's file
    system opens the file by either name, Linux's (CI's) by its own only: the same deck
    validated on one and failed on the other."""
    import os
    import unicodedata

    found, differs = [], False
    for part in parts:
        try:
            names = os.listdir(os.path.join(top, *found))
        except (OSError, ValueError):
            return None
        if part not in names:
            key = unicodedata.normalize("NFC", part).casefold()
            like = [n for n in names if unicodedata.normalize("NFC", n).casefold() == key]
            if len(like) != 1:
                return None
            part, differs = like[0], True
        found.append(part)
    return "/".join(found) if differs else None


def _not_a_picture(path: str, root, where: str, written: str | None = None) -> str | None:
    """Why a file named .png, .jpg or .jpeg is no picture that the browser and PowerPoint both
    show (its bytes, not its name: a GIF renamed .png showed in the HTML and was left out of
    the .pptx without a word), or None."""
    import errno

    from liaison.parse import NotRegular, read_beneath

    try:
        data = read_beneath(root, where + path)
    except NotRegular:
        return f"image '{written or path}': no such file in {where}"
    except OSError as exc:  # a file there that cannot be read is not missing
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"image '{written or path}': no such file in {where}"
        return f"image '{written or path}': cannot read the file: {exc.strerror or exc}"
    what = picture_problem(data)
    return None if what is None else \
        f"image '{written or path}': the file {what}: save the picture as PNG or JPEG"


def picture_problem(data: bytes) -> str | None:
    """What a file that should hold a PNG or JPEG picture holds instead ("is a GIF picture",
    …), or None when it holds one (what the .pptx writer can size: liaison.pptx.package)."""
    from liaison.pptx.package import image_size

    if image_size(data):
        return None
    if not data:
        what = "is empty"
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        what = "is a GIF picture"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        what = "is a WebP picture"
    elif b"<svg" in data[:2048]:
        what = "is an SVG drawing"
    elif data[:8] == b"\x89PNG\r\n\x1a\n" or data[:2] == b"\xff\xd8":
        what = "is a damaged PNG or JPEG file (no picture size in it)"
    else:
        what = "holds no PNG or JPEG picture"
    return what


@dataclass(frozen=True)
class Dress:
    """What an HTML deck shows besides its slides' Markdown, as seen from its page: the logo's
    address (None: the site has none), the prefix of slide images (the generic deck's
    ``_media/``), the referral chart's SVG ("" in the generic deck) and our contact lines."""
    logo: str | None = None
    media: str = "_media/"
    chart: str = ""
    contact: tuple = ()
    name: str = ""


def _split_title(body: str) -> tuple[str, str]:
    lines = body.split("\n")
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if _HEADING.match(line):
            return line, "\n".join(lines[k + 1:])
        break
    return "", body


def _chunks(text: str) -> list[str]:
    """Paragraph-sized pieces of Markdown (split at blank lines)."""
    return [c for c in re.split(r"\n[ \t]*\n", text.strip()) if c.strip()]


def _first_image(text: str) -> tuple[str, str]:
    """(the first paragraph that is an image alone, the rest)."""
    pieces = _chunks(text)
    for k, c in enumerate(pieces):
        if _IMAGE.fullmatch(c.strip()):
            return c.strip(), "\n\n".join(pieces[:k] + pieces[k + 1:])
    return "", text


def _with_chart(html: str, dress: Dress) -> str:
    """A slide's HTML with the dress's referral chart where the slide shows it."""
    return html.replace(CHART_MARK, f'<div class="liaison-chart">{dress.chart}</div>' if dress.chart else "")


def _layout_body(layout: str, body: str, convert, dress: Dress) -> str:
    """A slide's body Markdown in its layout -> HTML (``convert``: Markdown -> sanitized
    HTML), the referral chart's mark left where it goes (``_with_chart`` puts the chart in).
    The structure is the same for every layout: an optional title, then the parts the layout
    names, as div classes that deck.css places."""
    # our images from the deck's _media/ folder; another host's stay as they are, and the
    # sanitizer drops them
    body = local_images(pictures_alone(body), dress.media)
    logo = (f'<div class="slide-logo"><img src="{html_escape(dress.logo)}" '
            f'alt="{html_escape(dress.name)}"></div>') if dress.logo else ""
    if layout in ("title", "closing"):
        out = logo + convert(body)
        if layout == "closing" and dress.contact:
            out += ('<div class="contact">' + "".join(
                f"<p>{html_escape(line)}</p>" for line in dress.contact) + "</div>")
    elif layout == "two-column":
        title, rest = _split_title(body)
        lines = rest.split("\n")
        cut = next((k for k, ln in enumerate(lines) if ln.strip() == COLUMN_BREAK), len(lines))
        left, right = "\n".join(lines[:cut]), "\n".join(lines[cut + 1:])
        out = (convert(title) + '<div class="columns"><div class="column">' + convert(left)
               + '</div><div class="column">' + convert(right) + "</div></div>")
    elif layout in ("image-left", "image-right"):
        title, rest = _split_title(body)
        image, text = _first_image(rest)
        out = (convert(title) + f'<div class="media-text {layout}"><div class="media">'
               + convert(image) + '</div><div class="text">' + convert(text) + "</div></div>")
    elif layout == "big-number":
        title, rest = _split_title(body)
        pieces = _chunks(rest)
        figure, caption = (pieces[0], "\n\n".join(pieces[1:])) if pieces else ("", "")
        out = (convert(title) + '<div class="big-number">' + convert(figure) + "</div>"
               + '<div class="caption">' + convert(caption) + "</div>")
    else:
        out = convert(body)
    return out


def html_escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def render_html(convert, note, slides_markdown: list[str], dress: Dress) -> list[dict]:
    """Rendered slides -> their layout, the sanitized HTML of their body (``convert``, images
    allowed) and of their speaker notes (``note``)."""
    return [slide_html(index, markdown, convert, note, dress)
            for index, markdown in enumerate(slides_markdown)]


def slide_html(index: int, markdown: str, convert, note, dress: Dress,
               memo: dict | None = None) -> dict:
    """``render_html`` of the deck's slide ``index``. ``memo``: where the slide's layout,
    body HTML (before the referral chart goes in) and notes' HTML are kept by its Markdown
    and what the dress shows besides the chart, for the next deck whose slide has the same
    (``shared_html``: a slide with tokens is the same text in every practice's deck)."""
    key = (index, markdown, dress.logo, dress.media, dress.contact, dress.name)
    made = memo.get(key) if memo is not None else None
    if made is None:
        from liaison.pptx.markdown import layout_of

        body, notes = split_notes(markdown)
        layout = layout_of(index, markdown)
        _, body = split_layout(body)
        made = (_layout_body(layout, body, convert, dress), note(notes), layout)
        if memo is not None:
            if len(memo) >= SLIDES_KEPT:
                memo.clear()
            memo[key] = made
    body_html, notes_html, layout = made
    return {"html": Markup(_with_chart(body_html, dress)), "notes_html": notes_html,
            "layout": layout}


SLIDES_KEPT = 5000  # slides a ``slide_html`` memo keeps (a deck has a few: one per deck is the rule)


def shared_html(convert, note, slides_markdown: list[str], values: list[str] | None,
                dress: Dress, memo: dict | None = None) -> list[dict]:
    """``render_html`` of slides rendered with tokens (``Shapes``; ``values``: theirs): each
    slide converted with its tokens where it can be (``shared``, ``placed``: the same
    Markdown for every practice, converted once by a ``convert`` that keeps what it made,
    and its layout and notes worked out once where ``memo`` keeps them: ``slide_html``),
    else with its values in it (``values`` None: none has a token)."""
    if values is None:
        return render_html(convert, note, slides_markdown, dress)
    slides = []
    for index, markdown in enumerate(slides_markdown):
        slide = None
        if _OPEN in markdown and shared(markdown, values):
            slide = slide_html(index, markdown, convert, note, dress, memo)
            html, notes = placed(slide["html"], values), placed(slide["notes_html"], values)
            slide = None if html is None or notes is None else {
                "html": Markup(html), "notes_html": Markup(notes), "layout": slide["layout"]}
        if slide is None:
            slide = slide_html(index, real_text(markdown, values), convert, note, dress)
        slides.append(slide)
    return slides
