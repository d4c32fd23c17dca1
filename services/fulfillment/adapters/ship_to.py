"""The buyer's address, asked of intake's narrow lookup when a task is routed (its
postcode picks the carrier zone) or a label is drawn; it is never stored here nor put on
an event."""

from typing import Annotated

import httpx
from fastapi import Depends, HTTPException

from shared.labels import PostalAddress
from shared.service import CurrentService

COUNTRY_CODE_ALIASES = {"UK": "GB"}


class AddressUnknown(Exception):
    """Intake holds no address for the case: erased, or the marketplace never gave one."""


class LookupUnavailable(Exception):
    """Intake could not answer now; ask again later."""


class ShipToLookup:
    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def address_of(self, case_id: str) -> PostalAddress:
        try:
            answer = await self.client.get(f"/cases/{case_id}/ship-to", headers=self.headers)
        except httpx.HTTPError as failure:
            raise LookupUnavailable(f"intake's ship-to lookup is unreachable: {failure}") from None
        if answer.status_code == 404:
            raise AddressUnknown(f"intake holds no address for case {case_id}: {_why(answer)}")
        if not answer.is_success:
            raise LookupUnavailable(f"intake's ship-to lookup answered {answer.status_code}")
        return postal_address(answer.json())

    async def address_for_request(self, case_id: str) -> PostalAddress:
        """The address, or the HTTP error a route passes on: 410 none, 503 not now."""
        try:
            return await self.address_of(case_id)
        except AddressUnknown as unknown:
            raise HTTPException(410, str(unknown)) from unknown
        except LookupUnavailable as unavailable:
            raise HTTPException(503, str(unavailable)) from unavailable


def postal_address(ship_to: dict) -> PostalAddress:
    address = ship_to["address"]
    country = address["country"].upper()
    return PostalAddress(
        name=ship_to.get("name") or "Customer",
        line1=address["line1"],
        line2=address.get("line2"),
        city=address["city"],
        region=address.get("region"),
        postal_code=address["postal_code"],
        country_code=COUNTRY_CODE_ALIASES.get(country, country),
    )


def _why(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("detail", ""))
    except ValueError:
        return answer.text[:200]


def ship_to_lookup(service: CurrentService) -> ShipToLookup:
    return service.context.ship_to


ShipTo = Annotated[ShipToLookup, Depends(ship_to_lookup)]
