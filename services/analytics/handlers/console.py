"""The operations console: one page (KPIs, charts, the live case list, a case's timeline,
the what-if replay) drawn in the browser from analytics' own reports. Chart.js is vendored
(`make console-vendor` refreshes it): the page works on a machine with no internet.

The page and its files are open to all: they hold no data. The data comes from analytics'
routes, with the token of whoever signed in (`sign_in.py`); signed out, the page offers
the sign-in."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from shared.edge import page_headers
from shared.identity import public

router = APIRouter(tags=["console"])
# The page and its files hold no data: what they show comes from the API, signed in.
OPEN = public("the console's page and assets; its data needs a signed-in session")

PAGE = Path(__file__).resolve().parents[1] / "console"
ASSETS = {
    "console.js": "text/javascript",
    "console.css": "text/css",
    "vendor/chart.umd.min.js": "text/javascript",
}


# Scripts and styles only from the console's own files; data only from its own API.
HEADERS = page_headers(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'"
)


OPEN = public("the console's own page and files: no data in them")


@router.get("/", include_in_schema=False, dependencies=[OPEN])
async def home() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get(
    "/console",
    summary="The operations console",
    response_class=FileResponse,
    dependencies=[OPEN],
)
async def console() -> FileResponse:
    return FileResponse(PAGE / "index.html", media_type="text/html", headers=HEADERS)


@router.get("/console/assets/{name:path}", include_in_schema=False, dependencies=[OPEN])
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:  # only the page's own files, never a path into the disk
        raise HTTPException(404, f"no console asset {name}")
    return FileResponse(PAGE / name, media_type=ASSETS[name], headers=HEADERS)
