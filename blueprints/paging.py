"""Pages of a long list on an HTML page (``?seite=``), shown with ``_pagination.html``'s pager."""
from __future__ import annotations

from flask import request
from sqlalchemy import Select

from blueprints.api.schemas import MAX_PAGE, PageResult, Pagination, paginate


def page_of(statement: Select, per_page: int) -> PageResult:
    """The requested page of ``statement``; a page past the end shows the last one."""
    number = max(1, min(request.args.get("seite", 1, type=int), MAX_PAGE))
    page = paginate(statement, Pagination(page=number, per_page=per_page))
    if not page.items and page.total and number > page.last_page:
        page = paginate(statement, Pagination(page=page.last_page, per_page=per_page))
    return page
