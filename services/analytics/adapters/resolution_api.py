"""Resolution's API, asked on the console's behalf, with the caller's own credentials: the
seller's policy in force, a period's cases replanned under a proposed policy (resolution's
what-if), and the seller's troubleshooting guides (to publish one to a listing).

Each question goes with the caller's own token, never one of analytics': resolution checks
what the caller may see and do. Analytics passes resolution's answer on as it came,
whatever its status (a 403 for a caller who may not replan, a 404 for another seller's
policy, a 422 for a bad question): resolution is the one to say. Only no answer at all is
an error: `Unavailable`.
"""

from dataclasses import dataclass

import httpx

from shared.outbound import Unavailable

SYSTEM = "resolution"


@dataclass(frozen=True)
class Answer:
    """Resolution's answer, to pass on."""

    status: int
    content: bytes
    media_type: str


@dataclass(frozen=True)
class ResolutionApi:
    client: httpx.AsyncClient

    async def policy_in_force(self, seller: str, authorization: str | None) -> Answer:
        headers = {"Authorization": authorization} if authorization else {}
        return await self._ask(
            self.client.build_request("GET", f"/policies/{seller}", headers=headers)
        )

    async def guides_of(self, seller: str, authorization: str | None) -> Answer:
        headers = {"Authorization": authorization} if authorization else {}
        return await self._ask(
            self.client.build_request("GET", f"/guides/{seller}", headers=headers)
        )

    async def what_if(self, seller: str, question: bytes, authorization: str | None) -> Answer:
        """The question (a JSON body) asked with the caller's own Authorization."""
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        request = self.client.build_request(
            "POST", f"/what-if/{seller}", content=question, headers=headers
        )
        return await self._ask(request)

    async def _ask(self, request: httpx.Request) -> Answer:
        try:
            answer = await self.client.send(request)
        except httpx.HTTPError as failure:
            raise Unavailable(SYSTEM, str(failure)) from None
        media_type = answer.headers.get("content-type", "application/json")
        return Answer(answer.status_code, answer.content, media_type)
