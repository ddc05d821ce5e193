"""One page of a query: the one paginator for pages and the API.

Flask-SQLAlchemy's `db.paginate` does the work. The rules added here: the page
asked for is clamped to 1..the last page (a page past the end shows the last
one, and an absurd page number never reaches the database as a huge OFFSET),
and a caller that already knows the total (the entries list, from the burden
totals) passes it instead of paying for a COUNT."""
from __future__ import annotations

from dataclasses import dataclass

from tracker.extensions import db
from tracker.shared.parsing import parse_whole_number

# A page number past this is certainly past the end; it is clamped before any SQL runs.
MAX_PAGE = 10**9


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    pages: int  # at least 1, even with nothing to show
    total: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query, page: int, per_page: int, total: int | None = None, past_end: str = "last") -> Page:
    """Items of `page` (from 1) of a select() of one entity, `per_page` a page; or of a list already
    in order (rows sorted by a figure worked out in Python, such as the workspace's ranking).

    Past the end, a page shows the last page (`past_end="last"`); the API asks
    for `"empty"`, so a client that reads pages until one is empty stops."""
    if isinstance(query, (list, tuple)):
        pages = page_count(len(query), per_page)
        page = min(max(int(page), 1), MAX_PAGE)
        if past_end == "last":
            page = min(page, pages)
        start = (page - 1) * per_page
        return Page(items=list(query[start:start + per_page]), page=page, pages=pages, total=len(query), per_page=per_page)
    if total is None:
        total = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = page_count(total, per_page)
    page = min(max(int(page), 1), MAX_PAGE)
    if past_end == "last":
        page = min(page, pages)
    result = db.paginate(query, page=page, per_page=per_page, max_per_page=None, error_out=False, count=False)
    return Page(items=list(result.items), page=page, pages=pages, total=total, per_page=per_page)


# ---- pages: the page number from the address, and links to the other pages ----


def requested_page(args) -> int:
    """The page a page asked for; anything that is not a page number shows the first (pages are
    forgiving; the API answers 400 instead, tracker/api/common.py)."""
    number = parse_whole_number(args.get("page") or "1")
    return min(number, MAX_PAGE) if number else 1


def page_url(number: int) -> str:
    """This page's address, same filters, another page."""
    from flask import request, url_for

    args = {name: value for name, value in request.args.items() if name != "page" and value}
    return url_for(request.endpoint, **(request.view_args or {}), page=number, **args)


def page_links(page: Page, url_for_page=page_url) -> dict:
    """Items for the NHS.UK pagination component: first, last, and the pages around this one."""
    shown = sorted({1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1)))
    items, previous_number = [], 0
    for number in shown:
        if number - previous_number > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": url_for_page(number), "current": number == page.page})
        previous_number = number
    return {
        "items": items if page.pages > 1 else [],
        "previous": {"href": url_for_page(page.page - 1)} if page.has_previous else {},
        "next": {"href": url_for_page(page.page + 1)} if page.has_next else {},
    }
