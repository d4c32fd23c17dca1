"""What resolution's handlers and workers share while it runs: its clients of the outside
APIs. `app.py` builds it; a route asks for it as `CurrentResolution`."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.adapters.marketplace_refunds import MarketplaceRefunds
from shared.service import context_of


@dataclass
class Resolution:
    # None: not configured; refunds wait, pending, and parcels go untraced.
    refunds: MarketplaceRefunds | None
    tracking: CarrierTracking | None


CurrentResolution = Annotated[Resolution, Depends(context_of)]
