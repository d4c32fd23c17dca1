"""Back-pressure at a service's door: a bound on the requests of some routes in flight in
one process. Past it, a request is answered 503 with Retry-After at once, before anything
is read or checked, so that the requests already admitted still get their answers within
seconds when the process is short of CPU, and a sender (a marketplace) delivers again
later instead of waiting for a timeout.
"""

import json
import re

from starlette.types import ASGIApp, Receive, Scope, Send


class InFlightLimit:
    """Pure ASGI middleware: at most `most` requests whose path matches `paths` at once."""

    def __init__(self, app: ASGIApp, paths: str, most: int, retry_after_seconds: int) -> None:
        self.app = app
        self.paths = re.compile(paths)
        self.most = most
        self.retry_after = str(retry_after_seconds).encode()
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.paths.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.most:
            await self._refuse(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"{self.most} requests in flight already: deliver again later"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", self.retry_after),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
