"""The services' recovery APIs, asked on the console's behalf with the caller's own
credentials: every service's dead letters (`shared/recovery.py`), intake's failed
deliveries and failed calls.

As for the what-if page (`resolution_api.py`), the question goes with the caller's own
token, never one of analytics': the owning service checks what the caller may see and do,
filters its sellers' data, and keeps the change in its audit trail. Its answer is passed on
as it came; only no answer at all is an error: `Unavailable`.
"""

from dataclasses import dataclass

import httpx

from services.analytics.adapters.resolution_api import Answer
from shared.outbound import Unavailable


@dataclass(frozen=True)
class RecoveryApi:
    """One service's API."""

    service: str
    client: httpx.AsyncClient

    async def ask(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes | None,
        authorization: str | None,
    ) -> Answer:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if authorization:
            headers["Authorization"] = authorization
        url = httpx.URL(path, query=query.encode())
        request = self.client.build_request(method, url, content=body, headers=headers)
        try:
            answer = await self.client.send(request)
        except httpx.HTTPError as failure:
            raise Unavailable(self.service, str(failure)) from None
        media_type = answer.headers.get("content-type", "application/json")
        return Answer(answer.status_code, answer.content, media_type)
