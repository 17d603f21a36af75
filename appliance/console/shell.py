"""Page shells and static assets for the console, with strict security headers.

A shell is the common frame (header, navigation, skip link) around one page's
markup from ``pages/<name>.html``; it carries no data. Page scripts read their
settings from ``data-*`` attributes because the content security policy forbids
inline script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

STATIC_PREFIX = "/console/static"
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_NAME = re.compile(r"^[a-z][a-z0-9-]*\.(?:js|css)$")

# No inline script or style, nothing from another origin, no framing, no form posts away.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_SHELL = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · $app</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="$static/console.css">
<script src="$static/console.js" defer></script>
<script src="$static/chart.js" defer></script>
<script src="$static/$script" defer></script>
</head>
<body $data>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">$app</span>
<nav aria-label="Console sections"><ul>$nav</ul></nav>
$logout
</header>
<main id="main" tabindex="-1">
<h1>$title</h1>
<p id="notice" class="notice" role="alert" hidden></p>
$body
</main>
</body>
</html>
""")


@dataclass(frozen=True)
class NavItem:
    """One navigation link."""

    page: str
    title: str
    href: str


def _package_text(*parts: str) -> str:
    return resources.files("appliance.console").joinpath(*parts).read_text(encoding="utf-8")


def load_static() -> dict[str, bytes]:
    """Return every JS and CSS asset of the console by file name.

    Raises FileNotFoundError if the package was installed without its assets.
    """
    folder = resources.files("appliance.console").joinpath("static")
    return {p.name: p.read_bytes() for p in folder.iterdir() if _NAME.match(p.name)}


def render_page(*, app: str, page: str, title: str, script: str, nav: list[NavItem],
                data: dict[str, str], body: str | None = None, logout: bool = True) -> str:
    """Return the HTML of one page: the shell around ``pages/<page>.html`` (or ``body``).

    ``data`` becomes ``data-*`` attributes on ``<body>``; every value is escaped.
    """
    links = "".join(
        f'<li><a href="{html.escape(n.href)}"'
        + (' aria-current="page"' if n.page == page else "")
        + f">{html.escape(n.title)}</a></li>" for n in nav)
    attrs = " ".join(f'data-{k}="{html.escape(v, quote=True)}"' for k, v in
                     {"page": page, **data}.items())
    return _SHELL.substitute(
        title=html.escape(title), app=html.escape(app), static=STATIC_PREFIX, script=script,
        data=attrs, nav=links if logout else "",
        logout='<button id="logout" type="button" class="secondary">Log out</button>'
        if logout else "",
        body=body if body is not None else _package_text("pages", f"{page}.html"))


def page_response(content: str) -> HTMLResponse:
    """Return ``content`` as an uncached HTML response with the security headers."""
    return HTMLResponse(content, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})


def add_page_routes(router: APIRouter, base: str, home: str, pages: Sequence[NavItem],
                    page: Callable[[str, str], HTMLResponse]) -> None:
    """Add ``base`` (redirects to ``home``), ``base/login`` and one GET route per nav page."""

    def redirect_home() -> RedirectResponse:
        return RedirectResponse(home, status_code=303)

    def login() -> HTMLResponse:
        return page("login", "Log in")

    def page_view(item: NavItem) -> Callable[[], HTMLResponse]:
        def view() -> HTMLResponse:
            return page(item.page, item.title)
        return view

    router.add_api_route(base, redirect_home, methods=["GET"])
    router.add_api_route(base + "/", redirect_home, methods=["GET"])
    router.add_api_route(base + "/login", login, methods=["GET"], response_class=HTMLResponse)
    for item in pages:
        router.add_api_route(item.href, page_view(item), methods=["GET"],
                             response_class=HTMLResponse)


def static_router() -> APIRouter:
    """Return the route serving the console's JS and CSS (public: they hold no data)."""
    assets = load_static()
    router = APIRouter(include_in_schema=False)

    @router.get(STATIC_PREFIX + "/{name}")
    def static(name: str) -> Response:
        body = assets.get(name)
        if body is None:
            raise HTTPException(404, "no such asset")
        suffix = name[name.rindex("."):]
        return Response(body, media_type=_STATIC_TYPES[suffix],
                        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})

    return router
