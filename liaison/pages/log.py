"""Field logging (``log/``, only when site.yaml sets ``repository``; SPEC §6): a form that
writes one interaction record as YAML from what a liaison picks and types on a phone, and
hands it over by opening the repository's new-file page with the file's name and content
filled in, by copying it, or by downloading it. The form itself is ``assets/log.js``; what it
knows of the site (practices and their physicians and staff, the team, interaction types,
services, decks, the repository's new-file address) is one script file written beside the
page, ``log/data.js``, so no other page pays for it.

Briefs and call plans link to the form with their practice and physicians chosen
(``log_href``): ``log/index.html?practice=<id>&physician=<id>…&liaison=<id>``.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

from liaison import guard
from liaison.models import INTERACTION_TYPES, OUTCOMES
from liaison.names import fold
from liaison.pages.base import Page, PageKind
from liaison.pages.view import SiteView

PATH = "log/index.html"
DATA = "log/data.js"
DATA_GLOBAL = "LIAISON_LOG_DATA"
IN_PERSON = ("visit", "lunch", "presentation", "event")

# The new-file page of each kind of host (``{path}``: the file's path in the repository,
# ``{content}``: its text; both URL-encoded by the form). GitHub and Gitea/Forgejo take the
# whole path as the file name (folders are created); GitLab's ``file_name`` does the same.
NEW_FILE = {
    "github": "{web_url}/new/{branch}?filename={path}&value={content}",
    "gitlab": "{web_url}/-/new/{branch}?file_name={path}&content={content}"
              "&commit_message={message}",
    "gitea": "{web_url}/_new/{branch}/?filename={path}&value={content}",
}
HOST_NAMES = {"github": "GitHub", "gitlab": "GitLab", "gitea": "Gitea or Forgejo"}
# Host names that say what they are; any other host is unknown (no new-file page: the form
# offers copying and downloading only, and says why).
_KNOWN_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "codeberg.org": "gitea",
                "gitea.com": "gitea"}
_HOST_WORDS = (("github", "github"), ("gitlab", "gitlab"), ("gitea", "gitea"),
               ("forgejo", "gitea"), ("codeberg", "gitea"))


def host_kind(web_url: str) -> str | None:
    """Which kind of host a repository's web address is on: 'github', 'gitlab', 'gitea'
    (Gitea and Forgejo share their URLs) or None when the host name does not say (a company's
    own server under another name)."""
    host = (urlsplit(web_url).hostname or "").lower()
    if host in _KNOWN_HOSTS:
        return _KNOWN_HOSTS[host]
    labels = host.split(".")
    for word, kind in _HOST_WORDS:
        if any(label == word or label.startswith(word + "-") or label.endswith("-" + word)
               for label in labels):
            return kind
    return None


def new_file_url(web_url: str, branch: str) -> str | None:
    """The new-file address of a repository with the placeholders ``{path}``, ``{content}``
    and (GitLab) ``{message}`` left for the form, or None for an unknown host."""
    kind = host_kind(web_url)
    if kind is None:
        return None
    return (NEW_FILE[kind]
            .replace("{web_url}", web_url.rstrip("/"))
            .replace("{branch}", quote(branch, safe="/")))


def log_href(view: SiteView, practice: str | None = None, physicians=(),
             liaison: str | None = None) -> str | None:
    """The form's address (relative to the site's root) with a practice, physicians and the
    liaison chosen; None when the site has no form (no ``repository``). Ids need no
    escaping: they are [a-z0-9-]."""
    if view.site.config.repository is None:
        return None
    query = ([f"practice={practice}"] if practice else []) + \
        [f"physician={p}" for p in physicians] + ([f"liaison={liaison}"] if liaison else [])
    return PATH + ("?" + "&".join(query) if query else "")


def pages(view: SiteView) -> list[Page]:
    if view.site.config.repository is None:
        return []
    return [Page(PATH, "log.html", "log")]


def form_data(view: SiteView) -> dict:
    """What the form knows of the site, compact (lists, not objects: 10,000 physicians).

    ``practices``: [id, name, city, [physician indexes], [[staff name, role]…]] by name;
    ``physicians``: [id, name, credentials, practice index] by practice, then name;
    ``team``: [id, name, role], liaisons first, then by name; ``services``: [key, name];
    ``decks``: [id, title]; ``repository``: web_url, branch, host, host_name, new_file;
    ``guard``: the patient-information guard's patterns (``guard.form_rules``)."""
    site = view.site
    repo = site.config.repository
    practice_ids = sorted(site.practices, key=lambda p: (fold(site.practices[p].name), p))
    index = {p: i for i, p in enumerate(practice_ids)}
    physicians, at = [], {p: [] for p in practice_ids}
    for pid in sorted(site.physicians, key=lambda p: (
            index.get(site.physicians[p].practice, len(index)),
            site.physicians[p].name.lower(), p)):
        d = site.physicians[pid]
        if d.practice not in index:  # a dangling practice does not validate; never here
            continue
        at[d.practice].append(len(physicians))
        physicians.append([pid, d.name, d.credentials or "", index[d.practice]])
    practices = []
    for p in practice_ids:
        rec = site.practices[p]
        practices.append([p, rec.name, rec.city or "", at[p],
                          [[s.name, s.role or ""] for s in rec.staff]])
    team = sorted(site.team, key=lambda t: (site.team[t].role != "liaison",
                                            site.team[t].name.lower(), t))
    kind = host_kind(repo.web_url)
    return {
        "as_of": view.as_of.isoformat(),
        "our": view.our.name,
        "repository": {"web_url": repo.web_url, "branch": repo.branch, "host": kind,
                       "host_name": HOST_NAMES.get(kind, ""),
                       "new_file": new_file_url(repo.web_url, repo.branch)},
        "types": list(INTERACTION_TYPES),
        "in_person": list(IN_PERSON),
        "outcomes": list(OUTCOMES),
        "team": [[t, site.team[t].name, site.team[t].role] for t in team],
        "practices": practices,
        "physicians": physicians,
        "services": [[s.key, s.name] for s in site.config.services],
        "decks": [[d, site.decks[d].meta.title] for d in sorted(site.decks)],
        "guard": guard.form_rules(),
    }


_PREFIX = f"window.{DATA_GLOBAL}=JSON.parse('"
_SUFFIX = "');\n"


def data_js(view: SiteView) -> bytes:
    """``log/data.js``: the form's data as one global (a script, so that the form works
    opened from disk, where a page may not fetch a file). The JSON is handed to JSON.parse
    as a string: browsers read a large JSON string several times faster than the same
    object literal (about 1 MB at 10,000 physicians)."""
    text = json.dumps(form_data(view), ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    # In a single-quoted string: backslashes and quotes escaped; U+2028/U+2029 (line ends
    # for older parsers) as escapes of JSON's own, read back as the same characters.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    text = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"{_PREFIX}{text}{_SUFFIX}".encode("utf-8")


def read_data_js(data: bytes) -> dict:
    """The form's data back from ``log/data.js`` (for tests and bench/log.py)."""
    text = data.decode("utf-8")
    if not (text.startswith(_PREFIX) and text.endswith(_SUFFIX)):
        raise ValueError("not a log/data.js of this version")
    body = text[len(_PREFIX):-len(_SUFFIX)]
    return json.loads(re.sub(r"\\(.)", r"\1", body, flags=re.S))  # undo \\ and \


def data_beside(view: SiteView, page: Page) -> dict:
    return {DATA: lambda: data_js(view)}


def context(view: SiteView, page: Page) -> dict:
    repo = view.site.config.repository
    kind = host_kind(repo.web_url)
    return {
        **view.common(page, "log", "Log a visit"),
        "repository": repo,
        "host_name": HOST_NAMES.get(kind),
        "data_src": "data.js",
    }


KINDS = [
    PageKind("log", "log.html", "log", pages, context,
             reads=("site", "practices", "physicians", "team", "decks"),
             variables=("repository", "host_name", "data_src"),
             files_beside=data_beside,
             url="log/"),
]
