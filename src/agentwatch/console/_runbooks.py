"""GET /runbooks: every alert's runbook, one click from a firing alert or a notification.

The page is docs/runbooks.md for the spec the console runs (agentwatch.generate.runbooks, from
the same alert definitions as the rules), rendered to HTML. Each section's id is the alert name
lower-cased, the fragment of every alert's default ``runbook_url``. Every role may read it, the
service account of scripts included: on call, whoever holds the page needs the runbook.
"""

from __future__ import annotations

import itertools
import re

from fastapi import APIRouter
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from agentwatch.catalog.http_paths import CONSOLE_RUNBOOKS_PATH
from agentwatch.generate.runbooks import runbooks_markdown
from agentwatch.spec import Spec

from ._state import console_of

__all__ = ["router", "runbooks_html"]

router = APIRouter()
_NOT_ANCHOR = re.compile(r"[^a-z0-9_-]")


def _anchor(heading: str) -> str:
    """GitHub's heading anchor for the plain headings the runbooks use: lower-cased."""
    return _NOT_ANCHOR.sub("", heading.strip().lower().replace(" ", "-"))


def runbooks_html(spec: Spec) -> Markup:
    """The runbooks for ``spec`` as HTML; raw HTML in the source is escaped, not passed on."""
    markdown = MarkdownIt("commonmark", {"html": False})
    # The page has its own title: the document's "# Runbooks" would say it twice.
    _, _, body = runbooks_markdown(spec).partition("\n")
    tokens = markdown.parse(body)
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open" and opening.tag == "h2":
            opening.attrSet("id", _anchor(inline.content))
    return Markup(markdown.renderer.render(tokens, markdown.options, {}))


@router.get(CONSOLE_RUNBOOKS_PATH, include_in_schema=False)
def runbooks(request: Request) -> Response:
    console = console_of(request)
    visitor = console.access.identify(request)
    return console.render(
        request,
        "runbooks.html",
        visitor=visitor,
        title="Runbooks",
        body=runbooks_html(console.spec),
    )
