"""`new guide|deck ID`: a training guide or a presentation deck under content/, Markdown with
front matter (each front-matter field commented like a record file) and a skeleton body to
fill in."""
from __future__ import annotations

from liaison.models import DeckMeta, GuideMeta
from liaison.scaffold.existing import Existing
from liaison.scaffold.fields import Kind
from liaison.scaffold.readback import verify_markdown, write_new
from liaison.scaffold.yamltext import HOW_TO_FILL, render


def _markdown_text(value: str) -> str:
    """A one-line text as literal slide text: Jinja syntax in it is not run."""
    if any(mark in value for mark in ("{{", "{%", "{#", "}}", "%}", "#}")):
        if "endraw" not in value:
            return "{% raw %}" + value + "{% endraw %}"
        return "{{ site.practice.name }}"
    return value


GUIDE_BODY = """\
# {title}

One or two sentences: what this guide teaches, and why it matters to the reader.

## Before you start

- What the reader needs to know or have at hand.

## Step by step

1. The first thing to do.
2. The next one.

| When | Do |
|---|---|
| A situation the reader meets | What to do then |

!!! note "Remember"
    The one point to keep, in an indented block under an admonition.

## Check yourself

1. A question the reader can answer after this guide.
"""

DECK_BODY = """\
# {title}

{{% if practice %}}Prepared for the team of **{{{{ practice.name }}}}**{{% else %}}For referring offices{{% endif %}}

Notes: Speaker notes: what to say on this slide (shown in the notes pane, not on the slide).

---

## Working together

{{% if practice and stats.referrals_365d %}}
**{{{{ practice.name }}}}** sent us {{{{ plural(stats.referrals_365d, "patient") }}}} in the last twelve months. Thank you!

{{% for p in physicians if p.stats.referrals_365d %}}
- {{{{ p|formal_name }}}}
{{% endfor %}}
{{% elif practice %}}
- What {{{{ practice.name }}}} gets from the first referral
- One direct scheduling line{{% if site.practice.phone %}}: {{{{ site.practice.phone }}}}{{% endif %}}
{{% else %}}
- How to refer a patient to {{{{ site.practice.name }}}}
- What the referring office hears back from us, and when
{{% endif %}}

Notes: In the generic deck `practice` and `stats` are none and `physicians` is empty: keep
what names them inside {{% if practice %}} … {{% endif %}}. Each physician has their own
`stats` (their entry of stats.json): the list thanks those who sent patients.
"""


def _write(site: Existing, rel: str, model, values: dict, header: list[str], body: str,
           warn=None) -> str:
    text = "---\n" + render(model, values, header) + "---\n" + body
    verify_markdown(rel, text, model, values, warn)
    write_new(site.root, rel, text)
    return rel


def guide(site: Existing, rid: str, values: dict, warn) -> str:
    site.refuse_taken("training", rid)
    header = [f"Training guide '{rid}' (the id is the file name). Written by "
              "`liaison new guide`.",
              "The front matter is between the two lines ---; the guide follows, in Markdown",
              "(tables and admonitions too). Team members' `trainings` name it by its id.",
              "", *HOW_TO_FILL]
    return _write(site, f"content/training/{rid}.md", GuideMeta, values, header,
                  GUIDE_BODY.format(title=values["title"]), warn)


def deck(site: Existing, rid: str, values: dict, warn) -> str:
    site.refuse_taken("presentations", rid)
    site.check_references(DeckMeta, values)
    values.setdefault("targets", "all")
    header = [f"Presentation deck '{rid}' (the id is the file name). Written by "
              "`liaison new deck`.",
              "The front matter is between the two lines ---; then come the slides, separated",
              "by lines holding only ---. A paragraph starting \"Notes:\" and what follows it",
              "are the speaker notes. Slides are templates: {{ site.practice.name }} is our",
              "practice; in a customized deck `practice`, `physicians` and `stats` are the",
              "target practice's. Interactions name the deck shown by its id.",
              "", *HOW_TO_FILL]
    return _write(site, f"content/presentations/{rid}.md", DeckMeta, values, header,
                  DECK_BODY.format(title=_markdown_text(values["title"])), warn)


KINDS = (
    Kind("guide", GuideMeta,
         "A training guide: content/training/<ID>.md (front matter and a skeleton to fill in).",
         guide, short_help="A training guide: content/training/<ID>.md."),
    Kind("deck", DeckMeta,
         "A presentation deck: content/presentations/<ID>.md (front matter and two example\n"
         "slides: the generic deck and each target practice's customized one).",
         deck, short_help="A presentation deck: content/presentations/<ID>.md.",
         overrides={"targets": {
             "help": "A practice (id) that gets a copy of the deck customized for it. "
                     "Repeatable; default: all practices.",
             "metavar": "PRACTICE"}}),
)
