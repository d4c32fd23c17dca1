"""Fulfillment's context: what its routes and workers share while it runs (built by
`app.py`), and the dependency that hands it to a route."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from shared.service import context_of


@dataclass
class Fulfillment:
    """Intake's ship-to lookup (routing and labels), the sender of tasks to the warehouse
    systems' webhooks, and the carrier's labels and pickups (EasyPost) when an account is
    set: without one, tracking numbers are minted and labels drawn here."""

    ship_to: ShipToLookup
    warehouse_webhooks: WarehouseWebhooks
    labels: CarrierLabels | None = None
    pickups: CarrierPickups | None = None


CurrentFulfillment = Annotated[Fulfillment, Depends(context_of)]
