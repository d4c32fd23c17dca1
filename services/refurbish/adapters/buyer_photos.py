"""The photos a buyer added to their case, kept by intake (`GET /cases/{id}/photos` and
`GET /cases/{id}/photos/{photo_id}`, as the refurbish service): the technician sees what the buyer
saw before opening the parcel. Nothing is copied here; each look asks intake.

How intake's answers are read: a 404 is "none" (intake holds no such case or photo); no
answer, or any other status, is `Unavailable` (ask again later)."""

from dataclasses import dataclass

import httpx

from shared.outbound import Unavailable, retry_after_of

SYSTEM = "intake"


@dataclass(frozen=True)
class BuyerPhoto:
    photo_id: str
    content_type: str
    size: int
    uploaded_at: str


class BuyerPhotos:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def of_case(self, case_id: str) -> list[BuyerPhoto]:
        """The case's photos, oldest first; none when intake holds no such case."""
        answer = await self._get(f"/cases/{case_id}/photos")
        if answer is None:
            return []
        try:
            return [
                BuyerPhoto(
                    str(photo["photo_id"]),
                    str(photo["content_type"]),
                    int(photo["size"]),
                    str(photo["uploaded_at"]),
                )
                for photo in answer.json()
            ]
        except (ValueError, KeyError, TypeError):
            raise Unavailable(SYSTEM, "the photos list answered no list of photos") from None

    async def content(self, case_id: str, photo_id: str) -> tuple[str, bytes] | None:
        """One photo's type and bytes; None when the case has no such photo."""
        answer = await self._get(f"/cases/{case_id}/photos/{photo_id}")
        if answer is None:
            return None
        return answer.headers.get("content-type", "application/octet-stream"), answer.content

    async def _get(self, path: str) -> httpx.Response | None:
        try:
            answer = await self.client.get(path)
        except httpx.HTTPError as failure:
            raise Unavailable(SYSTEM, f"the buyer's photos are unreachable: {failure}") from None
        if answer.status_code == 404:
            return None
        if not answer.is_success:
            raise Unavailable(
                SYSTEM,
                f"the buyer's photos answered {answer.status_code}",
                answer.status_code,
                retry_after_of(answer),
            )
        return answer
