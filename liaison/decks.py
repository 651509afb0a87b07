"""Presentation decks: slide templates rendered in a sandbox (SPEC §6).

Slides are Jinja2 templates with ``site``, ``practice``, ``physicians`` and ``stats``; an
undefined name is an error, reported at the deck file's line where it stands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from liaison.content import Deck, Slide
from liaison.diagnostics import Problem
from liaison.records import Site
from liaison.sandbox import BUDGET, Sandbox, TemplateTimeout


class SlideError(Exception):
    def __init__(self, message: str, line: int, path: str = "", timed_out: bool = False):
        super().__init__(message)
        self.message, self.line, self.path, self.timed_out = message, line, path, timed_out


# A data value shown in a slide ({{ practice.name }}) is text, never Markdown or HTML: every
# value is escaped for what reads the slide next. Python-Markdown (the HTML deck) honours
# backslash escapes of its own punctuation and HTML entities; the .pptx reader honours a
# backslash before any ASCII punctuation.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")
_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def _for_html(value) -> str:
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_PUNCT.sub(r"\\\1", text)


def _for_pptx(value) -> str:
    return _ASCII_PUNCT.sub(r"\\\1", str(value))


FLAVORS = {"html": _for_html, "pptx": _for_pptx}


def make_env(flavor: str = "html") -> SandboxedEnvironment:
    """The sandbox slides render in (liaison.sandbox: no Python internals, limits on sizes,
    a time budget where renders are timed). Slides render to Markdown, which is sanitized
    after it becomes HTML; ``flavor`` says how values are escaped (see _for_html,
    _for_pptx)."""
    return Sandbox(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        finalize=FLAVORS[flavor],
    )


@dataclass
class CompiledSlide:
    slide: Slide
    template: jinja2.Template | None
    name: str


def compile_deck(env: SandboxedEnvironment, deck: Deck) -> tuple[list[CompiledSlide], list[SlideError]]:
    out, errors = [], []
    for n, slide in enumerate(deck.slides, start=1):
        name = f"{deck.path}#slide-{n}"
        try:
            code = env.compile(slide.source, name=name, filename=name)
            tmpl = env.template_class.from_code(env, code, env.make_globals(None))
            out.append(CompiledSlide(slide, tmpl, name))
        except jinja2.TemplateSyntaxError as exc:
            errors.append(SlideError(f"slide {n}: template syntax error: {exc.message}",
                                     slide.line + (exc.lineno or 1) - 1))
            out.append(CompiledSlide(slide, None, name))
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
        raise SlideError(what, line, cs.name.rpartition("#")[0],
                         isinstance(exc, TemplateTimeout)) from None
    finally:
        BUDGET.end(began)


def physicians_by_practice(site: Site) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for did in sorted(site.physicians):
        out.setdefault(site.physicians[did].practice, []).append(did)
    return out


def deck_context(site: Site, site_ctx: dict, practice_stats: dict, docs: dict[str, list[str]],
                 practice: str | None) -> dict:
    """The template context of a deck: ``site`` (site.yaml), and for a customized deck the
    ``practice``, its ``physicians`` and its ``stats`` (SPEC §6: the practice's entry of
    stats.json, as a mapping); none and empty in the generic deck (``practice`` None)."""
    if practice is None:
        return {"site": site_ctx, "practice": None, "physicians": [], "stats": None}
    return {
        "site": site_ctx,
        "practice": {"id": practice, **site.practices[practice].model_dump()},
        "physicians": [{"id": did, **site.physicians[did].model_dump()} for did in docs.get(practice, [])],
        "stats": _as_mapping(practice_stats.get(practice)),
    }


def _as_mapping(figures) -> dict:
    if figures is None:
        return {}
    return figures.as_dict() if hasattr(figures, "as_dict") else figures


def deck_targets(site: Site, deck: Deck) -> list[str]:
    targets = sorted(site.practices) if deck.meta.targets == "all" else deck.meta.targets
    return [p for p in targets if p in site.practices]


def deck_contexts(site: Site, deck: Deck, practice_stats: dict) -> list[tuple[str | None, dict]]:
    """(practice id or None for the generic deck, template context) for every rendering."""
    site_ctx = site.config.model_dump() if site.config else {}
    docs = physicians_by_practice(site)
    return [(p, deck_context(site, site_ctx, practice_stats, docs, p))
            for p in [None, *deck_targets(site, deck)]]


def deck_failures(site: Site, practice_stats: dict, part: int = 0, parts: int = 1) -> list[tuple]:
    """Render the decks for one part of the renderings (all of them with ``parts`` 1), in
    the order of ``deck_contexts``: (deck, rendering index, line, slide number, message,
    practice id or None) for every slide that fails. Parts are contiguous, so that workers
    can share the renderings of a large site and their lists, joined, are the whole list."""
    with BUDGET.armed():
        return _deck_failures(site, practice_stats, part, parts)


def _deck_failures(site: Site, practice_stats: dict, part: int, parts: int) -> list[tuple]:
    env = make_env()
    out = []
    docs = physicians_by_practice(site)
    for deck_id in sorted(site.decks):
        deck = site.decks[deck_id]
        compiled, errors = compile_deck(env, deck)
        if part == 0:
            out += [(deck_id, -1, e.line, None, e.message, None) for e in errors]
        renderings = [None, *deck_targets(site, deck)]  # the order of deck_contexts
        size = -(-len(renderings) // parts)
        site_ctx = site.config.model_dump() if site.config else {}
        for k, pid in enumerate(renderings[part * size:(part + 1) * size], start=part * size):
            ctx = deck_context(site, site_ctx, practice_stats, docs, pid)
            for n, cs in enumerate(compiled, start=1):
                if cs.template is None:
                    continue
                try:
                    render_slide(cs, ctx)
                except SlideError as e:
                    out.append((deck_id, k, e.line, n, e.message, pid))
                    if e.timed_out:  # it would for every practice: seconds each
                        cs.template = None
    return out


def deck_problems(site: Site, failures: list[tuple]) -> list[Problem]:
    """Failures -> problems; the same mistake for every practice is said once, for the
    first rendering that shows it."""
    problems, seen = [], set()
    for deck_id, _k, line, n, message, pid in sorted(failures, key=lambda f: (f[0], f[1])):
        path = site.decks[deck_id].path
        if n is None:  # a syntax error
            problems.append(Problem(path, message, line=line, col=1))
            continue
        if (deck_id, line, message) in seen:
            continue
        seen.add((deck_id, line, message))
        target = f" (customized for practice '{pid}')" if pid else " (generic deck)"
        problems.append(Problem(path, f"slide {n}: template error: {message}{target}", line=line, col=1))
    return problems


# --------------------------------------------------------------------------- HTML


def split_notes(markdown: str) -> tuple[str, str]:
    """A slide's Markdown -> (body, speaker notes): the paragraph starting 'Notes:' and what
    follows it are the notes."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Notes:") and (i == 0 or not lines[i - 1].strip()):
            return "\n".join(lines[:i]).strip(), "\n".join(lines[i:])[len("Notes:"):].strip()
    return markdown.strip(), ""


def render_markdown(compiled: list[CompiledSlide], ctx: dict) -> list[str]:
    """Every slide of a deck in one context (see deck_context): its Markdown, notes included."""
    return [render_slide(cs, ctx) if cs.template else "" for cs in compiled]


def render_html(view, slides_markdown: list[str]) -> list[dict]:
    """Rendered slides -> sanitized HTML of their body and speaker notes."""
    slides = []
    for markdown in slides_markdown:
        body, notes = split_notes(markdown)
        slides.append({"html": view.md.note(body), "notes_html": view.md.note(notes)})
    return slides
