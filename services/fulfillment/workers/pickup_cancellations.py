"""The worker that cancels the carrier pickups a return's pickup was moved away from, so
the carrier never comes twice; while EasyPost cannot answer (or refuses) it tries again
after a growing pause, with the cause kept on the booking."""

from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.domain.carrier_pickups import CANCEL_OWED
from services.fulfillment.tables import CarrierPickup
from services.fulfillment.workflows import carrier_pickups
from services.fulfillment.workflows.carrier_pickups import PICKUPS_CHANNEL
from shared.leases import LeasedWork
from shared.service import Service


class PickupCanceller(LeasedWork[CarrierPickup]):
    def __init__(self, service: Service, pickups: CarrierPickups) -> None:
        self.pickups = pickups
        super().__init__(
            "pickup cancellations",
            PICKUPS_CHANNEL,
            service,
            CarrierPickup,
            self._cancel,
            pending=CANCEL_OWED,
        )

    async def _cancel(self, row: CarrierPickup) -> None:
        await carrier_pickups.cancel(self.service, self.pickups, row)
