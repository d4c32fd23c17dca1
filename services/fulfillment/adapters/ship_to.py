"""Intake's narrow ship-to lookup (`GET /cases/{id}/ship-to`): the buyer's address, asked
when a task is routed (its postcode picks the carrier zone) or a label is drawn; it is
never stored here nor put on an event.

How its answers are read: 404 is `Refused` (intake holds no address: erased, or the
marketplace never gave one); no answer, or any other failure, is `Unavailable` (ask again
later), even a 401 (the service not yet known to the issuer)."""

import httpx

from shared.labels import PostalAddress
from shared.outbound import Refused, Unavailable, excerpt, retry_after_of

SYSTEM = "intake"
COUNTRY_CODE_ALIASES = {"UK": "GB"}


class ShipToLookup:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def address_of(self, case_id: str) -> PostalAddress:
        try:
            answer = await self.client.get(f"/cases/{case_id}/ship-to")
        except httpx.HTTPError as failure:
            raise Unavailable(SYSTEM, f"the ship-to lookup is unreachable: {failure}") from None
        if answer.status_code == 404:
            reason = f"holds no address for case {case_id}: {_why(answer)}"
            raise Refused(SYSTEM, reason, 404)
        if not answer.is_success:
            raise Unavailable(
                SYSTEM,
                f"the ship-to lookup answered {answer.status_code}",
                answer.status_code,
                retry_after_of(answer),
            )
        return postal_address(answer.json())


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
        return excerpt(answer)
