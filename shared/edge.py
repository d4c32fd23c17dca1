"""What every service's HTTP edge refuses before a route sees it, and what its OpenAPI
document says of the refusals.

- A NUL or another control character in the path or the query string, and a NUL in a
  JSON or form body (PostgreSQL's text holds no NUL), is answered 422 with the reason.
  Multipart bodies (photos, files) are binary and left to their routes.
- A body larger than its route's limit is answered 413 before it is read: by its
  Content-Length, or as it streams in (`BodyLimits`: one default per service, larger for
  the routes that take uploads, mail or reports).
- A client over its rate limits is answered 429 the same way (`shared/rate_limits.py`).
- A browser (it accepts text/html) is answered with a short page instead of JSON.
- Pages for people (the console, the buyer's page) carry the same security headers:
  `page_headers(policy)` with the page's own Content-Security-Policy.
- A 422 is either FastAPI's list of validation errors or a route's own reason as one
  string; the document says both, so that a client (and the fuzzing test) may rely on it.
"""

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.database_errors import database_unreachable
from shared.settings import ServiceSettings

CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
# A JSON escape of NUL: "\u0000" after an even number of backslashes (an odd number in
# all, so that the backslash before the u is not itself escaped).
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
FORM_NUL = re.compile(rb"%00")
LOOKBEHIND = 64  # bytes of the previous chunk kept, so that an escape split in two is seen


def reason_in_url(scope: Scope) -> str | None:
    path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if CONTROL.search(unquote_to_bytes(path)):
        return "the path holds a control character"
    if CONTROL.search(unquote_to_bytes(scope.get("query_string", b""))):
        return "the query string holds a control character"
    return None


def body_pattern(scope: Scope) -> re.Pattern[bytes] | None:
    headers = dict(scope.get("headers") or ())
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if content_type == b"application/x-www-form-urlencoded":
        return FORM_NUL
    if content_type.startswith(b"multipart/"):
        return None
    return JSON_NUL  # JSON, text, XML, or unnamed: a raw NUL is refused below as well


def declared_length(scope: Scope) -> int | None:
    value = dict(scope.get("headers") or ()).get(b"content-length", b"")
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class BodyLimits:
    """The most bytes a request body may have: `default`, or the first of `larger` whose
    pattern matches the path (uploads, mail, reports)."""

    default: int
    larger: tuple[tuple[re.Pattern[str], int], ...] = ()

    def of(self, path: str) -> int:
        return next((most for pattern, most in self.larger if pattern.match(path)), self.default)


class Edge:
    """ASGI middleware: the refusals of the module's first two points."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if reason := reason_in_url(scope):
            await refuse(send, 422, reason, scope)
            return
        most = self.limits.of(scope["path"])
        if (declared_length(scope) or 0) > most:
            await refuse(send, 413, too_large(most), scope)
            return
        await BodyWatch(body_pattern(scope), most, scope, receive, send).run(self.app)


def too_large(most: int) -> str:
    return f"the body is larger than {most} bytes"


class BodyWatch:
    """Reads the body as the route asks for it; past the limit, or at the first NUL, the
    client is answered (413, 422) and the route is told the client left (its own answer,
    if any, goes nowhere)."""

    def __init__(
        self,
        pattern: re.Pattern[bytes] | None,
        most: int,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        self.pattern = pattern
        self.most = most
        self.scope = scope
        self._receive = receive
        self._send = send
        self.tail = b""
        self.size = 0
        self.refused = False
        self.started = False

    async def run(self, app: ASGIApp) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            if not self.refused:
                raise

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        self.size += len(chunk)
        if self.size > self.most:
            return await self.refusing(413, too_large(self.most))
        if self.pattern is not None:
            seen = self.tail + chunk
            if b"\x00" in chunk or self.pattern.search(seen):
                return await self.refusing(422, "the body holds a NUL character")
            self.tail = seen[-LOOKBEHIND:]
        return message

    async def refusing(self, status: int, reason: str) -> Message:
        self.refused = True
        if not self.started:
            await refuse(self._send, status, reason, self.scope)
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        self.started = True
        await self._send(message)


PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Not understood</title><h1>This request could not be taken</h1><p>{reason}. "
    "Please open the link from your message again.</p></html>"
)
ERRORS = {
    413: "body_too_large",
    422: "not_understood",
    429: "too_many_requests",
    503: "unavailable",
}


async def refuse(
    send: Send, status: int, reason: str, scope: Scope, extra: dict[str, str] | None = None
) -> None:
    accept = dict(scope.get("headers") or ()).get(b"accept", b"")
    if b"text/html" in accept:
        body, kind = PAGE.format(reason=reason.capitalize()).encode(), b"text/html; charset=utf-8"
    else:
        answer = {"error": ERRORS[status], "detail": reason}
        body, kind = json.dumps(answer).encode(), b"application/json"
    headers = [(b"content-type", kind), (b"content-length", b"%d" % len(body))]
    headers += [(name.encode(), value.encode()) for name, value in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def page_headers(content_security_policy: str) -> dict[str, str]:
    """A page is never framed, never sniffed, never named in a Referer."""
    return {
        "Content-Security-Policy": f"{content_security_policy}; base-uri 'none'; "
        "frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def document_reasons(app: FastAPI) -> None:
    """The app's OpenAPI document says a 422's detail may be a reason string."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, routes=app.routes, description=None
            )
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error:
                listed = {k: v for k, v in error["properties"]["detail"].items() if k != "title"}
                reason = {"type": "string"}
                error["properties"]["detail"] = {"anyOf": [listed, reason], "title": "Detail"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def documented_app(title: str, settings: ServiceSettings, lifespan: Any) -> FastAPI:
    """The service's FastAPI app; its interactive docs (/docs, /redoc) only outside
    production, their scripts served from a package (fastapi-offline), never a CDN."""
    development = settings.environment == "development"
    return FastAPIOffline(
        title=title,
        lifespan=lifespan,
        docs_url="/docs" if development else None,
        redoc_url="/redoc" if development else None,
    )


# How soon to ask a caller to come back when the database is out of reach or busy.
DATABASE_RETRY_AFTER_SECONDS = 5


async def database_out_of_reach(request: Request, error: Exception) -> JSONResponse:
    """A request the database cannot serve now (restarting, unreachable, every pooled
    connection taken past the pool's wait) is answered 503 with Retry-After, as the
    webhooks' back-pressure answers: the caller delivers again, nothing was stored."""
    if not database_unreachable(error):
        raise error  # a wrong statement: a 500, as any bug
    return JSONResponse(
        {"error": ERRORS[503], "detail": "the database is out of reach or busy: try again"},
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def guard(app: FastAPI, limits: BodyLimits) -> None:
    app.add_middleware(Edge, limits=limits)
    for unreachable in (DBAPIError, PoolTimeout, ConnectionError):
        app.add_exception_handler(unreachable, database_out_of_reach)
    document_reasons(app)
