"""The worker that gives unused labels back to the carrier: a task given up after its label
was bought, or shipped under another tracking number. Each is read back before a refund is
asked for, so none is asked twice; while EasyPost cannot answer it is tried again later."""

from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.domain.carrier_labels import VOID_OWED
from services.fulfillment.tables import CarrierLabel
from services.fulfillment.workflows import labelling
from services.fulfillment.workflows.labelling import LABELS_CHANNEL
from shared.leases import LeasedWork
from shared.service import Service


class LabelVoider(LeasedWork[CarrierLabel]):
    def __init__(self, service: Service, labels: CarrierLabels) -> None:
        self.labels = labels
        super().__init__(
            "label voids", LABELS_CHANNEL, service, CarrierLabel, self._void, pending=VOID_OWED
        )

    async def _void(self, row: CarrierLabel) -> None:
        await labelling.void_label(self.service, self.labels, row)
