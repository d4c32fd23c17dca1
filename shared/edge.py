"""What every service's HTTP edge refuses before a route sees it, and what its OpenAPI
document says of the refusals.

- A NUL or another control character in the path or the query string, and a NUL in a
  JSON or form body (PostgreSQL's text holds no NUL), is answered 422 with the reason.
  Multipart bodies (photos, files) are binary and left to their routes.
  A browser (it accepts text/html) is answered with a short page saying so.
- A 422 is either FastAPI's list of validation errors or a route's own reason as one
  string; the document says both, so that a client (and the fuzzing test) may rely on it.
"""

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class RefuseControlCharacters:
    """ASGI middleware: the 422s of the module's first point."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if reason := reason_in_url(scope):
            await refuse(send, reason, scope)
            return
        pattern = body_pattern(scope)
        if pattern is None:
            await self.app(scope, receive, send)
            return
        await BodyWatch(pattern, scope, receive, send).run(self.app)


class BodyWatch:
    """Reads the body as the route asks for it; at the first NUL the client is answered
    422 and the route is told the client left (its own answer, if any, goes nowhere)."""

    def __init__(self, pattern: re.Pattern[bytes], scope: Scope, receive: Receive, send: Send):
        self.pattern = pattern
        self.scope = scope
        self._receive = receive
        self._send = send
        self.tail = b""
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
        seen = self.tail + chunk
        if b"\x00" in chunk or self.pattern.search(seen):
            self.refused = True
            if not self.started:
                await refuse(self._send, "the body holds a NUL character", self.scope)
            return {"type": "http.disconnect"}
        self.tail = seen[-LOOKBEHIND:]
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        self.started = True
        await self._send(message)


PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Not understood</title><h1>This address could not be read</h1><p>{reason}. "
    "Please open the link from your message again.</p></html>"
)


async def refuse(send: Send, reason: str, scope: Scope) -> None:
    accept = dict(scope.get("headers") or ()).get(b"accept", b"")
    if b"text/html" in accept:
        body, kind = PAGE.format(reason=reason.capitalize()).encode(), b"text/html; charset=utf-8"
    else:
        body, kind = json.dumps({"detail": reason}).encode(), b"application/json"
    headers = [(b"content-type", kind), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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


def guard(app: FastAPI) -> None:
    app.add_middleware(RefuseControlCharacters)
    document_reasons(app)
