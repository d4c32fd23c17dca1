"""A seller's account on one channel: which seller a delivery is for, and the credentials
its deliveries are verified with (`secrets`) and completed with (API tokens). Pure data;
`workflows/accounts.py` keeps them."""

from dataclasses import dataclass
from typing import Any

from services.intake.domain.case import Channel


@dataclass(frozen=True)
class Account:
    channel: Channel
    account: str  # the channel's key of the seller: shop domain, eBay user, partner id...
    seller: str
    default_market: str | None
    credentials: dict[str, Any]

    @property
    def secrets(self) -> list[str]:
        return list(self.credentials.get("secrets", []))
