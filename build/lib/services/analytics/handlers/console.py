"""The operations console: one page (KPIs, charts, the live case list, a case's timeline,
the what-if replay) drawn in the browser from analytics' own reports. Chart.js is vendored
(`make console-vendor` refreshes it): the page works on a machine with no internet."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

router = APIRouter(tags=["console"])

PAGE = Path(__file__).resolve().parents[1] / "console"
ASSETS = {
    "console.js": "text/javascript",
    "console.css": "text/css",
    "vendor/chart.umd.min.js": "text/javascript",
}


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console", summary="The operations console", response_class=FileResponse)
async def console() -> FileResponse:
    return FileResponse(PAGE / "index.html", media_type="text/html")


@router.get("/console/assets/{name:path}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:  # only the page's own files, never a path into the disk
        raise HTTPException(404, f"no console asset {name}")
    return FileResponse(PAGE / name, media_type=ASSETS[name])
