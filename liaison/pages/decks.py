"""Presentation decks (``presentations/``: every deck; ``presentations/<deck>/``: the generic
deck; ``presentations/<deck>/<practice>/``: the deck customized for one practice; each with its
``.pptx`` beside it). Slides are rendered in the sandbox of ``liaison.decks``; the PowerPoint
bytes are made here, on the render side, by each process for the pages it renders."""
from __future__ import annotations

import re

from liaison import charts
from liaison import decks as deck_stage
from liaison.names import fold
from liaison.pages.base import MONTHS_CHARTED, Page, PageKind, deck_href, one_page, pptx_name
from liaison.pages.view import SiteView

# The site's logo, looked for in templates/assets/ in this order (PNG or JPEG: PowerPoint
# shows those; an SVG logo would show in the HTML deck only, so it is not looked for).
LOGO_NAMES = ("logo.png", "logo.jpg", "logo.jpeg")
CHART_MONTHS = 12  # the referral chart of a slide: the last 12 months
# presentations/ names up to this many practices a deck is customized for; more fold under
# their count
TARGETS_INLINE = 12
MEDIA = "_media"  # slide images, beside the generic deck's page (no deck or practice id has "_")


class DeckRenderer:
    """Per-process state of the deck pages: compiled slide templates (once per deck and
    flavor), the last deck context (a page and its .pptx share it), the .pptx writer, and
    slides parsed for the .pptx (once per distinct text: most repeat from one practice's deck
    to the next)."""

    def __init__(self, view: SiteView):
        self._view = view._weak  # (the view holds this in its caches: no reference cycle)
        self.compiled: dict[tuple, list] = {}
        self.context: tuple = ("", {})
        self.writer = None
        self.parsed: dict[str, object] = {}
        self.html: dict[str, str] = {}
        self.slides: dict[tuple, tuple] = {}  # slides with tokens, made once (decks.slide_html)
        self.media: dict[str, bytes | None] = {}
        self.logo_name, self.logo = _logo(view.site.root)

    @property
    def view(self) -> SiteView:
        return self._view()

    @classmethod
    def of(cls, view: SiteView) -> "DeckRenderer":
        renderer = view.caches.get("decks")
        if renderer is None:
            renderer = view.caches["decks"] = cls(view)
        return renderer

    def markdown(self, deck_id: str, practice: str | None, flavor: str = "html") -> list[str]:
        """A deck's slides rendered for one practice (None: generic), with values escaped for
        the HTML deck or the .pptx (``flavor``)."""
        return deck_stage.render_markdown(self._compiled(deck_id, flavor), self._context(practice))

    def _context(self, practice: str | None) -> dict:
        """The slides' context for one practice (None: generic), kept while the next
        rendering is for the same practice (a page and its .pptx)."""
        if self.context[0] != practice:
            view = self.view
            self.context = (practice, deck_stage.deck_context(
                view.site, view.site_ctx, view.stats, view.docs_of_practice, practice))
        return self.context[1]

    def shaped(self, deck_id: str, practice: str | None) -> tuple[list[str], list[str] | None]:
        """A deck's slides rendered for one practice (None: generic) for the HTML deck, with a
        token in place of each value that can take one (``decks.Shapes``), and those values.
        A slide that captures rendered output renders with its values in it (the "html"
        flavor)."""
        return deck_stage.render_shaped(self._compiled(deck_id, "shape"),
                                        self._compiled(deck_id, "html"), self._context(practice))

    def image(self, path: str) -> bytes | None:
        """A slide image's bytes (a path beneath content/presentations/ that validate
        accepted), or None."""
        if path not in self.media:
            self.media[path] = deck_stage.read_image(self.view.site.root, path)
        return self.media[path]

    def convert(self, markdown: str) -> str:
        """Slide Markdown -> sanitized HTML, images kept (each distinct text once)."""
        html = self.html.get(markdown)
        if html is None:
            if len(self.html) > 5000:
                self.html.clear()
            html = self.html[markdown] = self.view.md.slide(markdown)
        return html

    def chart_data(self, practice: str) -> tuple[list[str], list[int]]:
        """The practice's referrals in each of the last CHART_MONTHS complete months (the
        as-of month too when D is its last day: a month begun is not a drop in a meeting),
        labelled "Dec ’25", "Jan ’26", "Feb", …, "Nov ’26": the year on the first month, on
        January and on the last month (the axis shows every other label from the last one: in
        January the twelve months are last year's, and with the year on the first alone the
        slide showed "Feb Apr … Dec" and no year at all).
        When those months hold no referral and the month begun does (a new referrer, whom a
        liaison visits to thank), the chart ends with the month begun, "Dec ’26 so far": twelve
        empty bars after a slide thanking the office for a patient would say it sent none."""
        view = self.view
        series = [0] * MONTHS_CHARTED
        for d in view.docs_of_practice.get(practice, []):
            for i, n in enumerate(view.doc_series.get(d, ())):
                series[i] += n
        begun = 1 if view.month_to_date else 0
        so_far = bool(begun and series[-1] and not any(series[-1 - CHART_MONTHS:-1]))
        if so_far:
            begun = 0
        last = view.month_last - begun
        first = last - CHART_MONTHS + 1
        labels = [MONTH_NAMES[m % 12] + (f" \u2019{m // 12 % 100:02d}" if m in (first, last) or m % 12 == 0 else "")
                  for m in range(first, last + 1)]
        if so_far:
            labels[-1] += " so far"
        end = len(series) - begun
        return labels, series[end - CHART_MONTHS:end]

    def chart_title(self, practice: str, months: list[str]) -> str:
        """What the practice's referral chart is, in both decks: the HTML chart's name, the
        .pptx chart's alternative text (with every figure)."""
        span = (f"the last {CHART_MONTHS - 1} complete months and this month so far"
                if months[-1].endswith(" so far") else f"the last {CHART_MONTHS} complete months")
        return f"Referrals from {self.view.site.practices[practice].name} per month, {span}"

    def dress(self, practice: str | None, depth: str, chart_shown: bool = True) -> deck_stage.Dress:
        """What the HTML deck of ``practice`` shows besides its slides, from a page ``depth``
        ("../" per folder) below the site's root (the chart only where a slide shows it)."""
        view = self.view
        chart = ""
        if practice and chart_shown:
            months, values = self.chart_data(practice)
            chart = view.chart(charts.bar_chart, months, values, height=260, counts=True,
                               title=self.chart_title(practice, months))
        return deck_stage.Dress(
            logo=f"{depth}assets/{self.logo_name}" if self.logo_name else None,
            media=f"{'../' if practice else ''}{MEDIA}/", chart=str(chart),
            contact=contact_lines(view), name=view.our.name)

    def slide(self, markdown: str):
        from liaison import pptx

        parsed = self.parsed.get(markdown)
        if parsed is None:
            if len(self.parsed) > 5000:
                self.parsed.clear()
            parsed = self.parsed[markdown] = pptx.slide_content(markdown)
        return parsed

    def ready(self) -> None:
        """Compile every deck's slide templates and make the .pptx writer (its package parts:
        python-pptx when the cache folder does not hold them) now: in a full build, before the
        page processes fork, so that they inherit them instead of each making its own."""
        for deck_id in sorted(self.view.site.decks):
            for flavor in ("html", "shape", "pptx"):
                self._compiled(deck_id, flavor)
        self._writer()

    def _compiled(self, deck_id: str, flavor: str) -> list:
        compiled = self.compiled.get((deck_id, flavor))
        if compiled is None:
            compiled = self.compiled[(deck_id, flavor)] = deck_stage.compile_deck(
                deck_stage.make_env(flavor), self.view.site.decks[deck_id])[0]
        return compiled

    def _writer(self):
        if self.writer is None:
            from liaison import pptx
            from liaison.cache import cache_file

            view = self.view
            root = view.site.root
            self.writer = pptx.DeckWriter(view.our.name, view.as_of, view.palette, logo=self.logo,
                                          contact=contact_lines(view), media=self.image,
                                          kept_at=None if root is None else
                                          cache_file(root, "pptx-base", "pickle"))
        return self.writer

    def pptx(self, deck_id: str, practice: str | None) -> bytes:
        """A deck's .pptx for one practice (None: the generic deck)."""
        view = self.view
        writer = self._writer()
        slides = [self.slide(md) for md in self.markdown(deck_id, practice, "pptx") if md.strip()]
        title = view.site.decks[deck_id].meta.title
        if practice:
            title += f" — {view.site.practices[practice].name}"
        if not practice:
            return writer.write(title, slides)
        chart = self.chart_data(practice)
        return writer.write(title, slides, chart=chart, chart_title=self.chart_title(practice, chart[0]))


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _logo(root) -> tuple[str | None, bytes | None]:
    """(file name, bytes) of the site's logo in templates/assets/, or (None, None)."""
    from liaison.discover import real_dir
    from liaison.parse import NotRegular, read_beneath

    if not real_dir(root, "templates/assets"):
        return None, None
    for name in LOGO_NAMES:
        try:
            return name, read_beneath(root, f"templates/assets/{name}")
        except (OSError, NotRegular):
            continue
    return None, None


def _unreadable_logo(root) -> list:
    """The error at each logo file that is there but cannot be read (it was "not used as the
    logo: the logo is templates/assets/logo.png", of that very file)."""
    import errno

    from liaison.diagnostics import Problem
    from liaison.parse import NotRegular, read_beneath

    out = []
    for name in LOGO_NAMES:
        try:
            read_beneath(root, f"templates/assets/{name}", 1)
        except NotRegular:
            continue
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR):
                out.append(Problem(f"templates/assets/{name}",
                                   f"cannot read the file: {exc.strerror or exc}", line=1, col=1))
    return out


LOGO_WARN_BYTES = 1024 * 1024  # every .pptx holds the logo: over this, a warning


def logo_problems(root) -> list:
    """What is wrong with the site's logo (``templates/assets/logo.png``, ``.jpg``, ``.jpeg``),
    at its path: a file of that name that holds no PNG or JPEG picture (an error: the HTML
    decks showed a broken picture and the .pptx none, without a word), one over 1 MB (a
    warning: every .pptx holds a copy), and, when there is none, a logo of another kind or
    name (``logo.svg``, ``Logo.PNG``: a warning, it is not used)."""
    import os

    from liaison.decks import picture_problem
    from liaison.diagnostics import Problem
    from liaison.discover import real_dir

    if not real_dir(root, "templates/assets"):
        return []
    name, data = _logo(root)
    if name is not None:
        where = f"templates/assets/{name}"
        what = picture_problem(data)
        if what is not None:
            return [Problem(where, f"the logo {what}: save it as PNG or JPEG (the decks' title "
                            "and closing slides show it)", line=1, col=1)]
        if len(data) > LOGO_WARN_BYTES:
            return [Problem(where, f"the logo is {len(data) / 1024 / 1024:.1f} MB: every .pptx "
                            "holds a copy of it; a logo of some 100 KB is plenty (720 × 180 pixels "
                            "will do)", severity="warning", line=1, col=1)]
        return []
    unreadable = _unreadable_logo(root)
    if unreadable:
        return unreadable
    try:
        others = sorted(n for n in os.listdir(os.path.join(root, "templates", "assets"))
                        if os.path.splitext(n)[0].lower() == "logo")
    except OSError:
        return []
    return [Problem(f"templates/assets/{n}", "not used as the logo: the logo is "
                    "templates/assets/logo.png, logo.jpg or logo.jpeg (PNG or JPEG, lower-case "
                    "name: what PowerPoint shows)", severity="warning", line=1, col=1)
            for n in others]


def contact_lines(view: SiteView) -> tuple[str, ...]:
    """Our practice's name, phone, address and website (those site.yaml gives), for closing
    slides."""
    our = view.our
    lines = [our.name]
    if our.phone:
        lines.append(f"Phone {our.phone}")
    if our.address:
        lines.append(our.address)
    if our.website:
        lines.append(str(our.website).removeprefix("https://").removeprefix("http://").rstrip("/"))
    return tuple(lines)


_IF_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif)\b")


def _all_in_an_if(source: str) -> bool:
    """Whether all of a slide stands in one ``{% if %} … {% endif %}`` without an ``else``
    (such a slide renders to nothing where its condition is false)."""
    text = source.strip()
    tags = list(_IF_TAG.finditer(text))
    if not tags or tags[0].start() != 0 or tags[0].group(1) != "if":
        return False
    depth = 0
    for i, tag in enumerate(tags):
        kind = tag.group(1)
        if kind in ("elif", "else") and depth == 1:
            return False
        depth += {"if": 1, "endif": -1}.get(kind, 0)
        if depth == 0:  # the first if closed: at the slide's end, and the last tag
            return i == len(tags) - 1 and text.endswith("%}") and text.rfind("{%") == tag.start()
    return False


def presentations(view: SiteView, page: Page) -> dict:
    decks = []
    practices = view.site.practices
    for deck_id in sorted(view.site.decks):
        d = view.site.decks[deck_id]
        # by name, so that one is found; many fold under their count (a deck for every
        # practice named 667 of them at 2,000 physicians)
        targets = sorted(view.deck_targets(deck_id), key=lambda p: (fold(practices[p].name), p))
        decks.append({"title": d.meta.title, "description": d.meta.description or "",
                      "href": deck_href(deck_id), "slides": len(d.slides),
                      # a slide all in an {% if %} may render to nothing for a practice, and
                      # is then left out of its deck: the count is the most it shows
                      "up_to": any(_all_in_an_if(s.source) for s in d.slides),
                      "targets": [view.practice_ref(p) | {"href": deck_href(deck_id, p)}
                                  for p in targets],
                      "targets_folded": len(targets) > TARGETS_INLINE})
    return {**view.common(page, "presentations", "Presentations"), "decks": decks}


def deck_pages(view: SiteView) -> list[Page]:
    pages = []
    for deck_id in sorted(view.site.decks):
        pages.append(Page(deck_href(deck_id), "deck.html", "deck", deck_id))
        pages += [Page(deck_href(deck_id, p), "deck.html", "deck", f"{deck_id}/{p}")
                  for p in view.deck_targets(deck_id)]
    return pages


def deck(view: SiteView, page: Page) -> dict:
    deck_id, _, practice = page.key.partition("/")
    d = view.site.decks[deck_id]
    renderer = DeckRenderer.of(view)
    common = view.common(page, "presentations", "")
    markdown, values = renderer.shaped(deck_id, practice or None)
    # a slide that renders to nothing for this practice (all of it in an {% if %} that is false
    # here) is left out, as in its .pptx: it showed as a blank slide
    markdown = [md for md in markdown if md.strip()]
    dress = renderer.dress(practice or None, common["base"],
                           any(deck_stage.CHART_MARK in md for md in markdown))
    slides = deck_stage.shared_html(renderer.convert, view.md.speaker_note, markdown, values,
                                    dress, renderer.slides)
    title = d.meta.title + (f" — {view.site.practices[practice].name}" if practice else "")
    return {**view.common(page, "presentations", title), "deck": d, "slides": slides,
            "practice": view.practice_ref(practice) if practice else None,
            "pptx": pptx_name(deck_id, practice or None)}


def pptx_beside(view: SiteView, page: Page) -> dict:
    """The .pptx of a deck, next to its page: the customized deck's, or the generic deck's
    (so every deck page has a "Download .pptx" link); path -> maker (None for a picture that
    cannot be read)."""
    deck_id, _, practice = page.key.partition("/")
    folder = page.path.rsplit("/", 1)[0]
    out = {f"{folder}/{pptx_name(deck_id, practice or None)}":
           lambda: DeckRenderer.of(view).pptx(deck_id, practice or None)}
    if not practice:  # the generic deck's page: the deck's slide images too, once
        for slide in view.site.decks[deck_id].slides:
            for _, _, path in deck_stage.image_refs(slide.source):
                out[f"{folder}/{MEDIA}/{deck_stage.picture_file(path)}"] = \
                    lambda path=path: DeckRenderer.of(view).image(path)
    return out


KINDS = [
    PageKind("presentations", "presentations.html", "presentations",
             one_page("presentations/index.html", "presentations.html", "presentations"),
             presentations, reads=("decks", "practices"), variables=("decks",),
             nav=("Presentations", "presentations/index.html"),
             url="presentations/"),
    PageKind("deck", "deck.html", "presentations", deck_pages, deck,
             reads=("decks", "practices", "physicians", "site", "stats.practices"),
             variables=("deck", "slides", "practice", "pptx"), files_beside=pptx_beside,
             url="presentations/<deck>/ and presentations/<deck>/<practice>/"),
]
