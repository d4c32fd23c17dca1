"""What the staff pages for the floor (fulfillment's warehouse page at /floor, refurbish's
bench page at /bench) share: the language chosen (asked, kept in a cookie, else the
browser's), the headers of every answer, the templates of the page's own folder over the
common ones of `shared/staff_pages/` (base layout, styles, script), and the routes for the
language switch and the page's files. Each page keeps its own words and templates in its
service."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.edge import page_headers
from shared.sign_in import form_token
from shared.staff_words import LANGUAGE_NAMES, LANGUAGES, browser_language, language_of

COMMON = Path(__file__).resolve().parent / "staff_pages"
COMMON_ASSETS = {"staff.js": "text/javascript", "staff.css": "text/css"}
YEAR = 365 * 24 * 3600
HEADERS = {
    "Cache-Control": "no-store",
    **page_headers(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        "connect-src 'self'; form-action 'self'"
    ),
}


class Refusal(Exception):
    """The page answers with a plain page saying why: its status and the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class StaffPage:
    """One staff page: its path, its folder of templates and files, its language cookie and
    its words (`say(key, language, **facts)`)."""

    prefix: str
    folder: Path
    cookie: str
    assets: Mapping[str, str]
    say: Callable[..., str]
    templates: Environment = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        loader = FileSystemLoader([self.folder, COMMON])
        templates = Environment(
            loader=loader, autoescape=select_autoescape(["html"]), auto_reload=False
        )
        object.__setattr__(self, "templates", templates)

    def language(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        accepted = browser_language(request.headers.get("accept-language", ""))
        return language_of(asked, request.cookies.get(self.cookie), accepted)

    def render(
        self,
        request: Request,
        template: str,
        status: int,
        here: str,
        facts: Callable[[str], Mapping[str, Any]],
    ) -> HTMLResponse:
        """The template in the request's language; `facts(language)` adds the page's own."""
        lang = self.language(request)
        page = self.templates.get_template(template).render(
            page=self.prefix,
            lang=lang,
            languages=LANGUAGE_NAMES,
            t=lambda key, **more: self.say(key, lang, **more),
            form_token=form_token(request),
            here=here,
            done=request.query_params.get("done"),
            **facts(lang),
        )
        return HTMLResponse(page, status_code=status, headers=HEADERS)

    def choose_language(self, lang: str, back: str) -> RedirectResponse:
        """Back to the page in `lang`, kept in the page's cookie for a year."""
        if lang not in LANGUAGES:
            raise HTTPException(404, f"the page speaks {', '.join(LANGUAGES)}, not {lang}")
        # Only back to the page itself: never a redirect to another site.
        own = back.startswith(self.prefix) and not back.startswith("//")
        answer = RedirectResponse(back if own else self.prefix, status_code=303, headers=HEADERS)
        answer.set_cookie(self.cookie, lang, max_age=YEAR, samesite="lax", httponly=True)
        return answer

    def asset(self, name: str) -> FileResponse:
        """One of the page's own files or the common ones, never a path into the disk."""
        if name in self.assets:
            return FileResponse(self.folder / name, media_type=self.assets[name], headers=HEADERS)
        if name in COMMON_ASSETS:
            return FileResponse(COMMON / name, media_type=COMMON_ASSETS[name], headers=HEADERS)
        raise HTTPException(404, f"no {self.prefix.strip('/')} asset {name}")
