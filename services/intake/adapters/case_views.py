"""What resolution and fulfillment say of a case, for the buyer's page: their narrow
`GET /cases/{id}/buyer-view` routes, asked as the intake service on behalf of a buyer
holding a valid link.

Intake asks at each page view rather than keeping copies from events: the page shows
the offer as resolution holds it this second (open, or just taken), with the legal
notices in every language the buyer may switch to, and nothing is stored twice. A 404 is
None (the other service has not seen the case yet); no answer, or any other status, is
`Unavailable` (the page shows what intake holds and says the rest is not there now)."""

from typing import Any

import httpx

from shared.outbound import Unavailable, retry_after_of


class CaseViews:
    def __init__(
        self,
        resolution: httpx.AsyncClient,
        fulfillment: httpx.AsyncClient,
    ) -> None:
        self.resolution = resolution
        self.fulfillment = fulfillment

    async def offers(self, case_id: str) -> dict[str, Any] | None:
        """Resolution's view: its state, remedy decided, offers (the open one with its
        notices), refunds."""
        return await self._ask(self.resolution, "resolution", case_id)

    async def parcels(self, case_id: str) -> dict[str, Any] | None:
        """Fulfillment's view: the return parcel and the shipments to the buyer."""
        return await self._ask(self.fulfillment, "fulfillment", case_id)

    async def _ask(
        self, client: httpx.AsyncClient, system: str, case_id: str
    ) -> dict[str, Any] | None:
        try:
            answer = await client.get(f"/cases/{case_id}/buyer-view")
        except httpx.HTTPError as failure:
            raise Unavailable(system, f"the buyer view is unreachable: {failure}") from None
        if answer.status_code == 404:
            return None
        if not answer.is_success:
            raise Unavailable(
                system,
                f"the buyer view answered {answer.status_code}",
                answer.status_code,
                retry_after_of(answer),
            )
        try:
            return answer.json()
        except ValueError:
            raise Unavailable(system, "the buyer view answered no JSON") from None

    async def return_label(self, rma_id: str) -> bytes | None:
        """The return's prepaid label (PDF) from fulfillment; None when it has none."""
        try:
            answer = await self.fulfillment.get(f"/returns/{rma_id}/label.pdf")
        except httpx.HTTPError as failure:
            raise Unavailable("fulfillment", f"the label is unreachable: {failure}") from None
        if answer.status_code == 404:
            return None
        if not answer.is_success:
            raise Unavailable(
                "fulfillment", f"the label answered {answer.status_code}", answer.status_code
            )
        return answer.content

    async def book_pickup(self, rma_id: str, window: dict[str, str]) -> str | None:
        """Book the carrier's pickup in `window` (day, starts, ends); None when booked,
        else fulfillment's reason for refusing it (a window gone, a parcel received)."""
        try:
            answer = await self.fulfillment.post(f"/returns/{rma_id}/pickup", json=window)
        except httpx.HTTPError as failure:
            raise Unavailable("fulfillment", f"the pickup is unreachable: {failure}") from None
        if answer.is_success:
            return None
        if answer.status_code in (404, 409, 422):
            try:
                return str(answer.json().get("detail", ""))
            except ValueError:
                return answer.text[:200]
        raise Unavailable(
            "fulfillment",
            f"the pickup answered {answer.status_code}",
            answer.status_code,
            retry_after_of(answer),
        )
