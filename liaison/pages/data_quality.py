"""Data quality (``data-quality/``): every warning of ``validate`` at its file, line and
column (with links to edit the file and to see the line in the repository when site.yaml sets
``repository``); physicians without an NPI, a tier or a liaison, never contacted; practices
without a liaison (a liaison being a team member whose role is liaison: one who left the role
makes no call plan; one with no physician on record is said to have perhaps closed);
physician referrals perhaps entered twice (one date, physician and service in two files)."""
from __future__ import annotations

from urllib.parse import quote

from liaison.diagnostics import format_loc
from liaison.names import sort_key
from liaison.pages.base import Page, PageKind, one_page
from liaison.pages.directories import by_name
from liaison.pages.log import HOST_NAMES, host_kind
from liaison.pages.rows import no_liaison_now, physician_row, practice_row
from liaison.pages.view import SiteView

# A list of more names than this folds under its count (every list's heading then shows on
# the first screens; at 2,000 physicians two lists held 345 names)
LIST_OPEN = 20

# A file's edit page and its view at one line, per kind of host (liaison.pages.log.host_kind).
# GitHub's editor opens at the top of the file (it ignores a #L anchor), so each warning has
# both: "edit" and "line N" (GitHub's plain view, ?plain=1, is the one whose #L anchors work
# for Markdown files too). Paths are taken from the site root: the repository's root.
EDIT_FILE = {
    "github": "{web_url}/edit/{branch}/{path}",
    "gitlab": "{web_url}/-/edit/{branch}/{path}",
    "gitea": "{web_url}/_edit/{branch}/{path}",
}
SEE_LINE = {
    "github": "{web_url}/blob/{branch}/{path}?plain=1#L{line}",
    "gitlab": "{web_url}/-/blob/{branch}/{path}#L{line}",
    "gitea": "{web_url}/src/branch/{branch}/{path}#L{line}",
}


def repository_links(view: SiteView) -> tuple[str | None, str | None]:
    """(the kind of host, its name for people) of site.yaml's repository; (None, None)
    without a repository or on a host whose name does not say what it runs."""
    repo = view.site.config.repository
    kind = host_kind(repo.web_url) if repo else None
    return kind, HOST_NAMES.get(kind) if kind else None


def warning_row(view: SiteView, d, kind: str | None) -> dict:
    """One warning: where (path:line:col), what, and its links on the repository's host."""
    row = {"path": d.path, "line": d.line, "col": d.col, "message": d.message,
           "where": f"{d.path}:{d.line}:{d.col}", "edit_href": None, "line_href": None}
    if kind:
        repo = view.site.config.repository
        fill = {"web_url": repo.web_url.rstrip("/"), "branch": quote(repo.branch, safe="/"),
                "path": quote(d.path, safe="/"), "line": str(d.line)}
        row["edit_href"] = EDIT_FILE[kind].format(**fill)
        row["line_href"] = SEE_LINE[kind].format(**fill) if d.line else None
    return row


def double_entries(view: SiteView) -> list[dict]:
    """Physician referrals that may have been entered twice: rows of one date, physician and
    service in two or more files (the fax typed into the month's sheet and written again with
    `liaison new referral`), newest first. Rows in one file are left alone: two patients sent
    the same day for the same service are two rows (or one with a count) of one sheet. Each:
    the date, the physician's row, the service's name, the referrals and where each row is."""
    first_file: dict[tuple, str] = {}  # (one look-up a row: 290,000 rows at 10,000 physicians)
    doubled = set()
    for row in view.site.referrals:
        if row.source == "physician":
            key = (row.date, row.physician, row.service)
            path = first_file.setdefault(key, row.path)
            if path != row.path:
                doubled.add(key)
    groups: dict[tuple, list] = {}
    if doubled:
        for row in view.site.referrals:
            key = (row.date, row.physician, row.service)
            if row.source == "physician" and key in doubled:
                groups.setdefault(key, []).append(row)
    out = []
    for (date, pid, service), rows in groups.items():
        if pid not in view.site.physicians:
            continue
        out.append({
            "date": date, "physician": physician_row(view, pid),
            "service": view.services.get(service, service),
            "referrals": sum(r.count for r in rows),
            "where": sorted(f"{r.path}:{r.line}" if r.line else
                            f"{r.path} {format_loc(r.loc)}" if r.loc else r.path for r in rows),
        })
    out.sort(key=lambda e: (-e["date"].toordinal(), e["physician"]["sort_name"], e["service"]))
    return out


def context(view: SiteView, page: Page) -> dict:
    phys = view.stats.physicians
    # by last name, as the directory lists them (not by file name)
    docs = sorted(view.site.physicians, key=lambda p: (sort_key(view.site.physicians[p].name), p))

    def not_liaison(tid: str | None) -> str | None:
        """Why ``tid`` (a record's liaison) makes no call plan: none, or "Lena Brooks is no
        liaison (other)" for a member whose role is not liaison (one who left the role)."""
        return "" if tid is None else no_liaison_now(view, tid)

    def rows(pred):
        return [{**physician_row(view, p), "why": None} for p in docs
                if pred(view.site.physicians[p], phys[p])]

    def unassigned(row: dict, tid: str | None) -> dict:
        return {**row, "why": not_liaison(tid)}

    def practice_unassigned(pid: str) -> dict:
        """A practice in no call plan; one with no physician left is most likely one that
        closed or merged (the README keeps its file for its visits), so it says so."""
        row = unassigned(practice_row(view, pid), view.site.practices[pid].liaison)
        if not row["physicians"]:
            row["why"] = "; ".join(filter(None, (
                row["why"], "no physician on record: if it closed or merged, leave it as it "
                "is (its visits stay in its brief); if it is new, add its physicians")))
        return row

    kind, host = repository_links(view)
    return {
        **view.common(page, "data-quality", "Data quality"),
        "warnings": [warning_row(view, d, kind) for d in view.warnings],
        "repository": view.site.config.repository, "host_name": host,
        "no_npi": rows(lambda d, s: d.npi is None),
        "no_tier": rows(lambda d, s: d.tier is None),
        # in no liaison's call plan: none, or a team member who is no liaison (any more)
        "no_liaison": [unassigned(physician_row(view, p), phys[p].liaison) for p in docs
                       if not_liaison(phys[p].liaison) is not None],
        "never_contacted": rows(lambda d, s: s.last_contact is None),
        "practices_no_liaison": [practice_unassigned(p) for p in by_name(view.site.practices)
                                 if not_liaison(view.site.practices[p].liaison) is not None],
        "double_entries": double_entries(view),
        "list_open": LIST_OPEN,
    }


KINDS = [
    PageKind("data-quality", "data_quality.html", "data-quality",
             one_page("data-quality/index.html", "data_quality.html", "data-quality"),
             context, reads=("diagnostics", "physicians", "practices", "team", "referrals",
                             "stats.physicians", "stats.practices"),
             variables=("warnings", "repository", "host_name", "no_npi", "no_tier", "no_liaison",
                        "never_contacted", "practices_no_liaison", "double_entries", "list_open"),
             nav=("Data quality", "data-quality/index.html"),
             url="data-quality/"),
]
