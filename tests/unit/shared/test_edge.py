import re
from urllib.parse import parse_qsl

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared import edge
from shared.settings import ServiceSettings

LIMIT = 2048


class Note(BaseModel):
    text: str


def app_with_edge() -> FastAPI:
    app = FastAPI()

    @app.get("/notes/{name}")
    async def read(name: str, q: str = "") -> dict:
        return {"name": name, "q": q}

    @app.post("/notes")
    async def write(note: Note) -> dict:
        if not note.text:
            raise HTTPException(422, "a note says something")
        return {"text": note.text}

    @app.post("/forms")
    async def form(request: Request) -> dict:
        return {"fields": dict(parse_qsl((await request.body()).decode()))}

    @app.post("/files")
    async def upload(request: Request) -> dict:
        return {"size": len(await request.body())}

    @app.post("/uploads/{name}")
    async def big_upload(request: Request) -> dict:
        return {"size": len(await request.body())}

    edge.guard(app, edge.BodyLimits(LIMIT, ((re.compile(r"/uploads/"), 4 * LIMIT),)))
    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=app_with_edge())
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        yield client


@pytest.mark.parametrize(
    "url",
    ["/notes/a%00b", "/notes/a%0Db", "/notes/x?q=%00", "/notes/x?q=line%0Abreak", "/notes/%7F"],
)
async def test_a_control_character_in_the_url_is_refused(client, url):
    answer = await client.get(url)
    assert answer.status_code == 422
    assert "control character" in answer.json()["detail"]


async def test_a_browser_is_refused_with_a_page(client):
    answer = await client.get("/notes/x?q=%00", headers={"accept": "text/html,*/*;q=0.8"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "The query string holds a control character" in answer.text


async def test_a_clean_url_and_any_unicode_pass(client):
    answer = await client.get("/notes/caf%C3%A9", params={"q": "日本語 ½ 🙂"})
    assert answer.json() == {"name": "café", "q": "日本語 ½ 🙂"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "a\\u0000b"}',
        b'{"text": "a\\\\\\u0000b"}',  # an escaped backslash, then the NUL escape
        b'{"text": "a\x00b"}',
    ],
)
async def test_a_nul_in_a_json_body_is_refused(client, body):
    answer = await client.post("/notes", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "the body holds a NUL character"


async def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(client):
    body = b'{"text": "C:\\\\u0000"}'  # the six characters \u0000 after a backslash
    answer = await client.post("/notes", content=body, headers={"content-type": "application/json"})
    assert answer.json() == {"text": "C:\\u0000"}


async def test_a_nul_split_across_chunks_is_seen(client):
    async def chunks():
        yield b'{"text": "a\\u00'
        yield b'00b"}'

    answer = await client.post(
        "/notes", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422


async def test_a_nul_in_a_form_is_refused_and_a_clean_form_passes(client):
    refused = await client.post("/forms", data={"answer": "accept\x00"})
    assert refused.status_code == 422
    assert (await client.post("/forms", data={"answer": "accept"})).json() == {
        "fields": {"answer": "accept"}
    }


async def test_binary_multipart_bodies_are_left_to_their_routes(client):
    answer = await client.post("/files", files={"photo": ("p.jpg", b"\xff\xd8\x00\x00\xff\xd9")})
    assert answer.status_code == 200


async def test_the_document_says_a_422_may_carry_a_reason(client):
    answer = await client.post("/notes", json={"text": ""})
    assert answer.status_code == 422 and answer.json() == {"detail": "a note says something"}
    schema = (await client.get("/openapi.json")).json()
    detail = schema["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    assert {"type": "string"} in detail["anyOf"]
    assert {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}} in (
        detail["anyOf"]
    )


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_the_docs_only_outside_production_and_never_from_a_cdn(environment):
    settings = ServiceSettings(environment=environment)
    app = edge.documented_app("after-sales test", settings, lifespan=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        docs = await client.get("/docs")
        if environment == "production":
            assert docs.status_code == (await client.get("/redoc")).status_code == 404
            return
        assert docs.status_code == 200 and "cdn" not in docs.text
        script = docs.text.split('<script src="')[1].split('"')[0]
        assert script.startswith("/") and (await client.get(script)).status_code == 200
        assert "cdn" not in (await client.get("/redoc")).text


def test_a_page_is_never_framed_sniffed_or_named_in_a_referer():
    headers = edge.page_headers("default-src 'self'")
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert (headers["X-Content-Type-Options"], headers["Referrer-Policy"]) == (
        "nosniff",
        "no-referrer",
    )


async def test_a_body_past_its_limit_is_refused_before_it_is_read(client):
    declared = await client.post("/notes", content=b"x" * (LIMIT + 1))
    assert declared.status_code == 413
    assert declared.json() == {
        "error": "body_too_large",
        "detail": f"the body is larger than {LIMIT} bytes",
    }
    fits = await client.post("/notes", json={"text": "y" * (LIMIT - 20)})
    assert fits.status_code == 200


async def test_a_streamed_body_is_counted_as_it_comes(client):
    received = []

    async def chunks():
        for _ in range(10):
            received.append(1)
            yield b"z" * 1024

    answer = await client.post("/files", content=chunks())
    assert answer.status_code == 413 and len(received) <= 4


async def test_a_route_with_a_larger_limit_takes_a_larger_body(client):
    assert (await client.post("/uploads/a", content=b"u" * (3 * LIMIT))).json() == {
        "size": 3 * LIMIT
    }
    assert (await client.post("/uploads/a", content=b"u" * (4 * LIMIT + 1))).status_code == 413
    assert (await client.post("/files", content=b"u" * (3 * LIMIT))).status_code == 413


def app_whose_database_fails(error: Exception) -> FastAPI:
    app = FastAPI()

    @app.get("/cases")
    async def cases() -> dict:
        raise error

    edge.guard(app, edge.BodyLimits(LIMIT, ()))
    return app


def asyncpg_error(error: Exception) -> DBAPIError:
    """An asyncpg error as SQLAlchemy raises it: wrapped twice, its SQLSTATE kept."""
    adapted = AsyncAdapt_asyncpg_dbapi.Error(str(error))
    adapted.pgcode = adapted.sqlstate = getattr(error, "sqlstate", None)
    return DBAPIError("SELECT 1", {}, adapted)


@pytest.mark.parametrize(
    "error",
    [
        PoolTimeout("QueuePool limit of size 8 overflow 0 reached, connection timed out"),
        asyncpg_error(asyncpg.exceptions.CannotConnectNowError("the database is starting up")),
        asyncpg_error(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        asyncpg_error(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        ConnectionRefusedError(111, "connection refused"),
    ],
    ids=["pool exhausted", "starting up", "shutting down", "no slot left", "refused"],
)
async def test_a_database_out_of_reach_or_busy_is_a_503_to_come_back_to(error):
    transport = httpx.ASGITransport(app=app_whose_database_fails(error))
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        answer = await client.get("/cases")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == str(edge.DATABASE_RETRY_AFTER_SECONDS)
    assert answer.json()["error"] == "unavailable"


async def test_a_wrong_statement_is_still_a_server_error():
    error = asyncpg_error(asyncpg.exceptions.PostgresSyntaxError("syntax error at or near"))
    transport = httpx.ASGITransport(app=app_whose_database_fails(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        answer = await client.get("/cases")
    assert answer.status_code == 500
