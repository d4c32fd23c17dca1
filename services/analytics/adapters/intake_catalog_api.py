"""Intake's catalog API, read for the listing audit with the caller's own credentials:
the seller's products, each variant with its listing content per market (what intake read
from the marketplaces: title, bullets, description, size chart, attributes).

Intake owns the catalog and walls it by the caller's sellers; analytics asks with the
caller's token, never one of its own, so it can never read a listing the caller could not.
A refusal (401, 403) is passed on as `Refused` with intake's status; no answer at all is
`Unavailable`.
"""

from dataclasses import dataclass
from typing import Any

import httpx

from shared.outbound import Refused, Unavailable

SYSTEM = "intake"
MOST_PRODUCTS = 500  # intake's page ceiling (`GET /catalog/products?limit=`)


@dataclass(frozen=True)
class IntakeCatalogApi:
    client: httpx.AsyncClient

    async def products_of(self, seller: str, authorization: str | None) -> list[dict[str, Any]]:
        """The seller's products with their variants, as intake lists them to the caller."""
        headers = {"Authorization": authorization} if authorization else {}
        params = {"account": seller, "limit": str(MOST_PRODUCTS)}
        try:
            answer = await self.client.get("/catalog/products", params=params, headers=headers)
        except httpx.HTTPError as failure:
            raise Unavailable(SYSTEM, str(failure)) from None
        if answer.status_code >= 500:
            raise Unavailable(SYSTEM, f"intake answered {answer.status_code}")
        if answer.status_code != 200:
            raise Refused(
                SYSTEM, f"intake answered {answer.status_code}", status=answer.status_code
            )
        products = answer.json()
        if not isinstance(products, list):
            raise Unavailable(SYSTEM, "intake's catalog answer is not a list")
        return products
