"""PowerPoint decks (SPEC §6): one slide per slide, the speaker notes in the notes pane.

``markdown`` reads a slide's Markdown, ``slides`` writes its XML, ``package`` zips the deck.

A customized deck is written for every target practice, thousands per build, so a deck is not
built with python-pptx object by object (about 10 decks a second). python-pptx builds the
invariant parts of the package once per process (theme, slide master, layouts, notes master,
presentation properties), which are deflated once; each deck's own parts (slides, notes
slides, their relationships, the slide list, content types, document properties) are written
from string templates with XML escaping, and the package is zipped by hand with fixed entry
order, timestamps (1980-01-01) and compression, so that two builds are byte-identical
(SPEC §5): the only date in the package is the as-of date, in docProps/core.xml.

Slide text is plain text: Markdown inline markers are removed (bold spans stay bold), and HTML
in a slide stays literal text, escaped, never interpreted.
"""
from __future__ import annotations

from liaison.pptx.markdown import Block, SlideContent, slide_content
from liaison.pptx.package import DeckWriter

__all__ = ["Block", "SlideContent", "slide_content", "DeckWriter"]
