"""Render and write stages: pages -> HTML files, plus assets, stats.json, exports, calendars;
the output folder is replaced atomically.

Rendering is shared among forked workers (both cores): each builds the contexts of its share of
the pages from the indexes it inherited and writes the files itself; nothing but counts comes
back.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import os
import pickle
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from typing import NamedTuple
from pathlib import Path

import jinja2
from markupsafe import Markup

from liaison import dates, wording
from liaison import pages as page_registry
from liaison.errors import LiaisonError, TemplateFailure
from liaison.models import email_href
from liaison.progress import QUIET, Progress
from liaison.sandbox import BUDGET, HintedUndefined, Sandbox, undefined_name_hint
from liaison.pages.view import InteractionView, Refs
from liaison.trusted import Trusted, escape_output, escaped_text
from liaison.workers import Streamed, can_fork, cpu_count, map_forked

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
BUILTIN_COMPILED = PACKAGE_TEMPLATES / "__pycache__" / "compiled"  # see _compiled_templates
PACKAGE_STATIC = Path(__file__).parent / "static"
# Rules more than one style sheet holds (the charts' under forced colours: style.css's and
# deck.css's), written once here and put in place of their mark, a line "/* shared: NAME */",
# as the site is built (``shared_css``); not assets of their own
PACKAGE_SHARED_CSS = PACKAGE_STATIC / "shared"
_SHARED_MARK = re.compile(r"^/\* shared: ([\w.-]+\.css) \*/\n", re.M)
MARKER = ".liaison-site"  # written into every output folder we create
PARALLEL_PAGES = 200  # below this many pages one process is faster than forking
BUILTIN_PREFIX = "builtin"  # {% extends "builtin/physician.html" %}: the built-in template


def make_env(site_root: Path, palette=None, sandboxed: bool | None = None) -> jinja2.Environment:
    """Templates: the site's own ``templates/`` folder first (overrides by file name), then
    the built-in ones; ``builtin/NAME`` is always the built-in template NAME, so that a site's
    template can extend the one it replaces. Autoescaping everywhere; an undefined name is an
    error.

    A site with template overrides renders in the sandbox (liaison.sandbox: no Python
    internals, limits on sizes, a time budget per page), in ``validate`` and ``build`` alike;
    the built-in templates alone are trusted and render in a plain environment (the sandbox
    made the index and activity pages of 10,000 physicians
    ~40% slower in processor time: 20.2 s against 14.3 s). ``sandboxed`` forces either.

    The site's palette (``templates/palette.yaml`` over the built-in one, or ``palette``) is
    ``palette`` in the templates; a palette with problems raises TemplateFailure."""
    from liaison import palette as palette_stage
    from liaison.overrides import SiteLoader

    if palette is None:
        palette = palette_stage.for_site(site_root)
    from liaison.overrides import SETTINGS, override_names

    own = any(name not in SETTINGS for name in override_names(site_root))
    if sandboxed is None:
        sandboxed = own
    env = (Sandbox if sandboxed else Trusted)(
        loader=jinja2.ChoiceLoader([
            jinja2.PrefixLoader({BUILTIN_PREFIX: jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES))}),
            SiteLoader(site_root),  # regular files only: a link is never followed
            jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)),
        ]),
        autoescape=True,
        undefined=HintedUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_compiled_templates(site_root, sandboxed, builtin_only=not own),
        # a template is read once: a build renders 17,000 pages at 10,000 physicians, each
        # of which would ask the file system whether base.html and macros.html changed
        # (``serve`` makes a new environment when the site's templates change: live.py)
        auto_reload=False,
        # a value left out prints nothing in a site's templates, as on a slide (`{{ our.phone }}`
        # of a site.yaml without one printed "None"); the built-in templates, trusted alone,
        # never print a None (they test optional values), so they skip the call per value
        **({"finalize": _shown} if sandboxed else {}),
    )
    snippets = Snippets(env)
    env.globals["interaction_html"] = snippets.interaction
    env.globals["interactions_html"] = snippets.interactions
    env.globals["fragment"] = Fragments(kept=not (own or sandboxed))
    env.globals["palette"] = palette
    dates.register(env)  # {{ date|day(as_of) }}, {{ date|ago(as_of) }}
    # {{ n|plural("visit") }}: "1 visit", "2 visits" (the decks' helper: liaison.wording)
    env.filters["plural"] = wording.plural
    # {{ n|number }}: "1,234", as the trend badges write counts (a text: as given)
    env.filters["number"] = wording.number
    # {{ person.email|email }}: a mailto: link, or the text when it is no address
    env.filters["email"] = email_link
    # {{ capture|rate }}: "81.3%", a rate of the statistics as the pages write it
    env.filters["rate"] = wording.rate
    # {{ member.role|role }}: "front desk" for front-desk, as a sentence writes it
    env.filters["role"] = wording.role_name
    return env


def _shown(value):
    """What a template's ``{{ value }}`` prints: nothing for None."""
    return "" if value is None else value


def email_link(value) -> Markup:
    """An e-mail address as a ``mailto:`` link; anything else ("ask the front desk", two
    addresses) as text, which ``validate`` warns of. Both break as a web address does."""
    if not value:
        return Markup("")
    href = email_href(str(value))
    if href is None:
        return Markup('<span class="url">{}</span>').format(value)
    return Markup('<a class="url" href="{}">{}</a>').format(href, str(value).strip())


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates as compiled by an earlier run, in the cache folder (liaison.cache: outside
    the site root) or beside the built-in templates (``_compiled_templates``), each under its
    name, path and a hash of its source (jinja's own bytecode cache): compiling the
    templates again took 0.3 s of every build. A file that cannot be read or written there
    only costs the compiling."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable or damaged: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates(site_root: Path, sandboxed: bool,
                        builtin_only: bool = False) -> _CompiledTemplates | None:
    """The compiled templates of this code and these libraries (liaison.buildrecord's code
    fingerprint, in each file's name) for one kind of environment (the sandbox compiles
    templates its own way); the files of other versions are removed.

    The trusted environment of a site without templates of its own (``builtin_only``: a
    site with some renders in the sandbox) renders the built-in templates alone: what they
    compile to depends on this code only, so it is kept beside them, as Python keeps its
    compiled modules in ``__pycache__``, for every site root and cache folder, a build into
    an empty cache folder included (compiling them took 0.2 s of processor time); the cache
    folder holds them where the package's folder cannot be written."""
    from liaison.buildrecord import code_fingerprint
    from liaison.cache import cache_file, kept_for

    version = code_fingerprint()[:16]
    folders = [cache_file(site_root, "templates-" + ("sandboxed" if sandboxed else "trusted"),
                          "d")]
    if builtin_only and not sandboxed:
        folders.insert(0, BUILTIN_COMPILED)
    for folder in folders:
        if kept_for(folder, version):
            return _CompiledTemplates(os.fspath(folder), version + "-%s.cache")
    return None


class Snippets:
    """An interaction appears on several pages (briefs, call plans, the activity log): its
    ``interaction_item`` macro runs once per process (once per build: ``prerender_snippets``),
    with a placeholder for the pages' relative base, which each page fills in.

    The snippets rendered before the page workers fork are kept as UTF-8 bytes, and made
    text again each time a page shows one: as strings they took two bytes a character (each
    holds a "·" or a "—"), 251 MB at 10,000 physicians, and both page workers copied the
    memory of the ones they showed (a page that takes a string writes its reference count)."""

    BASE = "\x00base\x00"
    _BASE_BYTES = BASE.encode("utf-8")

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.memo: dict[int, str | bytes] = {}  # id(view) -> snippet (bytes: prerendered)
        self.macro = None  # macros.html's interaction_item, looked up once
        self.twin = False  # whether ``interaction_item`` renders it (``ready``)

    def interaction(self, view: dict, base: str) -> Markup:
        return Markup(self.html(view).replace(self.BASE, base))

    def interactions(self, views, base: str) -> Markup:
        """The snippets of ``views``, one after the other, as ``interaction`` gives each: a
        page's list in one call (a month of the activity log lists 3,300 interactions at
        10,000 physicians; Jinja's loop and its call of ``interaction`` cost 2-3
        microseconds an item, 8-9 ms of a month page's 20), the base put in once. Where
        each was rendered before (bytes), they are joined as bytes, the base put in, and
        the whole made text at once: a month page's 3,300 snippets made text one by one,
        then the base put into 2 MB of text that holds a "·" (two bytes a character), took
        8 ms of the page's 18."""
        memo = self.memo
        if not isinstance(views, (list, tuple)):
            views = list(views)  # (read twice where one is not rendered yet)
        try:
            joined = b"".join([memo[id(view)] for view in views])
        except (KeyError, TypeError):  # one not rendered yet, or rendered here (text)
            html = self.html
            return Markup("".join([html(view) for view in views]).replace(self.BASE, base))
        return Markup(joined.replace(self._BASE_BYTES, base.encode("utf-8")).decode("utf-8"))

    def forget(self) -> None:
        """A new site in memory (``serve``): the snippets are keyed by the old views' ids."""
        self.memo.clear()

    def html(self, view: dict) -> str:
        """The snippet of an interaction's view, with the placeholder for the base."""
        html = self.memo.get(id(view))  # views live as long as the SiteView: ids are stable
        if html is None:
            html = self.memo[id(view)] = self.render(view)
        elif type(html) is bytes:
            return html.decode("utf-8")
        return html

    def render(self, view: dict) -> str:
        """The snippet of an interaction's view, rendered now: by ``interaction_item`` where
        macros.html is the built-in one (its macro's output, the view's fields not kept in the
        view), else by the macro."""
        macro = self.macro or self.ready()
        if self.twin and type(view) is InteractionView:
            return interaction_item(view._site().interaction_fields(view._record, shared=True),
                                    self.BASE, self.env.filters["day"])
        return str(macro(view, self.BASE))

    def ready(self):
        """The macro, looked up (and macros.html compiled) once: before forking, so that
        the processes that render snippets inherit it (compiling it took a forked process
        0.09 s of a cold build, with no compiled templates in the cache folder)."""
        if self.macro is None:
            template = self.env.get_template("macros.html")
            macro = template.module.interaction_item
            self.macro = _bare(macro) if isinstance(self.env, Trusted) else macro
            self.twin = isinstance(self.env, Trusted) and template.filename is not None \
                and Path(template.filename) == PACKAGE_TEMPLATES / "macros.html"
        return self.macro


class Fragments:
    """``{% call fragment(name, key...) %}...{% endcall %}``: the part of a page between the
    two tags, rendered once per template, name and key, then given again to every page of
    that template with the same key (a build's 13,600 pages that extend base.html have a
    few dozen of each between them: rendering the four parts on every page took 20-37
    microseconds a page, 0.3-0.6 s of processor time at 10,000 physicians). The key
    must hold every value the part reads that is not the same on every page of the site
    (base.html: ``base`` and ``section``); the template named is the page's own (blocks it
    replaces inside the part are its own for all its pages). Only where every template is
    a built-in one (``kept``: the trusted environment): a site's own template may fill a
    block inside the part with what differs from page to page, so there the part is
    rendered every time. ``forget()``: a new site in memory (``serve``)."""

    def __init__(self, kept: bool):
        self.kept = kept
        self.made: dict[tuple, Markup] = {}

    @jinja2.pass_context
    def __call__(self, context, name: str, *key, caller) -> Markup:
        if not self.kept:
            return caller()
        made = self.made.get(whole := (context.name, name, *key))
        if made is None:
            made = self.made[whole] = caller()
        return made

    def forget(self) -> None:
        self.made.clear()


def _joined(items, sep: str) -> str:
    """``{{ items | join(sep) }}`` with autoescaping, as Jinja's ``join`` and the output's
    escape give it."""
    items = list(items)
    if any(hasattr(item, "__html__") for item in items):
        return escape_output(Markup(sep).join(items))
    return escape_output(sep.join(map(str, items)))


def interaction_item(i: dict, base: str, day) -> str:
    """What macros.html's ``interaction_item(i, base)`` renders, byte for byte, written in
    Python: a build renders 200,000 snippets at 10,000 physicians, and the macro took 11
    microseconds each. ``i``: an interaction's view fields (``SiteView.interaction_fields``);
    ``day``: the environment's ``day`` filter. Only the built-in macros.html is ever
    replaced by it (``Snippets.ready``); tests/test_snippet.py renders both for every branch
    of the macro and compares them, so an edit of one without the other fails there."""
    e = escaped_text
    as_of, b = i["as_of"], e(base)
    by = f'<a href="{b}{e(i["liaison_href"])}">{e(i["liaison_name"])}</a>' \
        if i["liaison_href"] else e(i["liaison_name"])
    out = [f'<li>\n  <div class="meta">{day(i["date"], as_of)} · {e(i["type"])}'
           f'{" (in person)" if i["in_person"] else ""} · by {by}']
    if i["outcome"]:
        outcome = e(i["outcome"])
        out.append(f' · <span class="badge {outcome}">{outcome}</span>')
    if i["cost"]:
        out.append(f' · <span class="cost">cost {e(i["cost"])}</span>')
    out.append(f'</div>\n  <div><strong>{e(i["summary"])}</strong></div>\n  <div class="meta">')
    out.append(_links(i["practices"], b))
    if i["physicians"]:
        out.append(" — " + _links(i["physicians"], b))
    if i["met_with"]:
        out.append(" — met " + ", ".join(f"<bdi>{e(m)}</bdi>" for m in i["met_with"]))
    if i["deck"]:
        out.append(f' — deck: <a href="{b}{e(i["deck"].href)}">{e(i["deck"].title)}</a>')
    out.append("  </div>")
    if i["needs"]:
        out.append(f'<div class="needs">Needs: {_joined(i["needs"], "; ")}</div>')
    if i["notes_html"]:
        out.append(f'<div class="note-body">{e(i["notes_html"])}</div>')
    if i["next_visit"]:
        out.append(f'<div class="meta">Next visit planned {day(i["next_visit"], as_of)}</div>')
    out.append("</li>")
    return "".join(out)


def _links(refs, b: str) -> str:
    """``interaction_item``'s links to practices or physicians (``b``: the base, escaped),
    joined; kept in a shared list (``Refs``) with the base they were made with, so that
    the snippets that name the same ones make them once."""
    shared = type(refs) is Refs
    if shared and refs.base == b:
        return refs.links
    e = escaped_text
    html = ", ".join([f'<a href="{b}{e(r.href)}">{e(r.name)}</a>' for r in refs])
    if shared:
        refs.base, refs.links = b, html
    return html


def _bare(macro):
    """The function of a built-in macro that takes its arguments as they are given (every
    one, by position): ``jinja2.runtime.Macro.__call__`` sorts them out first, a tenth of an
    interaction snippet's time. The macro itself where it is not one such (another Jinja)."""
    func = getattr(macro, "_func", None)
    plain = not (getattr(macro, "catch_kwargs", True) or getattr(macro, "catch_varargs", True)
                 or getattr(macro, "caller", True))
    return func if func is not None and plain else macro


def snippets_of(env: jinja2.Environment) -> Snippets:
    """The ``Snippets`` of an environment made by ``make_env``."""
    return env.globals["interaction_html"].__self__


@dataclass
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    timings: list = field(default_factory=list)
    unchanged: bool = False  # the site was up to date: nothing was written
    kept: int = 0  # pages hard-linked unchanged from the previous site (incremental build)
    # the warnings of the site's templates on the pages rendered (Diagnostic), as validate
    # says them: the build found them only then (liaison.overrides.page_warnings)
    warnings: list = field(default_factory=list)


# Below this many distinct notes, one process renders them (cmark-gfm: 0.03 ms a note, so
# 20,000 take about 0.6 s, against the forking and the sending back of the HTML)
PARALLEL_NOTES = 20_000


def prerender_notes(view: page_registry.SiteView, workers: int = 1) -> int:
    """Render every distinct interaction note once, on ``workers`` cores, before the page
    workers fork: they inherit the results. (Each page worker showed nearly every note, on
    its share of the month pages and briefs, so each rendered them all.) A build calls it
    where a site's own templates render the snippets in the page processes; with the
    built-in templates, the notes are rendered with the snippets (``prerender_snippets``).
    Returns how many."""
    D, memo = view.as_of, view.md.memo
    texts = list(dict.fromkeys(
        r.notes for r in view.site.interactions if r.notes and r.date <= D and r.notes not in memo))
    n = workers if len(texts) >= PARALLEL_NOTES else 1
    shares = [texts[i::n] for i in range(n)]
    md = view.md
    done = map_forked(lambda share: [str(md.note(text)) for text in share], shares)
    for share, htmls in zip(shares, done):
        for text, html in zip(share, htmls):
            memo[text] = Markup(html)
    return len(texts)


PARALLEL_SNIPPETS = 5_000  # below this many interactions, one process renders their snippets
# How many interactions a process takes at a time (fewer on a small site: each process gets
# some 16 chunks), so that the processes end within one chunk of each other
SNIPPET_CHUNK = 2_000


def prerender_snippets(view: page_registry.SiteView, env: jinja2.Environment,
                       workers: int = 1, beside=None) -> tuple[int, int]:
    """Render the snippet (``Snippets``) of every interaction the pages show once, on
    ``workers`` cores, before the page workers fork: they inherit them. (Each page worker
    made its own of nearly every interaction: the month pages show them all, the briefs the
    latest.) The interactions, by month, are handed out in chunks (a counter the processes
    share): each process starts with a chunk of its own, then takes the next one while any
    is left, so that they end together whatever the work beside costs and whatever the
    machine does meanwhile. Each process makes the views (``SiteView.interaction``) of the
    interactions it takes, and renders their notes not rendered yet, which only the snippets
    show (see ``prerender_notes``); the others hand each chunk's snippets over as soon as
    they are rendered (as UTF-8 bytes, as ``Snippets`` keeps them: in a file each, named
    through a pipe), and this process takes what has come between its own chunks, keyed by
    views whose fields are never made: little is left to take once the chunks are done.
    (Sent at the end, the 172,000 snippets of the other process at 10,000 physicians took
    0.4 s to receive and 0.2 s to key here, with the other core idle. Sent through the pipe
    as they came, each chunk's 2-3 MB waited for this process's thread that reads the pipe,
    64 KB at a time, each time for the interpreter's lock: the other process stood idle.)
    With the
    built-in templates only: a site's own templates render their snippets with their pages,
    within each page's time budget (see ``render_pages``). ``beside()``: more work for this
    process, done after its first chunk while the others render (it is called in any
    case). Returns how
    many interactions, and how many distinct notes were rendered with them."""
    if isinstance(env, Sandbox):
        if beside is not None:
            beside()
        return 0, 0
    snippets = snippets_of(env)
    snippets.ready()
    records = [r for month in sorted(view.by_month) for r in view.by_month[month]]
    notes = len({r.notes for r in records if r.notes}.difference(view.md.memo))
    n = workers if len(records) >= PARALLEL_SNIPPETS and can_fork() else 1
    size = max(100, min(SNIPPET_CHUNK, len(records) // (16 * n)))
    chunks = _Chunks(records, size, first=n)

    def render(part: list) -> list[bytes]:
        for text in dict.fromkeys(r.notes for r in part):  # the part's notes first, alone
            view.md.note(text)  # (once each in a process: MarkdownRenderer.note keeps them)
        return [snippets.render(view.interaction(r)).encode("utf-8") for r in part]

    def keep(start: int, htmls: list[bytes]) -> None:
        for r, html in zip(records[start:start + len(htmls)], htmls):
            snippets.memo[id(view.interaction(r))] = html

    def other(i: int):
        """The work of the ``i``-th forked process: a chunk of its own, then the next while
        any is left, each written to a file of ``folder`` as soon as it is rendered, and
        named through the pipe: a message that never waits for this process to read it
        (where the file cannot be written, the snippets go through the pipe instead)."""
        def run(send) -> None:
            start, part = i * size, chunks.at(i)
            while part:
                data = pickle.dumps(render(part), pickle.HIGHEST_PROTOCOL)
                try:
                    _write(os.path.join(folder, str(start)), data)
                    data = b""
                except OSError:  # (no room there, say)
                    pass
                send(start, data)
                start, part = chunks.take()
        return run

    def take(parts) -> None:
        for start, data in parts:
            if not len(data):  # in its file
                path = os.path.join(folder, str(start))
                with open(path, "rb") as fh:
                    data = fh.read()
                os.unlink(path)
            keep(start, pickle.loads(data))

    # (the files, in memory where a tmpfs is there: ``SHARED_MEMORY``)
    folder = tempfile.mkdtemp(prefix="liaison-snippets-", dir=_shared_memory()) \
        if n > 1 else ""
    others = [Streamed(other(i)) for i in range(1, n)]  # forked now, before any chunk
    try:
        keep(0, render(chunks.at(0)))  # a chunk of its own, whatever comes next
        if beside is not None:
            beside()
        while True:
            for streamed in others:
                take(streamed.arrived())
            start, part = chunks.take()
            if not part:
                break
            keep(start, render(part))
        for streamed in others:
            rest, _none = streamed.rest()
            take(rest)
    except BaseException:  # no process may go on rendering once the caller reports it
        for streamed in others:
            streamed.cancel()
        raise
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return len(records), notes


SHARED_MEMORY = "/dev/shm"  # a tmpfs on Linux: files there are memory, never written to disk


def _shared_memory() -> str | None:
    """Where the snippets' files go: ``SHARED_MEMORY`` when it is a folder this process can
    write, else the system's temporary folder."""
    return SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) \
        and os.access(SHARED_MEMORY, os.W_OK | os.X_OK) else None


def render_pages(view: page_registry.SiteView, pages: list[page_registry.Page], out: Path,
                 env: jinja2.Environment, progress: Progress = QUIET, label: str = "") -> int:
    """Render pages into ``out``; the paths and sizes of the files written (pages and the
    files beside them). A site's own templates and its decks are timed (liaison.sandbox.BUDGET): one
    timer for the whole batch, a page only notes when it starts."""
    with BUDGET.armed():
        return _render_pages(view, pages, out, env, progress, label)


def render_page(view: page_registry.SiteView, page: page_registry.Page,
                env: jinja2.Environment, warnings: list | None = None) -> str:
    """One page's HTML; a template's failure as TemplateFailure at the template's line (a
    site's own templates and its decks: within the time budget, see ``render_pages``).
    ``warnings``: where the warnings of the site's templates on the page go
    (``overrides.page_warnings``: what validate says of it)."""
    from liaison.decks import SlideError

    timed = isinstance(env, Sandbox)  # the built-in templates alone are trusted
    tmpl = load_template(env, page.template, view.site.root)
    began = timed and BUDGET.begin()
    context = {}
    try:
        context = page_registry.context(view, page)
        html = tmpl.render(context)
    except jinja2.TemplateError as exc:
        raise template_failure(exc, view.site.root, page.path, [*context, *env.globals]) from None
    except SlideError as exc:  # a deck that failed here (over its time budget, say)
        raise TemplateFailure(f"{exc.path}:{exc.line}:1: error: template error: "
                              f"{exc.message} (rendering {page.path})") from None
    except Exception as exc:
        if not timed:  # the built-in templates: a bug of ours, not the site's
            raise
        raise template_failure(exc, view.site.root, page.path) from None
    finally:
        BUDGET.end(began)
    if timed:  # a site's own templates keep the robots and CSP lines and load nothing remote
        from liaison.overrides import security_failure

        failure = security_failure(env, view.site.root, page, html, str(context["csp"]))
        if failure:
            raise TemplateFailure(failure)
        if warnings is not None:
            from liaison.overrides import page_warnings

            warnings += page_warnings(env, view.site.root, page, html)
    return html


class _Warned(NamedTuple):
    """Among the (path, size) of what a page process wrote, the warnings of the site's
    templates on one page (``render_page``'s), carried back to the build's process, which
    takes them out (``_template_warnings``)."""

    page: str
    problems: tuple


def _render_pages(view, pages, out, env, progress, label) -> int:
    written = []
    root = os.fspath(out)
    for i, page in enumerate(pages):
        progress.fraction(label, i, len(pages))
        warned = []
        html = render_page(view, page, env, warned)
        folder = os.path.dirname(page.path)
        _make_folder(root, folder)
        data = html.encode("utf-8")
        _write(f"{root}/{page.path}", data)
        written.append((page.path, len(data)))
        for rel, extra in page_registry.files_beside(view, page).items():
            if os.path.dirname(rel) != folder:  # a deck's _media/ folder
                _make_folder(root, os.path.dirname(rel))
            _write(f"{root}/{rel}", extra)
            written.append((rel, len(extra)))
        if warned:
            written.append(_Warned(page.path, tuple(warned)))
    return written


def _make_folder(root: str, rel: str) -> None:
    """``root/rel`` made if missing (its parents too), as ``Path.mkdir(parents=True,
    exist_ok=True)`` does, in one system call when only the last folder is missing (almost
    every page has a folder of its own). A file (or a link) where the folder goes, left in a
    reused folder by a site of another shape, is removed first. The build's processes make
    folders side by side: one that another process made meanwhile is taken as it is (two
    pages of one new folder, each in a process, both found its parent missing)."""
    if not rel:
        return
    path = f"{root}/{rel}"
    try:
        os.mkdir(path)
        return
    except FileExistsError:
        pass
    except FileNotFoundError:
        _make_folder(root, os.path.dirname(rel))
        try:
            os.mkdir(path)
            return
        except FileExistsError:  # made by another process since the first try
            pass
    if not os.path.isdir(path) or os.path.islink(path):
        with contextlib.suppress(FileNotFoundError):  # (removed by another process)
            os.unlink(path)
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path) or os.path.islink(path):
                raise


_WRITE = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def _write(path: str, data: bytes) -> None:
    """Write a file in one open, write and close (``Path.write_bytes`` asks the file's size
    and whether it is a terminal besides: a 20,000-file site spent 0.5 s on that). A build
    writes into a folder of its own, often the site before the last one (the spare, see
    ``_take_spare``): a file there is written over in place (a new file costs the file system
    far more), unless it is also a file of another folder (a hard link: the site in place
    shares the files of the pages an incremental build took from it), or not a regular file:
    then it is replaced by a new one, so that no other folder's file is ever written."""
    try:
        fd = os.open(path, _WRITE, 0o666)
    except OSError as exc:  # a link (O_NOFOLLOW) or a folder in the way: a new file instead
        if exc.errno not in (errno.ELOOP, errno.EISDIR):
            raise
        _remove_path(path)
        fd = os.open(path, _WRITE | os.O_EXCL, 0o666)
    try:
        st = os.fstat(fd)
        if st.st_nlink > 1 or not stat.S_ISREG(st.st_mode):
            os.close(fd)
            fd = -1
            os.unlink(path)
            fd = os.open(path, _WRITE | os.O_EXCL, 0o666)
            st = None
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if st is not None and st.st_size > len(data):
            os.ftruncate(fd, len(data))
    finally:
        if fd >= 0:
            os.close(fd)


def _remove_path(path: str) -> None:
    """Whatever is at ``path`` (a file, a link or a folder), removed."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def extra_files(view: page_registry.SiteView, stats: dict,
                wanted: str | None = None, kept: tuple | None = None,
                inputs: dict | None = None) -> dict[str, bytes]:
    """Every non-page file of the site, by path; with ``wanted`` (a path: ``serve`` asks for
    one file at a time), only the group of files that would hold it. ``kept``, ``inputs``:
    see ``_extra_groups``."""
    files: dict[str, bytes] = {}
    for heads, _paths, make in _extra_groups(view, stats, kept, inputs):
        if wanted is None or wanted.startswith(heads):
            files.update(make())
    return files


def output_paths(view: page_registry.SiteView, stats: dict) -> set[str]:
    """Every file a build writes, by its '/'-separated path in the site, none of them made:
    the pages (the registry's plan), the files beside them (a deck's .pptx, a guide's
    pictures, the search index) and the other files (stats.json, the exports, the calendars,
    the assets). What a link written into the site may name (liaison.checks)."""
    paths = set()
    for page in page_registry.plan(view):
        paths.add(page.path)
        paths.update(page_registry.paths_beside(view, page))
    for _heads, group_paths, _make in _extra_groups(view, stats):
        paths.update(group_paths())
    return paths


def _extra_groups(view: page_registry.SiteView, stats: dict, kept: tuple | None = None,
                  inputs: dict | None = None) -> list[tuple[tuple[str, ...], object, object]]:
    """The non-page files in groups made together: (path or folder prefixes, the paths of
    its files (a function: none is made), maker). With
    ``kept`` (the store where a build keeps what it made: pipeline.Checked.kept) and the
    input files' hashes, the interactions export takes the lines of the interaction files
    unchanged since the last build from there (``_interactions_export``), and the files made
    of the statistics alone are those the process forked ahead made, when it did
    (``KeptParts.made``: the same statistics)."""
    from liaison import exports

    site, as_of = view.site, view.as_of
    made = (kept.made if kept is not None else None) or {}
    makers = exports.stats_files(site, stats)

    def of_stats(path: str):
        return lambda: {path: made[path] if path in made else makers[path]()}

    def one(path: str, make):  # a group of one file
        return (path,), lambda: [path], make

    return [
        one("stats.json", of_stats("stats.json")),
        one("robots.txt", lambda: {"robots.txt": b"User-agent: *\nDisallow: /\n"}),
        one("exports/physicians.csv", of_stats("exports/physicians.csv")),
        one("exports/practices.csv", of_stats("exports/practices.csv")),
        one("exports/interactions.csv",
            lambda: {"exports/interactions.csv": _interactions_export(site, as_of, kept, inputs)}),
        one("exports/referrals-by-month.csv", lambda: {
            "exports/referrals-by-month.csv": exports.referrals_by_month_csv(site, stats)}),
        *([one("exports/compliance.csv", lambda: {
            "exports/compliance.csv": exports.compliance_csv(
                site, as_of.year, page_registry.compliance.year_costly(view))})]
          if site.config.compliance is not None else []),
        (("calendar.ics", "calendar/"), lambda: exports.calendar_paths(site), lambda: exports.calendars(
            site, stats, as_of, [(r, f) for _due, r, f in view.open_follow_ups],
            view.planned_visits)),
        (("assets/",), lambda: [f"assets/{name}" for name in asset_sources(site.root)],
         lambda: _assets(view)),
    ]


def _interactions_export(site, as_of: dt.date, kept: tuple | None, inputs: dict | None) -> bytes:
    """``exports.interactions_csv``; with a store (``kept``: pipeline.KeptParts) and the
    input hashes, what the last builds wrote is taken, under the as-of date (a line shows
    how many of its follow-ups are open then):

    * the lines of the first interactions, all of cold files (pipeline._Split), as one text
      kept under the cold files' key (``EXPORT_HEAD``): taken while those are the first
      (0.02 s instead of 0.6 s at 10,000 physicians, where a visit logged today wrote the
      kept lines of every file again), else made again from
    * the lines of each of their files unchanged since (``EXPORT_LINES``,
      ``exports.interaction_lines``);
    * the lines of the other interactions (those of the hot files, and of a cold one dated
      among them) likewise, by file (``EXPORT_HOT``).

    The lines of the files that the build's other process read (``KeptParts.lines``: it made
    them while this one assembled the records) are taken as those of unchanged files are."""
    from liaison import exports

    if kept is None or inputs is None:
        return exports.interactions_csv(site, as_of)
    from liaison.pages.view import same_below
    from liaison.snapshot import EXPORT_HEAD, EXPORT_HOT, EXPORT_LINES

    store, day, records = kept.store, as_of.isoformat(), site.interactions
    made = kept.lines or {}

    def lines_of(name: str, part: list) -> str:
        """The lines of ``part``, taking what ``name`` kept of its files and the lines made
        by the other process; what they give kept under ``name`` where it changed."""
        stored = given = store.derived(name, day)
        if made:
            given = dict(stored) if isinstance(stored, dict) else {}
            given.update((rel, [inputs[rel], by_place]) for rel, by_place in made.items()
                         if rel in inputs)
        text, lines = exports.interaction_lines(part, site.src, as_of, given, inputs)
        if lines is None and given is not stored:  # (each of its files' lines made there)
            lines = given
        if lines is not None:
            store.keep_derived(name, day, lines)
        return text

    first = same_below(kept.split_at()[0])  # site.interactions[:first]: the cold files' first
    head_key = f"{kept.key} {day}"
    head = store.derived(EXPORT_HEAD, head_key)
    if not (isinstance(head, tuple) and len(head) == 2 and isinstance(head[0], int)
            and 0 <= head[0] <= first and isinstance(head[1], bytes)):
        head = (first, lines_of(EXPORT_LINES, records[:first]).encode("utf-8"))
        store.keep_derived(EXPORT_HEAD, head_key, head)
    text = lines_of(EXPORT_HOT, records[head[0]:])
    return exports.interactions_header().encode("utf-8") + head[1] + text.encode("utf-8")


def _assets(view: page_registry.SiteView) -> dict[str, bytes]:
    """The style sheets, scripts and pictures: the package's, then the site's own
    (``templates/assets/``), style sheets in the site's palette."""
    from liaison import palette as palette_stage
    from liaison.parse import NotRegular

    assets = {}
    for name, read in asset_sources(view.site.root).items():
        try:
            assets[name] = read()
        except (OSError, NotRegular):
            continue
    colours = view.palette  # read once, by build_site
    files = {}
    for name, data in assets.items():
        if name.endswith(".css"):  # colours marked "palette: KEY" take the site's palette
            try:
                data = palette_stage.apply_css(shared_css(data.decode("utf-8")), colours).encode("utf-8")
            except UnicodeDecodeError:  # not our marks: the file stays as it is
                pass
        files[f"assets/{name}"] = data
    return files


def shared_css(css: str) -> str:
    """A style sheet with each mark of shared rules (``/* shared: chart-forced-colours.css */``,
    a line of its own) replaced by the rules (``PACKAGE_SHARED_CSS``); a site's own copy of a
    style sheet that kept the mark gets them too. A mark naming no such file stays as it is."""
    if "/* shared: " not in css:
        return css

    def rules(m: re.Match) -> str:
        try:
            return (PACKAGE_SHARED_CSS / m.group(1)).read_text(encoding="utf-8")
        except OSError:
            return m.group(0)

    return _SHARED_MARK.sub(rules, css)


def asset_sources(root: Path) -> dict[str, object]:
    """The files of the built site's ``assets/``, by name beneath it, each with the function
    that reads it: the package's, then the site's own (``templates/assets/``), which replace
    them."""
    from liaison.discover import regular_files
    from liaison.parse import read_beneath

    sources = {asset.name: asset.read_bytes for asset in sorted(PACKAGE_STATIC.iterdir()) if asset.is_file()}
    # A site may replace or add assets too: regular files only, never through a link (of
    # an asset, of assets/ or of templates/) and never a FIFO (SPEC §1; validate reports them).
    # Its subfolders too (templates/assets/fonts/inter.woff2 -> assets/fonts/inter.woff2):
    # they were left out without a word, and a self-hosted font or picture with them.
    for rel in regular_files(root, "templates/assets"):
        sources[rel[len("templates/assets/"):]] = lambda rel=rel: read_beneath(root, rel)
    return sources


def _template_path(filename: str | None, site_root: Path) -> str:
    if not filename:
        return "templates"
    path = Path(filename)
    try:
        return path.resolve().relative_to(site_root.resolve()).as_posix()
    except ValueError:
        return f"{path.name} (built-in template)"


# The name or token a Jinja message names: where it stands on the error's line is the column
# (Jinja keeps only lines: its lexer's tokens and its nodes have no column)
_NAMED = (
    (re.compile(r"^'(\w+)' is undefined"), "name"),
    (re.compile(r"has no attribute '(\w+)'"), "name"),
    (re.compile(r"^No (?:filter|test) named '(\w+)'"), "name"),
    (re.compile(r"^Encountered unknown tag '(\w+)'"), "name"),
    (re.compile(r"^unexpected '([^']+)'"), "token"),
    (re.compile(r"^expected token '[^']+', got '([^']+)'"), "token"),
)
_LEXER_AT = re.compile(r"^unexpected char '.+' at (\d+)$")
_IN_DATA = frozenset(("data", "comment_begin", "comment", "comment_end", "linecomment_begin",
                      "linecomment", "linecomment_end", "raw_begin", "raw_end"))


def template_column(filename: str | None, line: int, message: str) -> int:
    """The column of what a template error at ``line`` names (``'practise' is undefined``: the
    name; ``unexpected '}'``: that token, in a tag, not in the page's text), counted in the
    template's text as the lexer reads it; 1 when the message names nothing or it is not
    found on that line (an error at the end of the template, a name written twice on a line:
    the first)."""
    if not filename or not message:
        return 1
    try:
        st = os.stat(filename)
    except OSError:
        return 1
    # (the same failure on every page a template makes: the text is read and its tokens
    # walked once, not 7-16 ms for each of 10,000 physicians' pages)
    return _column(filename, st.st_size, st.st_mtime_ns, line, message)


@functools.lru_cache(maxsize=256)
def _column(filename: str, _size: int, _mtime_ns: int, line: int, message: str) -> int:
    """``template_column`` of the file as it is (its size and modification time)."""
    try:
        with open(filename, encoding="utf-8", errors="replace") as fh:
            source = fh.read()
    except OSError:
        return 1
    at = _LEXER_AT.match(message)
    if at:  # the lexer's own offset in the text
        offset = int(at.group(1))
        before = source[:offset]
        return offset - before.rfind("\n") if before.count("\n") + 1 == line else 1
    for pattern, kind in _NAMED:
        m = pattern.search(message)
        if m:
            wanted = m.group(1)
            break
    else:
        return 1
    cursor = 0
    try:
        for lineno, token, value in jinja2.Environment().lexer.tokeniter(source, filename):
            pos = source.find(value, cursor)
            if pos < 0:
                return 1  # (the lexer changed the text: no place to count from)
            cursor = pos + len(value)
            if lineno < line or token in _IN_DATA:
                continue
            if lineno > line:
                return 1
            if value == wanted and (kind == "token" or token == "name"):
                return pos - source.rfind("\n", 0, pos)
    except jinja2.TemplateSyntaxError as exc:
        # the lexer's own error (a '}' that closes nothing): the token it stopped at is next
        pos = source.find(wanted, cursor)
        if kind == "token" and exc.lineno == line and pos >= 0 \
                and source.count("\n", 0, pos) + 1 == line:
            return pos - source.rfind("\n", 0, pos)
    return 1


def template_location(exc: Exception, site_root: Path, page: str | None = None,
                      names=()) -> tuple[str, int, int, str]:
    """Where a template error stands: (path, line, column, message naming the page
    rendered); an undefined name gets the closest of ``names`` (the page's variables and the
    globals). The column is that of the name or token the error names (``template_column``)."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:  # runtime errors: the deepest frame that belongs to a template
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".html"):
            filename, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    where = f" (rendering {page})" if page else ""
    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, OverflowError):  # a float out of range: "(34, 'Numerical result…')"
        message = "a number too large to compute"
    message += undefined_name_hint(message, names)
    unexported = _UNEXPORTED.match(message)
    if unexported and (site_root / "templates" / unexported.group(1)).is_file():
        # the site's own macros.html lacks a macro a built-in page imports: said at that file,
        # as validate says it (liaison.overrides._missing_macros)
        from liaison.overrides import macro_signatures, missing_macro

        try:
            ours = macro_signatures(jinja2.Environment().parse(
                (site_root / "templates" / unexported.group(1)).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, jinja2.TemplateError):
            ours = {}
        return (f"templates/{unexported.group(1)}", 1, 1,
                missing_macro(unexported.group(3), unexported.group(2), 1, unexported.group(1),
                              ours) + where)
    if isinstance(exc, jinja2.TemplateNotFound) and not isinstance(exc, jinja2.TemplatesNotFound):
        message = _not_found(exc.name, site_root)  # Jinja says only the name (of a list: each)
    elif isinstance(exc, RecursionError) and filename:
        message = _itself(filename, message)
    column = template_column(filename, line, message) if line else 1
    return _template_path(filename, site_root), line or 1, column, f"{message}{where}"


_UNEXPORTED = re.compile(r"^the template '([\w.-]+\.html)' \(imported on line \d+ in '([\w./-]+)'\) "
                         r"does not export the requested name '(\w+)'")


def _not_found(name: str, site_root: Path) -> str:
    """"there is no template 'builtin/physican.html' (did you mean …?)", as validate says it
    (liaison.overrides)."""
    from liaison.diagnostics import did_you_mean
    from liaison.overrides import override_names

    builtin = sorted(p.name for p in PACKAGE_TEMPLATES.iterdir() if p.suffix == ".html")
    known = sorted({*builtin, *(f"{BUILTIN_PREFIX}/{b}" for b in builtin),
                    *(n for n in override_names(site_root) if n.endswith(".html"))})
    hint = did_you_mean(name, known)
    if not hint and "/" not in name:
        hint = did_you_mean(f"{BUILTIN_PREFIX}/{name}", known)
    return f"there is no template '{name}'{hint}"


def _itself(filename: str, message: str) -> str:
    """A site's template that extends, includes or imports itself (``{% extends
    "physician.html" %}`` in templates/physician.html, meant for the built-in one) recurses
    until Python stops it: said as such, with the name to write."""
    path = Path(filename)
    try:
        tree = jinja2.Environment().parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, jinja2.TemplateError):
        return message
    for node in tree.find_all((jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import,
                               jinja2.nodes.FromImport)):
        ref = node.template
        if isinstance(ref, jinja2.nodes.Const) and ref.value == path.name:
            verb = "extends" if isinstance(node, jinja2.nodes.Extends) else \
                "includes" if isinstance(node, jinja2.nodes.Include) else "imports"
            return (f"'{path.name}' {verb} itself, for ever: to use the built-in one, write "
                    f"'{BUILTIN_PREFIX}/{path.name}'")
    return message


def template_failure(exc: Exception, site_root: Path, page: str | None = None,
                     names=()) -> TemplateFailure:
    """A template error -> the diagnostic at the template file's line."""
    path, line, col, message = template_location(exc, site_root, page, names)
    return TemplateFailure(f"{path}:{line}:{col}: error: template error: {message}")


def load_template(env: jinja2.Environment, name: str, site_root: Path) -> jinja2.Template:
    """A page template (a site's own or the built-in one); syntax errors as diagnostics."""
    try:
        return env.get_template(name)  # Jinja caches compiled templates
    except jinja2.TemplateError as exc:
        raise template_failure(exc, site_root) from None


def write_files(root: Path, files: dict[str, bytes]) -> list[tuple[str, int]]:
    """Write files below ``root``; their paths and sizes."""
    base = os.fspath(root)
    for rel, data in files.items():
        _make_folder(base, os.path.dirname(rel))
        _write(f"{base}/{rel}", data)
    return [(rel, len(data)) for rel, data in files.items()]


def check_output(out: Path) -> None:
    """Refuse to replace a non-empty folder that a build did not create, or a mount point;
    first put back a site that a killed build left beside ``out`` (see ``_recover``)."""
    try:
        if out.parent.is_dir() and not os.path.lexists(out):
            lock = _lock(out, wait=0)  # a build that holds the lock recovers by itself
            if lock is not None:
                try:
                    _recover(out)
                finally:
                    _unlock(*lock)
        if out.exists() and not out.is_dir():
            raise LiaisonError(f"refusing to replace '{out}': it is a file, not a folder (give "
                               "--out a new folder, or one that 'liaison build' made)")
        if out.is_dir() and os.path.ismount(out):
            raise LiaisonError(
                f"refusing to replace '{out}': it is a mount point, and a build replaces the "
                "whole folder (give --out a folder inside it)")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            raise LiaisonError(
                f"refusing to replace '{out}': the folder is not empty and was not made by "
                "'liaison build' (choose another --out, or empty it yourself)")
    except OSError as exc:
        raise _output_error(exc, out) from None


def build_site(checked, as_of: dt.date, out: Path, workers: int | None = None,
               progress: Progress = QUIET, record: dict | None = None,
               incremental: bool = False, listing: "Listing | None" = None) -> BuildResult:
    """Render the whole site into a fresh folder beside ``out``, then swap it in. ``record``
    (liaison.buildrecord: what the site is made from) is written into it, with what the
    build wrote, its warnings and each page's key (liaison.incremental). ``incremental``: the
    pages whose key is the same as in the record of the site in ``out`` are hard-linked from
    it instead of being rendered. ``listing``: ``list_output(out)`` under way in another
    process: while it is not done (it makes the spare, where there is none), the pages' keys
    are worked out here (``_Rendering.work_out_keys``), then it is waited for."""
    start = time.perf_counter()
    out = out.resolve()
    check_output(out)
    site, stats = checked.site, checked.stats
    laps = []
    t = time.perf_counter()
    from liaison import palette as palette_stage, talking_points

    palette = palette_stage.for_site(site.root)  # the site's colours, for charts and decks
    fits = talking_points.for_site(site.root, [s.key for s in site.config.services])
    interactions, referrals = getattr(checked, "indexes", None) or (None, None)
    kept = getattr(checked, "kept", None)
    view = page_registry.SiteView(site, stats, as_of, palette, fits,
                                  warnings=checked.report.warnings, referral_index=referrals,
                                  interaction_index=interactions)
    if interactions is not None:  # the view holds what it needs of them: the rest is freed
        checked.indexes = interactions = referrals = None
    pages = page_registry.plan(view)
    laps.append(("index records and plan pages", time.perf_counter() - t))
    env = make_env(site.root, palette)
    cores = cpu_count() if workers is None else workers
    render = _Rendering(view, stats, pages, env, out, None, record, progress,
                        cores if len(pages) >= PARALLEL_PAGES else 1, None, kept, cores)
    listed = None
    if listing is not None:
        if incremental and record is not None and not listing.ready() \
                and _spare_path(out) is None:
            # No spare yet (the first build after a full one): the listing makes one (a
            # second or more at 10,000 physicians, on the other core), which this process
            # would wait for; the keys, which need neither, are worked out meanwhile. (With
            # a spare, the listing is done or nearly: the keys are worked out beside the
            # other files, in ``changed``, as before.)
            t = time.perf_counter()
            render.work_out_keys()
            laps.append(("work out the pages' keys while the output is listed",
                         time.perf_counter() - t))
        listed = listing.listed()
        laps.append(("wait for the listing of the site in place (and the spare it makes "
                     "where there is none)", listing.waited))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(exc, out) from None
    lock = _lock(out, wait=LOCK_WAIT)  # one build at a time into one folder
    try:
        return _build_locked(out, render, laps, start, incremental, listed)
    finally:
        _unlock(*lock)


@functools.lru_cache(maxsize=1)
def _shared_templates() -> frozenset[str]:
    """The built-in templates that pages extend, include or import (base.html, head.html,
    macros.html…): those no kind of page renders itself."""
    names = jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)).list_templates()
    return frozenset(n for n in names if n.endswith(".html")) \
        - {kind.template for kind in page_registry.KINDS.values()}


def _compile_templates(view, env, pages: list) -> None:
    """Compile the templates of ``pages`` (their syntax errors surface here) and those they
    extend, include or import, before forking: the processes forked inherit them."""
    for name in sorted({p.template for p in pages} | _shared_templates()):
        load_template(env, name, view.site.root)


def _ready_to_fork(view, env, pages: list) -> None:
    """What every page process would otherwise make for itself, made once before they fork:
    the templates compiled (``_compile_templates``) and, where the site has deck pages, the
    decks' slide templates and the .pptx writer (``DeckRenderer.ready``)."""
    _compile_templates(view, env, pages)
    if any(p.kind == "deck" for p in pages):
        from liaison.pages.decks import DeckRenderer

        DeckRenderer.of(view).ready()


def _prerender(view, env, cores: int, laps: list, keys=None, ready=None) -> None:
    """The notes and snippets, rendered once before the pages; ``ready()`` (what the page
    processes inherit: ``_ready_to_fork``), then ``keys()`` (the pages' keys, for the build
    record), are called meanwhile, while a forked process renders snippets. (The keys read
    every record, and a forked process that did would copy most of the memory, 300 MB more
    at 10,000 physicians, as this one would if it did while page workers run.)"""
    t = time.perf_counter()
    # With the built-in templates, the notes are rendered with the snippets, the only place
    # they show, each in the process that renders its interaction's (one fork and one sending
    # back less: with every note distinct, 100,000 of them at 10,000 physicians); a site's
    # own templates render snippets in the page processes, which inherit the notes.
    notes = prerender_notes(view, cores) if isinstance(env, Sandbox) else 0

    def beside():
        if ready is not None:
            ready()
        if keys is not None:
            keys()

    shown, with_snippets = prerender_snippets(view, env, cores, beside)
    notes += with_snippets
    laps.append((f"render {notes:,} distinct interaction notes and the snippets of {shown:,} "
                 "interactions" + (", work out the pages' keys" if keys else ""),
                 time.perf_counter() - t))


def _build_locked(out, render, laps, start, incremental=False, listed=None) -> BuildResult:
    """The part of ``build_site`` that holds the output folder's lock: put back a site a
    killed build left, remove what killed builds left beside ``out``, render into a fresh
    folder there (taking the unchanged pages from the site in ``out`` when ``incremental``)
    and swap it in."""
    view, stats, pages, env, record = render.view, render.stats, render.pages, render.env, \
        render.record
    progress, n = render.progress, render.n
    try:
        _recover(out)
        _clean_stale(out, listed.stale if listed is not None else None)
        previous = None
        if incremental and record is not None:
            from liaison import buildrecord

            from liaison.incremental import every_page_changes

            previous = buildrecord.previous(out, view.as_of, record.get("strict", False),
                                            listed.site_files(out) if listed else None)
            if previous is not None and ("made" not in previous or every_page_changes(
                    previous.get("inputs"), record.get("inputs"))):
                previous = None  # every page made as a full build makes them (snippets once)
        spare = _take_spare(out, listed)
        if spare is not None:
            tmp = spare.path
        else:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            try:
                (tmp / BUILDING).write_text(MARKER_TEXT)  # ours from the start, for _clean_stale
            except OSError:  # a full disk: the folder is not left beside the output
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except OSError as exc:
        raise _output_error(exc, out) from None
    try:
        render.tmp, render.spare = tmp, spare
        if previous is None:  # every page: each interaction's snippet is shown somewhere
            _prerender(view, env, render.cores, laps,
                       render.work_out_keys if record and render.keys is None else None,
                       functools.partial(_ready_to_fork, view, env, pages))
        t = time.perf_counter()
        done = render.changed(previous, laps) if previous is not None else render.everything()
        warned = _template_warnings(done, view, env, pages, previous, tmp)
        found = _placed_warnings(view.site.root, warned, pages)
        if found and record is not None and record.get("strict"):
            from liaison.diagnostics import Report
            from liaison.errors import StrictWarnings

            raise StrictWarnings("\n".join(d.text() for d in Report(found).strict().diagnostics))
        if found:
            t2 = time.perf_counter()
            if _data_quality_again(view, env, pages, done, tmp, found):
                laps.append(("render data-quality/ again with the templates' warnings",
                             time.perf_counter() - t2))
        listing = done.written + done.kept  # every file of the new site: (path, size)
        if spare is not None:
            _remove_stale(tmp, spare, {rel for rel, _size in listing})
        files = len(listing) + 1  # and the marker
        if record is not None:
            from liaison import buildrecord

            files += 1
            buildrecord.write(tmp, record, len(pages), files, [*view.warnings, *found], listing,
                              _made(done.keys, pages, done.results, done.reuse),
                              _extras_made(done.extra_keys, listing, view, stats),
                              {path: [[p.path, p.line, p.col, p.severity, p.message] for p in ps]
                               for path, ps in sorted(warned.items())})
        progress.stage("writing")
        os.replace(tmp / BUILDING, tmp / MARKER)  # complete: the next build may restore it
        laps.append((f"render and write {len(pages) - len(done.reuse)} pages"
                     + (f" ({len(done.reuse)} unchanged)" if done.reuse else "")
                     + f", exports and calendars ({done.processes} process"
                     f"{'es' if done.processes > 1 else ''})", time.perf_counter() - t))
        _normalize(tmp)
        t = time.perf_counter()
        old = _swap(tmp, out, n, files)
        laps.append((f"swap the new site in{old}", time.perf_counter() - t))
        progress.clear()
    except OSError as exc:
        _remove_ours(tmp)
        raise _output_error(exc, out) from None
    except BaseException:
        _remove_ours(tmp)
        raise
    return BuildResult(out, len(pages), files, time.perf_counter() - start, laps,
                       kept=len(done.reuse), warnings=found)


def _template_warnings(done, view, env, pages: list, previous: dict | None,
                       tmp: Path) -> dict[str, list]:
    """Page path -> the warnings of the site's templates on it (``overrides.page_warnings``),
    taken out of what the page processes wrote (``_Warned``); for a page taken unchanged
    from the last site, its record's (the same HTML), or, when the page came from the spare
    (the site before the last, whose record is not read), from its file."""
    found: dict[str, list] = {}
    for result in done.results:
        if any(isinstance(entry, _Warned) for entry in result):
            for entry in result:
                if isinstance(entry, _Warned):
                    found[entry.page] = list(entry.problems)
            result[:] = [entry for entry in result if not isinstance(entry, _Warned)]
    if not done.reuse or not isinstance(env, Sandbox):
        return found
    from liaison.diagnostics import Problem
    from liaison.overrides import page_warnings

    before = (previous or {}).get("template_warnings") or {}
    made = (previous or {}).get("made") or {}
    keys = done.keys or {}
    by_path = None
    for path in done.reuse:
        if path in made and path in keys and made[path][0] == keys[path]:
            if path in before:
                found[path] = [Problem(p, message, severity, line=line, col=col)
                               for p, line, col, severity, message in before[path]]
            continue
        if by_path is None:
            by_path = {p.path: p for p in pages}
        try:
            html = (tmp / path).read_text(encoding="utf-8")
        except OSError:
            continue
        warnings = page_warnings(env, view.site.root, by_path[path], html)
        if warnings:
            found[path] = warnings
    return found


def _data_quality_again(view, env, pages: list, done, tmp: Path, found: list) -> bool:
    """The data-quality page rendered again, listing the warnings of the site's templates
    (``found``) among validate's, as ``serve``'s does: rendered beside the pages that show
    them, it did not. One taken unchanged from the last site lists them already (its key is
    the hash of every input, the site's templates among them, liaison.incremental). Whether
    it was rendered again."""
    page = next((p for p in pages if p.kind == "data-quality"), None)
    if page is None or page.path in done.reuse:
        return False
    warnings = view.warnings
    view.warnings = sorted([*warnings, *found])
    try:
        with BUDGET.armed():
            data = render_page(view, page, env).encode("utf-8")
    finally:
        view.warnings = warnings
    _write(f"{tmp}/{page.path}", data)
    for result in done.results:  # its size, for the record's listing
        for i, entry in enumerate(result):
            if entry[0] == page.path:
                result[i] = (page.path, len(data))
    return True


def _placed_warnings(root: Path, warned: dict[str, list], pages: list) -> list:
    """The warnings of the site's templates, each said once at the first page (in the pages'
    order) that shows it, as Diagnostics, as ``validate`` says them."""
    if not warned:
        return []
    from liaison.overrides import first_of_each
    from liaison.place import place

    order = {p.path: i for i, p in enumerate(pages)}
    return place(root, first_of_each((order[path], p) for path, ps in warned.items() for p in ps))


@dataclass
class _Done:
    """What the rendering wrote: each process's list of (path, size) (a page, then the files
    beside it), the files linked from the previous site, the pages' keys, the pages taken
    from it (page path -> its files), how many processes worked and the keys of the
    non-page files that have their own (liaison.incremental.extra_keys)."""

    results: list
    kept: list
    keys: dict | None
    reuse: dict
    processes: int
    extra_keys: dict | None = None

    @property
    def written(self) -> list:
        return [entry for result in self.results for entry in result]


class _Rendering:
    """The forked work of a build: pages, the other files (exports, calendars, assets), and
    in an incremental build, the pages' keys and the links to the unchanged pages."""

    def __init__(self, view, stats, pages, env, out, tmp, record, progress, n, spare=None,
                 kept=None, cores: int = 1):
        self.view, self.stats, self.pages, self.env = view, stats, pages, env
        self.out, self.tmp, self.record, self.progress, self.n = out, tmp, record, progress, n
        self.cores = cores  # for the notes and snippets rendered before the pages (n: pages)
        self.spare = spare
        self.label = "rendering pages:"
        self.keys = self.extra_keys = self.named = self.whole = None
        self.kept = kept  # where the keys' parts are kept (pipeline.KeptParts)
        self.parts: dict | None = None
        self.parts_taken = 0
        self.rows, self.rows_taken = None, 0  # row_digests()

    def work_out_keys(self) -> None:
        """The pages' keys and the non-page files' (liaison.incremental), for the build
        record."""
        self.page_keys()
        self.extra_keys = _extra_keys(self.view, self.record, self.named_physicians())

    def page_keys(self) -> dict[str, str]:
        """The pages' keys (liaison.incremental), their parts kept: made once."""
        if self.keys is None:
            self.keys = _page_keys(self.view, self.pages, self.record, self.named_physicians(),
                                   self.key_parts(), self.split_at, self.whole_site_keys(),
                                   self.row_digests())
            self.keep_parts()
        return self.keys

    def whole_site_keys(self) -> dict[str, str]:
        """``incremental.whole_site_keys`` of this build's pages, from what the check made of
        the physicians (``KeptParts.shown``) when it did; made once."""
        if self.whole is None:
            from liaison.incremental import whole_site_keys

            self.whole = whole_site_keys(self.view, self.pages, self.record["inputs"],
                                         _settings(self.record),
                                         self.kept.shown if self.kept else None)
        return self.whole

    @property
    def inputs(self) -> dict | None:
        """The input files' hashes (the build record's), when there is a record."""
        return self.record.get("inputs") if self.record else None

    def named_physicians(self) -> list[tuple]:
        """``incremental.named_physicians``, which both kinds of keys read: made once, with
        the keys' parts."""
        from liaison.incremental import named_physicians

        if self.named is None:
            self.named = named_physicians(self.view.site, self.key_parts(), self.split_at)
        return self.named

    @property
    def split_at(self) -> tuple | None:
        """The positions of the cold files' interactions and of the hot ones'
        (pipeline._Split), when split and the keys' parts need them."""
        if self.kept is None or {"listed", "practices"} <= self.key_parts().keys():
            return None
        return self.kept.split_at()

    def key_parts(self) -> dict:
        """The parts of the pages' keys that the last build kept (liaison.incremental.Keys:
        what the interactions alone give them), taken once; the keys fill in what is
        missing. They are kept under the cold interaction files' key (pipeline._Split) with
        the key of all the interaction files, and each hot file's hash and records with the
        parts that read each: all are taken while no interaction file changed, else all but
        those that read a record of a hot file that changed (as it was or is: see
        liaison.incremental.changed_parts). What the cold files' interactions give of the
        physicians and practices they name comes with their index when it was made
        (``KeptParts.named``)."""
        if self.parts is None:
            self.parts = {}
            if self.kept is not None:
                from liaison.snapshot import KEY_PARTS

                kept = self.kept
                taken = kept.store.derived(KEY_PARTS, kept.key)
                if isinstance(taken, dict) and isinstance(taken.get("parts"), dict) \
                        and isinstance(taken.get("hot"), dict):
                    parts = taken["parts"]
                    if taken.get("all") != kept.every:
                        from liaison.incremental import dropped_parts

                        drop = dropped_parts(taken["hot"], kept.hot(taken["hot"]))
                        parts = {name: value for name, value in parts.items()
                                 if name not in drop}
                    self.parts = parts
                    self.parts_taken = len(parts)
                for name, value in (self.kept.named or {}).items():  # (then kept with them)
                    self.parts.setdefault(name, value)
        return self.parts

    def row_digests(self) -> dict:
        """What the pages' keys read of the referral rows (liaison.incremental.Keys.rows),
        as the last build kept them under the referral files' key, taken once."""
        if self.rows is None:
            self.rows = {}
            if self.kept is not None and self.kept.rows is not None:
                from liaison.snapshot import ROW_DIGESTS

                taken = self.kept.store.derived(ROW_DIGESTS, self.kept.rows)
                if isinstance(taken, dict):
                    self.rows = taken
                    self.rows_taken = len(taken)
        return self.rows

    def keep_parts(self) -> None:
        """Keep the keys' parts, and their digests of the referral rows, when this build
        made some."""
        if self.kept is not None and self.parts is not None \
                and len(self.parts) != self.parts_taken:
            from liaison.snapshot import KEY_PARTS

            kept = self.kept
            kept.store.keep_derived(KEY_PARTS, kept.key, {"parts": self.parts, "all": kept.every,
                                                          "hot": kept.hot()})
        if self.kept is not None and self.kept.rows is not None and self.rows is not None \
                and len(self.rows) != self.rows_taken:
            from liaison.snapshot import ROW_DIGESTS

            self.kept.store.keep_derived(ROW_DIGESTS, self.kept.rows, self.rows)

    def keep_later(self) -> None:
        """Keep what the check left to keep (``KeptParts.later``): in the process that makes
        the non-page files, while the other works the keys out."""
        if self.kept is not None and self.kept.later:
            for name, key, value in self.kept.later:
                self.kept.store.keep_derived(name, key, value)

    def extras_again(self, previous: dict) -> tuple[list, list, dict]:
        """The non-page files of an incremental build: a group of them whose key is the one
        the spare's record gives stays as it is there, one whose key the previous site's
        record gives is linked from it, the others are made. Returns (the files written,
        the files kept or linked, the keys)."""
        self.keep_later()
        keys = self.extra_keys or _extra_keys(self.view, self.record, self.named)
        spare = self.spare
        as_is, kept, reuse = _sources(keys, spare, spare.extras if spare else None,
                                      previous.get("extras"))
        try:
            linked, missing = _link_kept(self.out, self.tmp, reuse)
            taken = set(as_is) | (set(reuse) - set(missing))
            files = {}
            for heads, _paths, make in _extra_groups(self.view, self.stats, self.kept, self.inputs):
                if heads[0] not in taken:
                    files.update(make())
            return write_files(self.tmp, files), kept + linked, keys
        except OSError as exc:  # a full disk in a worker: a message, not a traceback
            raise _output_error(exc, self.out) from None

    def work(self, share, progress=None):
        """One share: a list of pages, EXTRAS or (LINK, reuse)."""
        try:
            if share is EXTRAS:
                self.keep_later()
                return write_files(self.tmp, extra_files(self.view, self.stats, kept=self.kept,
                                                         inputs=self.inputs))
            if isinstance(share, tuple):
                return _link_kept(self.out, self.tmp, share[1])
            return render_pages(self.view, share, self.tmp, self.env,
                                self.progress if progress is None else progress, self.label)
        except OSError as exc:  # a full disk in a worker: a message, not a traceback
            raise _output_error(exc, self.out) from None

    def _pages_and_extras(self) -> list:
        """Every page and the other files, on ``n`` processes: this one writes the other
        files first, then every process takes the next chunk of pages while there are any
        (a counter they share), so they end together whatever each page costs. (A process
        of its own for the other files, as before, was a third process reading every record:
        250 MB more of copied memory at 10,000 physicians.) The dearest whole-site pages are
        handed out first (``DEAREST``): last in the plan, the search page (0.5 s, its index
        30 MB) ended the build alone, when the processes' copied memory was at its largest."""
        chunks = _Chunks(sorted(self.pages, key=_dearest_first), PAGE_CHUNK)

        def share(first):
            done = [self.work(EXTRAS)] if first is EXTRAS else []
            pages = []
            while True:
                start, part = chunks.take()
                if not part:
                    return done + [pages]
                if first is EXTRAS:  # this process shows how far the pages are
                    self.progress.fraction(self.label, start, len(self.pages))
                pages += self.work(part, QUIET)

        parts = map_forked(share, [EXTRAS] + [None] * (self.n - 1))
        return [result for part in parts for result in part]

    def everything(self) -> _Done:
        """Every page and file; the keys (for the record) beside them. (What the page
        processes inherit was made while the snippets were rendered: ``_ready_to_fork``.)"""
        if self.n > 1 and can_fork():
            results = self._pages_and_extras()
        else:
            results = [self.work(self.pages), self.work(EXTRAS)]
        if self.record is not None and self.keys is None:
            self.work_out_keys()
        return _Done(results, [], self.keys, {}, self.n if can_fork() else 1, self.extra_keys)

    def changed(self, previous: dict, laps: list) -> _Done:
        """An incremental build. The other files start at once in another process, then the
        pages whose key is the hash of every input (after any change they are made again:
        the directories, the dashboard…), while this one works out which of those are
        to be made (handed to the other through ``_Chunks.give``), works the keys out,
        links the unchanged pages and renders the changed ones (on every core when there are
        many); then this one, too, takes the next of the whole-site pages while there are
        any. (Worked out before forking, the whole-site keys held the other process back
        0.2 s at 10,000 physicians.)"""
        from liaison.incremental import own_key

        _compile_templates(self.view, self.env, self.pages)
        self.named_physicians()  # once, before forking: both processes' keys read it
        forked = self.n > 1 and can_fork()
        chunks = _Chunks(None, 1, among=self.pages) if forked else None
        found = {}

        def whole_site_pages() -> list:
            """The whole-site pages to make: those the spare holds as they are now are left
            there, those the site in place holds as they are now are linked (with the
            others, in ``here``)."""
            whole = self.whole_site_keys()
            in_spare, _kept, in_place = _sources(whole, self.spare,
                                                 self.spare.made if self.spare else None,
                                                 previous.get("made"))
            broad = [p for p in self.pages
                     if not own_key(p) and p.path not in in_spare and p.path not in in_place]
            broad.sort(key=_dearest_first)  # the last one taken ends the build: a cheap one
            return broad

        def broad_pages() -> list:
            if chunks is None:
                return self.work(whole_site_pages())
            pages = []
            while True:
                _start, part = chunks.take()
                if not part:
                    return pages
                pages += self.work(part, QUIET)

        def here():
            if chunks is not None:
                chunks.give(whole_site_pages())
            t = time.perf_counter()
            worked_out = self.keys is not None  # (while the listing made the spare)
            keys = self.page_keys()
            spare = self.spare
            as_is, in_spare, reuse = _sources(keys, spare, spare.made if spare else None,
                                              previous.get("made"))
            laps.append((("compare the pages' keys with the previous build's: "
                          if worked_out else
                          "work out the pages' keys, compare them with the previous build's: ")
                         + f"{len(reuse) + len(as_is):,} of {len(self.pages):,} pages unchanged"
                         + (f" ({len(as_is):,} in the spare folder already)" if as_is else ""),
                         time.perf_counter() - t))
            found.update(keys=keys, reuse=reuse, as_is=as_is, in_spare=in_spare, nested=0)
            linked = self.work((LINK, reuse))
            todo = [p for p in self.pages
                    if own_key(p) and p.path not in reuse and p.path not in as_is]
            k = self.n if forked and len(todo) >= PARALLEL_PAGES else 1
            found["nested"] = k - 1
            pages = [w for part in map_forked(self.work, [todo[i::k] for i in range(k)])
                     for w in part]
            return linked, pages + broad_pages()

        def share(role):
            if role is LINK:
                return here()
            done = self.extras_again(previous) if role is EXTRAS else None
            return done, broad_pages() if forked else []

        if forked:
            parts = map_forked(share, [LINK, EXTRAS] + [None] * (self.n - 2))
        else:
            parts = [share(LINK), share(EXTRAS)]
        (kept_pages, missing), (written, kept, extra_keys) = parts[0][0], parts[1][0]
        results = [pages for _done, pages in parts] + [written]
        reuse = found["reuse"]
        if missing:  # a file of the previous site that could not be linked: rendered
            for path in missing:
                del reuse[path]
            again = set(missing)
            results.append(self.work([p for p in self.pages if p.path in again]))
        return _Done(results, kept_pages + found["in_spare"] + kept, found["keys"],
                     {**reuse, **found["as_is"]},
                     len(parts) + found["nested"] if forked else 1, extra_keys)


PAGE_CHUNK = 16  # pages a process takes at a time in a full build

# The whole-site pages that cost most to make, dearest first (seconds at 10,000 physicians:
# the search page with its index 0.4-0.7, the physicians' directory 0.36, the follow-ups 0.22,
# the compliance page 0.2, the prospects 0.16, the referrals and the activity log 0.12, the
# dashboard and the practices' directory 0.08; the others less than 0.06). An incremental
# build's processes take them one at a time in this order, so that neither is left with a
# dear one at the end.
DEAREST = ("search", "physicians", "follow-ups", "compliance", "prospects", "referrals",
           "activity", "dashboard", "practices")


def _dearest_first(page) -> int:
    return DEAREST.index(page.kind) if page.kind in DEAREST else len(DEAREST)


class _Chunks:
    """Pages (or interactions) handed out a chunk at a time to forked processes (a counter
    they share)."""

    def __init__(self, pages: list | None, size: int, first: int = 0,
                 among: list | None = None):
        """``first``: how many chunks are not taken from the counter, but each given to
        one process (``at``). ``pages`` None: they are given later (``give``), by the
        process that forked the others, as some of ``among``; the others wait for them."""
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.pages, self.size, self.among = pages, size, among
        self.taken = ctx.Value("l", first)
        if pages is None:  # their places in ``among``, how many, and whether given
            self.places = ctx.Array("l", len(among), lock=False)
            self.count = ctx.Value("l", 0, lock=False)
            self.given = ctx.Event()
            self.giver = os.getpid()

    def give(self, pages: list) -> None:
        """The pages to hand out, when they were not given at first (in the process that
        forked the others, once)."""
        place = {id(page): i for i, page in enumerate(self.among)}
        for i, page in enumerate(pages):
            self.places[i] = place[id(page)]
        self.count.value = len(pages)
        self.pages = pages
        self.given.set()

    def at(self, i: int) -> list:
        """The ``i``-th chunk (one of the ``first``)."""
        return self.pages[i * self.size:(i + 1) * self.size]

    def take(self) -> tuple[int, list]:
        """(the index of the chunk's first page, the chunk: empty when none is left)."""
        if self.pages is None:  # (a forked process: given by the one that forked it)
            while not self.given.wait(0.5):
                if os.getppid() != self.giver:  # (it was killed: nothing will come)
                    os._exit(1)
            self.pages = [self.among[i] for i in self.places[:self.count.value]]
        with self.taken.get_lock():
            i = self.taken.value
            self.taken.value = i + 1
        start = i * self.size
        return start, self.pages[start:start + self.size]


EXTRAS = "extras"  # the non-page files
LINK = "link"  # the share that links the unchanged pages (with them: (LINK, reuse))
def _page_keys(view, pages: list, record: dict, named: list | None = None,
               parts: dict | None = None, split_at: tuple | None = None,
               whole: dict | None = None, rows: dict | None = None) -> dict[str, str]:
    from liaison.incremental import page_keys

    return page_keys(view, pages, record["inputs"], _settings(record), named, parts, split_at,
                     whole, rows)


def _settings(record: dict) -> dict:
    """What a build record says of the settings (all but the input hashes)."""
    return {k: v for k, v in record.items() if k != "inputs"}


def _extra_keys(view, record: dict, named: list | None = None) -> dict[str, str]:
    from liaison.incremental import extra_keys

    return extra_keys(view, record["inputs"], _settings(record), named)


def _extras_made(keys: dict[str, str] | None, listing: list, view, stats) -> dict | None:
    """The non-page files' groups with keys of their own: their first path -> [its key, the
    group's other files], for the build record."""
    if keys is None:
        return None
    heads = {group[0]: group for group, _paths, _make in _extra_groups(view, stats)}
    made = {}
    for head, key in keys.items():
        group = heads[head]
        made[head] = [key, sorted(rel for rel, _size in listing
                                  if rel != head and rel.startswith(group))]
    return made


def _sources(keys: dict[str, str], spare: _Spare | None, spare_made: dict | None,
             made: dict | None) -> tuple[dict, list, dict]:
    """What an incremental build need not make of the pages (or groups of other files)
    ``keys`` names: in the spare (the site before the last), those made from the same inputs
    are right as they are; the site in place gives the others it can. Returns (those left in
    the spare: path -> its files, the paths and sizes of those files, those to link from the
    site in place: path -> its files); ``spare_made``, ``made``: what each record says of
    them ("made" or "extras")."""
    from liaison.incremental import reusable

    as_is, kept = {}, []
    if spare is not None:
        files = spare.files
        for path, rels in reusable({"made": spare_made}, keys).items():
            if all(rel in files for rel in rels):
                as_is[path] = rels
                kept += [(rel, files[rel]) for rel in rels]
    reuse = {path: rels for path, rels in reusable({"made": made}, keys).items()
             if path not in as_is}
    return as_is, kept, reuse


def _link_kept(old: Path, new: Path, reuse: dict[str, list[str]]
               ) -> tuple[list[tuple[str, int]], list[str]]:
    """Hard-link the files of the unchanged pages (``reuse``: page path -> its files) from
    the previous site ``old`` into ``new``: (the paths and sizes linked, the pages one of
    whose files could not be linked: they are rendered instead, and none of their files is
    left linked). Nothing is copied, and no file of the previous site is ever written: the
    pages rendered are new files."""
    src, dst = os.fspath(old), os.fspath(new)
    linked: list[tuple[str, int]] = []
    missing = []
    for page, rels in reuse.items():
        done = []
        try:
            for rel in rels:
                _make_folder(dst, os.path.dirname(rel))
                try:
                    os.link(f"{src}/{rel}", f"{dst}/{rel}", follow_symlinks=False)
                except FileExistsError:  # an older file of the reused folder: replaced
                    _remove_path(f"{dst}/{rel}")
                    os.link(f"{src}/{rel}", f"{dst}/{rel}", follow_symlinks=False)
                done.append(rel)
                linked.append((rel, os.lstat(f"{dst}/{rel}").st_size))
        except OSError:
            missing.append(page)
            for rel in done:
                os.unlink(f"{dst}/{rel}")
            linked = [entry for entry in linked if entry[0] not in done]
    return linked, missing


def _made(keys: dict[str, str] | None, pages: list, results: list, reuse: dict) -> dict | None:
    """Page path -> [its key, the files written beside it], for the build record."""
    if keys is None:
        return None
    page_paths = {p.path for p in pages}
    beside: dict[str, list[str]] = {path: rels[1:] for path, rels in reuse.items()}
    for result in results:  # a page's own file, then the files beside it, in order
        current = None
        for rel, _size in result:
            if rel in page_paths:
                current = beside[rel] = []
            elif current is not None:
                current.append(rel)
    return {p.path: [keys[p.path], beside.get(p.path, [])] for p in pages}


def reuse_site(out: Path, root: Path, as_of: dt.date, strict: bool, stats: dict | None = None,
               hashed=None):
    """Under the output folder's lock (after putting back a site a killed build left and
    removing what killed builds left beside it): ``buildrecord.up_to_date`` of the site in
    ``out`` — (its record when it needs no build, else None; the input hashes if made;
    ``stats`` filled as ``buildrecord.inputs`` fills it; ``hashed``: see ``up_to_date``)."""
    from liaison import buildrecord

    if not out.parent.is_dir():
        return None, None
    lock = _lock(out, wait=LOCK_WAIT)
    try:
        _recover(out)
        _clean_stale(out)
        return buildrecord.up_to_date(out, root, as_of, strict, stats, hashed)
    finally:
        _unlock(*lock)


def _normalize(root: Path) -> None:
    """mkdtemp makes its folder 0700; the site folder gets the mode of the folders in it
    (the umask's), which also tells the next build which umask its files were made with
    (buildrecord.made_with_this_umask)."""
    from liaison import buildrecord

    os.chmod(root, buildrecord.folder_mode())


# The output swap, and what a killed build leaves beside the output folder.
#
# A build renders into ``.NAME.tmp-XXXXXXXX`` beside ``out`` (NAME: the output folder's name);
# the folder holds the marker file BUILDING from its first moment, renamed to MARKER (in one
# step) when every file is written. The swap renames ``out`` to ``.NAME.old-XXXXXXXX``, then
# the new folder to ``out``, then removes the old one, renaming its marker to DELETING first.
# So every folder of ours beside ``out`` holds exactly one of the three markers at any moment,
# and only a folder with MARKER is a whole site. Whenever ``out`` is missing, the next run
# (``check_output``, then the build itself) renames back the newest whole ``.old`` folder (the
# previous site), else the newest whole ``.tmp`` one; the build then removes every other
# folder of ours (name pattern AND a marker; an empty folder of that name too). All of it
# happens under the lock, which is an flock on ``.NAME.lock`` beside ``out``.
#
# The old site is not removed: it is kept as the *spare* (its marker renamed to SPARE), and
# the next build writes into it instead of a new folder (``_take_spare``): writing over
# files costs the file system far less than making new ones and removing the old ones
# (ext4 passes over the inodes freed in the last minutes when it makes a file: 17,000
# folders holding a page each took 7.5-14 s of system time to make after such removals,
# 1.2 s to write over). Only the newest spare is kept; a build that takes it renames SPARE to
# BUILDING first, so a killed build's half-written folder is removed like any other.
# Where there is none (the first build after a full one), the process that lists the output
# makes one of the site in place while the records are read (``_spare_ahead``: hard links).
BUILDING = ".liaison-building"
DELETING = ".liaison-deleting"
SPARE = ".liaison-spare"
SPARE_IGNORE = ".gitignore"  # in the spare: "*", so that git does not list it beside a site
SPARE_IGNORE_TEXT = b"# the previous site, kept by liaison build to write the next one into\n*\n"
MARKER_TEXT = "made by liaison build; the next build replaces this folder\n"
LOCK_WAIT = 5.0  # seconds a second build waits for the first before it gives up


def _output_error(exc: OSError, out: Path) -> LiaisonError:
    """An OS failure at the output folder as a one-line message (the caller has left the
    previous site in place)."""
    import errno

    if exc.errno in (errno.EBUSY, errno.EXDEV):
        return LiaisonError(
            f"cannot replace '{out}': {exc.strerror or exc} (is it a mount point? a build "
            "replaces the whole folder: give --out a folder inside it); the previous site is "
            "untouched")
    where = f" ('{exc.filename}')" if exc.filename and str(exc.filename) != str(out) else ""
    why = f"{exc.strerror or exc}{where}"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename:
        # (a folder above --out is a file: "File exists" named the wrong problem)
        above = next((p for p in (out, *out.parents) if p.is_file()), None)
        if above is not None:
            why = f"'{above}' is a file, not a folder"
    return LiaisonError(f"cannot write the site '{out}': {why}; the previous site is untouched")


def _lock(out: Path, wait: float):
    """Take the output folder's lock (flock on ``.NAME.lock`` beside it, polled for ``wait``
    seconds): (fd, path), or None when ``wait`` is 0 and another build holds it. The file is
    removed again by ``_unlock``; a lock file that a killed build left is taken over (an
    empty file: anything else of that name is a user's, and refused, never removed)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        fcntl = None

    path = out.parent / f".{out.name}.lock"
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link in the lock's place (O_NOFOLLOW)
                raise _foreign_lock(path) from None
            raise _output_error(exc, out) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size:
            os.close(fd)
            raise _foreign_lock(path)
        if fcntl is None:  # pragma: no cover
            return fd, path
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if wait <= 0:
                return None
            if time.monotonic() >= deadline:
                raise LiaisonError(
                    f"another build is writing '{out}' (it holds '{path}'); try again when it "
                    "is done") from None
            time.sleep(0.1)
            continue
        except OSError:  # no flock on this file system: go on without
            return fd, path
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd, path
        os.close(fd)  # the holder removed the file as we waited: lock the new one


def _foreign_lock(path: Path) -> LiaisonError:
    return LiaisonError(f"refusing to use '{path}' as the build's lock: something else of that "
                        "name is there (move it away; the build makes and removes an empty "
                        "file there)")


def _unlock(fd: int, path: Path) -> None:
    try:
        os.unlink(path)  # while still holding it: a waiter then sees a fresh file
    except OSError:
        pass
    finally:
        os.close(fd)


def _ours(out: Path) -> list[tuple[Path, str | None]]:
    """Folders beside ``out`` that builds into it made: (path, the marker it holds or None
    when it is empty). Anything else, even with a matching name, is not ours."""
    import re

    pattern = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-[a-z0-9_]{{8}}")
    found = []
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return []
    for entry in entries:
        if not pattern.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        try:
            names = os.listdir(path)
        except OSError:
            continue
        if not names:
            found.append((path, None))
            continue
        for mark in (MARKER, BUILDING, DELETING, SPARE):
            if mark in names and (path / mark).is_file() and not (path / mark).is_symlink():
                found.append((path, mark))
                break
    return found


def _recover(out: Path) -> None:
    """``out`` missing: a build was killed between the two renames of the swap (or before the
    first swap into a new folder). Rename back the newest whole site it left beside ``out``."""
    if os.path.lexists(out):
        return
    whole = [p for p, mark in _ours(out) if mark == MARKER]
    if not whole:
        return

    def key(p: Path):
        return (".old-" in p.name, p.stat().st_mtime)  # the previous site first

    try:
        os.replace(max(whole, key=key), out)
    except OSError:
        pass  # left for the next run; the build goes on and writes a new one


def _clean_stale(out: Path, later: Path | None = None) -> None:
    """Remove what killed builds left beside ``out`` (called under the lock, so no live
    build's folder is among them), and every spare but the newest. ``later``: a folder
    left to remove once the build is done (``Listed.stale``)."""
    found = _ours(out)
    spares = [p for p, mark in found if mark == SPARE]
    keep = max(spares, key=lambda p: p.stat().st_mtime) if spares else None
    for path, _mark in found:
        if path != keep and path != later:
            _remove_ours(path)


@dataclass
class _Spare:
    """The spare folder taken by a build: what its record says each page was made from
    (``made``, as in the record; empty when the folder no longer holds exactly the files
    its record lists), and every file and folder in it (path -> size; paths)."""

    path: Path
    made: dict
    files: dict[str, int]
    folders: list[str]
    extras: dict = field(default_factory=dict)  # the record's "extras", as "made"


@dataclass(frozen=True)
class Listed:
    """The files of the site in ``out`` and of the spare beside it, listed ahead of the
    build (``list_output``: pipeline.build has it done by a process forked at the lowest
    priority while this one reads the records; each listing costs 0.4-1.5 s at 10,000
    physicians). Each is used only while its folder is still the one listed: the same
    folder (a build swaps folders, never writes into the site in place), with the same
    marker and record; else it is listed again."""

    site: tuple | None = None  # (the folder's identity, the digest of its files)
    spare: tuple | None = None  # (its path, its identity, its files, its folders)
    ahead: bool = False  # the spare was made by the listing (``_spare_ahead``)
    # a spare of other settings that the one made replaced, marked DELETING: removed once
    # the build is done (``remove_stale_spare``)
    stale: Path | None = None

    def site_files(self, out: Path) -> str | None:
        """The digest of the files of the site in ``out`` (buildrecord.outputs), if still
        right."""
        from liaison import buildrecord

        if self.site is not None and _identity(out, buildrecord.NAME, MARKER) == self.site[0]:
            return self.site[1]
        return None

    def spare_files(self, path: Path) -> tuple | None:
        """(files, folders) of the spare ``path`` (buildrecord.folder_files), if still
        right."""
        from liaison import buildrecord

        if self.spare is not None and self.spare[0] == path \
                and _identity(path, buildrecord.NAME, SPARE) == self.spare[1]:
            return self.spare[2], self.spare[3]
        return None


def _identity(folder: Path, *names: str) -> tuple | None:
    """What tells a folder and some of its files from others: device, inode, modification
    time and size of each; None when one is missing."""
    try:
        return tuple((s.st_dev, s.st_ino, s.st_mtime_ns, s.st_size)
                     for s in (os.stat(folder), *(os.stat(folder / name) for name in names)))
    except OSError:
        return None


class Listing:
    """``list_output`` under way in another process (``started``: a ``workers.Started``, by
    pipeline.build): ``ready()`` whether its result is there, ``listed()`` the result,
    waited for once and kept (``value``), with the seconds waited (``waited``)."""

    def __init__(self, started):
        self.started = started
        self.value: Listed | None = None
        self.waited: float | None = None

    def ready(self) -> bool:
        return self.waited is not None or self.started.ready()

    def listed(self) -> Listed:
        if self.waited is None:
            t = time.perf_counter()
            self.value = self.started.result()
            self.waited = time.perf_counter() - t
        return self.value


def list_output(out: Path, settings: tuple | None = None) -> Listed:
    """What an incremental build into ``out`` lists of the site there and of its spare.
    ``settings``: (as_of, strict) of the build: when there is no spare and the site in
    place was built with these settings and code, one is made (``_spare_ahead``)."""
    from liaison import buildrecord

    out = out.resolve()
    site = spare = listing = None
    identity = _identity(out, buildrecord.NAME, MARKER)
    if identity is not None:
        with contextlib.suppress(OSError):
            listing = buildrecord.folder_files(out, buildrecord.own_files())
            site = (identity, buildrecord.listing_digest(list(listing[0].items())))
    path = _spare_path(out)
    if listing is not None and settings is not None and (
            path is None or _made_otherwise(path, settings)):
        # no spare, or one no page of which can be taken as it is (the first build after
        # one with another as-of date or code: a build would link every page from the site
        # in place into it, replacing its files, 5.8 s at 10,000 physicians): one is made
        spare = _spare_ahead(out, identity, site[1], listing, settings, path)
        if path is None or spare is not None:
            return Listed(site, spare, ahead=spare is not None, stale=path)
    identity = None if path is None else _identity(path, buildrecord.NAME, SPARE)
    if identity is not None:
        with contextlib.suppress(OSError):
            spare = (path, identity, *_spare_files(path))
    return Listed(site, spare)


def _made_otherwise(spare: Path, settings: tuple) -> bool:
    """Whether the spare ``spare`` was built with other settings or code than a build with
    ``settings`` (its as_of and strict) or under another umask, or has no record of its
    pages: then none of them can be taken as it is."""
    from liaison import buildrecord

    try:
        record = buildrecord.load_json(spare / buildrecord.NAME)
    except (OSError, ValueError):
        return True
    return not isinstance(record, dict) or not isinstance(record.get("made"), dict) or any(
        record.get(k) != v for k, v in buildrecord.settings(*settings).items()) \
        or not buildrecord.made_with_this_umask(spare)


def _spare_ahead(out: Path, identity: tuple, digest: str, listing: tuple,
                 settings: tuple, stale: Path | None = None) -> tuple | None:
    """A spare made of the site in place, for a build that finds none (the first one after
    a full build) or only one of other settings (``stale``): its folders made and its files
    hard-linked (nothing is copied, and no file of the site is written), with its record, in
    a folder beside it that is marked SPARE once whole. The build then writes into it and
    leaves its unchanged pages as they are, as into the site before the last
    (``_take_spare``). Made while the build reads the
    records, by the process that lists the output (``Listed``), under the output folder's
    lock, taken without waiting: the build takes it after this is done; another build that
    holds it leaves no spare made. Made only when the site in place was built with the same
    settings and code (``settings``: the build's as_of and strict) and holds the files its
    record lists (``digest``): the build may take its pages then. Returns what
    ``Listed.spare`` holds, or None (the build links from the site in place, as before).
    At 10,000 physicians: 17,000 folders made and 20,570 files linked, 1.5-2 s on a slow
    machine, which the build's process spent after working out the pages' keys before.
    ``stale``: the spare there is, made with other settings (``_made_otherwise``): marked
    DELETING first (removed once the build is done: ``remove_stale_spare``)."""
    from liaison import buildrecord

    record = buildrecord.previous(out, *settings, digest)
    if record is None or "made" not in record:
        return None
    lock = _lock(out, wait=0)
    if lock is None:
        return None
    path = None
    try:
        if _spare_path(out) != stale or _identity(out, buildrecord.NAME, MARKER) != identity:
            return None
        if stale is not None:
            os.replace(stale / SPARE, stale / DELETING)  # never again a spare
        path = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        _write(os.fspath(path / BUILDING), MARKER_TEXT.encode())  # a killed one's: removed
        src, dst = os.fspath(out), os.fspath(path)
        files, folders = listing
        for rel in folders:  # (each after the folder it is in)
            os.mkdir(f"{dst}/{rel}")
        for rel in [*files, buildrecord.NAME]:
            os.link(f"{src}/{rel}", f"{dst}/{rel}", follow_symlinks=False)
        if _identity(out, buildrecord.NAME, MARKER) != identity:
            raise OSError("the site in place changed")  # (where flock does not hold)
        _write(os.fspath(path / SPARE_IGNORE), SPARE_IGNORE_TEXT)
        _normalize(path)  # (the site's umask, as its folders': see _take_spare)
        os.replace(path / BUILDING, path / SPARE)
        return path, _identity(path, buildrecord.NAME, SPARE), files, folders
    except OSError:
        if path is not None:
            _remove_ours(path)
        return None
    finally:
        _unlock(*lock)


def _spare_path(out: Path) -> Path | None:
    """The spare beside ``out``, if there is one."""
    return next((p for p, mark in _ours(out) if mark == SPARE), None)


def _spare_files(path: Path) -> tuple[dict[str, int], list[str]]:
    """The files and folders of the spare ``path`` but its own (buildrecord.folder_files)."""
    from liaison import buildrecord

    return buildrecord.folder_files(path, {buildrecord.NAME, SPARE, SPARE_IGNORE})


def _take_spare(out: Path, listed: Listed | None = None) -> _Spare | None:
    """The spare beside ``out`` (the site before the last one), made the folder this build
    writes into (BUILDING), with what it holds; None when there is none, or when it cannot
    be read or was made under another umask (then it is removed). ``listed``: its files,
    listed beforehand."""
    from liaison import buildrecord

    path = _spare_path(out)
    if path is None:
        return None
    if not buildrecord.made_with_this_umask(path):
        # made under another umask: the files written over in it, those kept and its
        # folders would keep their modes (a site of 0600 files after a build under 077)
        _remove_ours(path)
        return None
    try:
        record = None
        try:
            record = buildrecord.load_json(path / buildrecord.NAME)
        except (OSError, ValueError):
            pass
        found = listed.spare_files(path) if listed is not None else None
        files, folders = found or _spare_files(path)
        made, extras = {}, {}
        if isinstance(record, dict) and isinstance(record.get("made"), dict) \
                and record.get("outputs") == buildrecord.listing_digest(list(files.items())):
            made = record["made"]
            if isinstance(record.get("extras"), dict):
                extras = record["extras"]
        os.replace(path / SPARE, path / BUILDING)  # a killed build's folder from now on
        _write(os.fspath(path / BUILDING), MARKER_TEXT.encode())
        for name in (buildrecord.NAME, SPARE_IGNORE):
            try:
                os.unlink(path / name)
            except FileNotFoundError:
                pass
        # named as a new folder is (``_recover`` prefers the previous site, ``.old-``)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        os.rmdir(tmp)
        os.replace(path, tmp)
        path = tmp
        os.utime(path)
    except OSError:
        _remove_ours(path)
        return None
    return _Spare(path, made, files, folders, extras)


def _remove_stale(folder: Path, spare: _Spare, kept: set[str]) -> None:
    """Remove from ``folder`` (the spare a build wrote into) the files of the older site
    that this build did not write or keep (``kept``: every file of the new site), then the
    folders left empty."""
    base = os.fspath(folder)
    needed = set()
    for rel in kept:
        head = os.path.dirname(rel)
        while head and head not in needed:
            needed.add(head)
            head = os.path.dirname(head)
    for rel in spare.files:
        # (a file or link where this build needed a folder was replaced by it: _make_folder)
        if rel not in kept and rel not in needed:
            try:
                os.unlink(f"{base}/{rel}")
            except FileNotFoundError:
                pass
    for rel in sorted((f for f in spare.folders if f not in needed), key=len, reverse=True):
        try:
            os.rmdir(f"{base}/{rel}")
        except FileNotFoundError:
            pass
        except OSError:  # not empty: what is left in it is removed with it
            shutil.rmtree(f"{base}/{rel}", ignore_errors=True)


def _remove_ours(path: Path, workers: int = 1) -> None:
    """Remove one of our folders so that it stays recognizable until it is gone: its marker
    is renamed to DELETING first and removed last. Failures leave it for the next build.
    With ``workers`` > 1, a large folder is removed by that many processes (see
    ``_remove_entries``)."""
    try:
        for mark in (MARKER, BUILDING, SPARE):
            try:
                os.replace(path / mark, path / DELETING)
                break
            except FileNotFoundError:
                pass
        with os.scandir(path) as entries:
            entries = [e for e in entries if e.name != DELETING]
        _remove_entries(entries, workers)
        try:
            os.unlink(path / DELETING)
        except FileNotFoundError:
            pass
        os.rmdir(path)
    except OSError:
        pass


PARALLEL_REMOVE = 2_000  # below this many entries two levels down, one process removes them


def _remove_entries(entries: list, workers: int) -> None:
    """Remove the files and folders ``entries`` (os.DirEntry). The old site of a large build
    is tens of thousands of files: removing them is file-system work. While other work
    loads the machine, two processes did it in about half the time (a 10,000-physician
    site: 12.1 s against 6.5 s); on a quiet machine the disk is the limit and they gain
    nothing. So the entries one level further down are shared among ``workers`` forked
    processes first."""
    folders = [e for e in entries if e.is_dir(follow_symlinks=False)]
    for e in entries:
        if e not in folders:
            os.unlink(e.path)
    if workers > 1 and can_fork():
        below = []
        for folder in folders:
            with os.scandir(folder.path) as inner:
                below += [(entry.path, entry.is_dir(follow_symlinks=False)) for entry in inner]
        if len(below) >= PARALLEL_REMOVE:
            def remove(share):  # what fails here stays, and fails again below
                for entry_path, is_dir in share:
                    try:
                        if is_dir:
                            shutil.rmtree(entry_path)
                        else:
                            os.unlink(entry_path)
                    except OSError:
                        pass
                return len(share)

            map_forked(remove, [below[i::workers] for i in range(workers)])
    for folder in folders:
        shutil.rmtree(folder.path)


BACKGROUND_REMOVE = 2_000  # files: an old site this large is removed after the command returns


def _remove_later(path: Path) -> bool:
    """Remove one of our folders (marked DELETING already) in a detached process, so that
    the build returns as soon as the new site is in place: removing a large site is disk
    work (about 6 s for 20,000 files here) that nobody needs to wait for. Whatever it does
    not finish, the next build removes (``_clean_stale``). False if it could not start."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from liaison.render import _remove_ours; "
            "_remove_ours(Path(sys.argv[1]), 2)")
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        subprocess.Popen([sys.executable, "-c", code, str(path)], env=env, cwd="/",
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    return True


def _swap(new: Path, out: Path, workers: int = 1, files: int = 0) -> str:
    """Put ``new`` in place of ``out``: the old site stays whole until the new one is there,
    and if the process dies between the two renames, the next run puts one back (_recover).
    A failed second rename puts the old site back at once. The old site is then kept as the
    spare; if it cannot be, it is removed: one of ``files`` files or more, by a detached
    process (``_remove_later``). Returns what became of the old site, for the timings."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        os.replace(new, out)  # rename(2) replaces an empty folder in one step
        return ""
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)  # fails (a mount point: EBUSY): nothing has changed
    try:
        os.replace(new, out)
    except BaseException:
        try:
            os.replace(old, out)
        except BaseException:
            pass  # out is missing: the next run renames ``old`` back
        raise
    if _keep_as_spare(old):
        return ", keep the old one as the spare"
    return _remove_soon(old, MARKER, workers, files)


def _remove_soon(old: Path, mark: str, workers: int = 1, files: int = 0) -> str:
    """Remove ``old``, one of our folders (marked ``mark``): by a detached process
    (``_remove_later``) when it holds ``files`` files or more, else at once. Returns how,
    for the timings."""
    if files >= BACKGROUND_REMOVE:
        try:  # never again a site to put back: _recover takes only folders marked MARKER
            os.replace(old / mark, old / DELETING)
        except OSError:
            pass
        if _remove_later(old):
            return ", remove the old one (in the background)"
    _remove_ours(old, workers)
    return ", remove the old one"


def unmake_spare_ahead(listing: Listing) -> None:
    """A build that stops before it renders (its data has errors): the spare that its
    listing (``list_output``) made of the site in place, if it made one, is removed once the
    listing is done (it may have been told to start by another process), so that such a
    build leaves nothing beside the output folder. A listing not forked runs only when its
    result is asked for: it has made nothing."""
    if listing.waited is None and not listing.started.forked():
        return
    listed = listing.listed()
    if listed.ahead and listed.spare is not None:
        _remove_soon(listed.spare[0], SPARE, files=len(listed.spare[2]))
    remove_stale_spare(listed)


def remove_stale_spare(listed: Listed | None) -> None:
    """Remove the spare of other settings that the listing replaced (``Listed.stale``), if
    any: by a detached process when it is large (``_remove_soon``), after the build, so that
    its removal slows neither the build nor the file system's making of its folders."""
    if listed is not None and listed.stale is not None and listed.stale.exists():
        _remove_soon(listed.stale, DELETING,
                     files=len(listed.spare[2]) if listed.spare else BACKGROUND_REMOVE)


def _keep_as_spare(old: Path) -> bool:
    """Keep the old site (just swapped out) as the spare the next build writes into;
    False if it cannot be marked so (it is then removed)."""
    try:
        _write(os.fspath(old / SPARE_IGNORE), SPARE_IGNORE_TEXT)
        os.replace(old / MARKER, old / SPARE)  # never again a site to put back (_recover)
    except OSError:
        return False
    return True
