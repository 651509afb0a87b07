"""Presentation decks (``presentations/``: every deck; ``presentations/<deck>/``: the generic
deck; ``presentations/<deck>/<practice>/``: the deck customized for one practice, with its
``.pptx`` beside it). Slides are rendered in the sandbox of ``liaison.decks``; the PowerPoint
bytes are made here, on the render side, by each process for the pages it renders."""
from __future__ import annotations

from liaison import decks as deck_stage
from liaison.pages.base import Page, PageKind, deck_href, one_page, pptx_name
from liaison.pages.view import SiteView


class DeckRenderer:
    """Per-process state of the deck pages: compiled slide templates (once per deck and
    flavor), the last deck context (a page and its .pptx share it), the .pptx writer, and
    slides parsed for the .pptx (once per distinct text: most repeat from one practice's deck
    to the next)."""

    def __init__(self, view: SiteView):
        self.view = view
        self.compiled: dict[tuple, list] = {}
        self.context: tuple = ("", {})
        self.writer = None
        self.parsed: dict[str, object] = {}

    @classmethod
    def of(cls, view: SiteView) -> "DeckRenderer":
        renderer = view.caches.get("decks")
        if renderer is None:
            renderer = view.caches["decks"] = cls(view)
        return renderer

    def markdown(self, deck_id: str, practice: str | None, flavor: str = "html") -> list[str]:
        """A deck's slides rendered for one practice (None: generic), with values escaped for
        the HTML deck or the .pptx (``flavor``)."""
        view = self.view
        compiled = self.compiled.get((deck_id, flavor))
        if compiled is None:
            compiled = self.compiled[(deck_id, flavor)] = deck_stage.compile_deck(
                deck_stage.make_env(flavor), view.site.decks[deck_id])[0]
        if self.context[0] != practice:
            self.context = (practice, deck_stage.deck_context(
                view.site, view.site_ctx, view.stats.practices, view.docs_of_practice, practice))
        return deck_stage.render_markdown(compiled, self.context[1])

    def slide(self, markdown: str):
        from liaison import pptx

        parsed = self.parsed.get(markdown)
        if parsed is None:
            if len(self.parsed) > 5000:
                self.parsed.clear()
            parsed = self.parsed[markdown] = pptx.slide_content(markdown)
        return parsed

    def pptx(self, deck_id: str, practice: str) -> bytes:
        from liaison import pptx

        view = self.view
        if self.writer is None:
            self.writer = pptx.DeckWriter(view.our.name, view.as_of, view.palette)
        slides = [self.slide(md) for md in self.markdown(deck_id, practice, "pptx")]
        title = f"{view.site.decks[deck_id].meta.title} — {view.site.practices[practice].name}"
        return self.writer.write(title, slides)


def presentations(view: SiteView, page: Page) -> dict:
    decks = []
    for deck_id in sorted(view.site.decks):
        d = view.site.decks[deck_id]
        decks.append({"title": d.meta.title, "description": d.meta.description or "",
                      "href": deck_href(deck_id), "slides": len(d.slides),
                      "targets": [view.practice_ref(p) | {"href": deck_href(deck_id, p)}
                                  for p in view.deck_targets(deck_id)]})
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
    slides = deck_stage.render_html(view, DeckRenderer.of(view).markdown(deck_id, practice or None))
    title = d.meta.title + (f" — {view.site.practices[practice].name}" if practice else "")
    return {**view.common(page, "presentations", title), "deck": d, "slides": slides,
            "practice": view.practice_ref(practice) if practice else None,
            "pptx": pptx_name(deck_id, practice) if practice else None}


def pptx_beside(view: SiteView, page: Page) -> dict[str, bytes]:
    """The .pptx of a customized deck, next to its page (none for the generic deck)."""
    deck_id, _, practice = page.key.partition("/")
    if not practice:
        return {}
    folder = page.path.rsplit("/", 1)[0]
    return {f"{folder}/{pptx_name(deck_id, practice)}": DeckRenderer.of(view).pptx(deck_id, practice)}


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
