"""A staff page: its language (asked, then its cookie's, then the browser's), the switch
kept in its cookie and only back to the page itself, its own files and the common ones but
no path into the disk, and its templates over the common layout."""

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.middleware.sessions import SessionMiddleware

from shared.staff_pages import HEADERS, Refusal, StaffPage

WORDS = {"title": "Shelf", "skip": "Skip", "nav": "Nav", "language": "Lang", "offline": "Off"}


@pytest.fixture
def client(tmp_path):
    (tmp_path / "base.html").write_text('{% extends "staff_base.html" %}')
    (tmp_path / "home.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="said">{{ said }}</p>{% endblock %}'
    )
    (tmp_path / "shelf.js").write_text("// the page's own")
    page = StaffPage(
        prefix="/shelf",
        folder=tmp_path,
        cookie="shelf_lang",
        assets={"shelf.js": "text/javascript"},
        say=lambda key, language, **facts: f"{WORDS[key]}[{language}]",
    )
    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key="a secret for the test")

    @app.get("/shelf")
    async def home(request: Request):
        return page.render(request, "home.html", 200, "/shelf", lambda lang: {"said": lang})

    app.get("/shelf/language/{lang}")(page.choose_language)
    app.get("/shelf/assets/{name}")(page.asset)
    return TestClient(app, follow_redirects=False)


def test_the_language_asked_then_the_cookies_then_the_browsers_else_english(client):
    said = lambda answer: answer.text.split('<p id="said">')[1].split("<")[0]  # noqa: E731
    assert said(client.get("/shelf", params={"lang": "fr"})) == "fr"
    assert said(client.get("/shelf", headers={"accept-language": "es-ES,es;q=0.9"})) == "es"
    client.cookies.set("shelf_lang", "de")
    assert said(client.get("/shelf", headers={"accept-language": "es"})) == "de"
    client.cookies.clear()
    assert said(client.get("/shelf", headers={"accept-language": "ja"})) == "en"


def test_a_page_is_drawn_in_the_common_layout_with_the_pages_headers(client):
    answer = client.get("/shelf", params={"lang": "de"})
    assert answer.status_code == 200
    assert '<html lang="de">' in answer.text and "<title>Shelf[de]</title>" in answer.text
    assert 'href="/shelf/assets/staff.css"' in answer.text
    assert 'href="/shelf/language/fr?back=/shelf"' in answer.text
    assert answer.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert answer.headers["cache-control"] == "no-store"


def test_the_language_is_kept_a_year_and_the_way_back_stays_on_the_page(client):
    answer = client.get("/shelf/language/es", params={"back": "/shelf/items?x=1"})
    assert answer.status_code == 303 and answer.headers["location"] == "/shelf/items?x=1"
    assert "shelf_lang=es" in answer.headers["set-cookie"]
    assert "Max-Age=31536000" in answer.headers["set-cookie"]
    for elsewhere in ("https://evil.example/", "//evil.example/shelf", "/other"):
        answer = client.get("/shelf/language/fr", params={"back": elsewhere})
        assert answer.headers["location"] == "/shelf"
    refused = client.get("/shelf/language/it", params={"back": "/shelf"})
    assert refused.status_code == 404 and "not it" in refused.json()["detail"]


def test_its_own_files_and_the_common_ones_but_no_other(client):
    own = client.get("/shelf/assets/shelf.js")
    assert own.status_code == 200 and own.text == "// the page's own"
    assert own.headers["content-type"].startswith("text/javascript")
    common = client.get("/shelf/assets/staff.css")
    assert common.status_code == 200 and ":root" in common.text
    for other in ("base.html", "staff_base.html", "staff_pages.py", "floor.css"):
        answer = client.get(f"/shelf/assets/{other}")
        assert answer.status_code == 404 and answer.json()["detail"] == f"no shelf asset {other}"


def test_a_refusal_carries_its_status_and_reason():
    refusal = Refusal(409, "picked already")
    assert (refusal.status, refusal.reason, str(refusal)) == (
        409,
        "picked already",
        "picked already",
    )
