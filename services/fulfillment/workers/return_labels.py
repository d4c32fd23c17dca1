"""The worker that buys the return labels owed to decided returns from the carrier: the
buyer's address from intake's lookup (never stored), then the label from EasyPost, then
the return issued with its tracking number. While intake or EasyPost cannot answer, it
tries again after a growing pause; after the last attempt, or when either says no, the
label is listed as failed with its cause (`GET /carrier-labels?state=failed`), to be owed
again by an agent."""

import logging

from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.domain.carrier_labels import OWED, LabelKind
from services.fulfillment.domain.carriers import ShippingRefused
from services.fulfillment.tables import CarrierLabel
from services.fulfillment.workflows import labelling
from services.fulfillment.workflows.context import Fulfillment
from services.fulfillment.workflows.labelling import LABELS_CHANNEL
from shared.leases import LeasedWork
from shared.outbound import Refused, Unavailable
from shared.service import Service

log = logging.getLogger(__name__)


class ReturnLabelBuyer(LeasedWork[CarrierLabel]):
    def __init__(self, service: Service, labels: CarrierLabels) -> None:
        self.labels = labels
        self.max_attempts = service.settings.carrier_label_max_attempts
        super().__init__(
            "return labels",
            LABELS_CHANNEL,
            service,
            CarrierLabel,
            self._buy,
            pending=OWED,
            due=(CarrierLabel.kind == LabelKind.RETURN,),
        )

    async def _buy(self, owed: CarrierLabel) -> None:
        fulfillment: Fulfillment = self.service.context
        try:
            buyer = await fulfillment.ship_to.address_of(owed.case_id)
            bought = await labelling.return_label(self.service, self.labels, owed, buyer)
        except Unavailable as failure:
            await self._later(owed, failure)
            return
        except (Refused, ShippingRefused) as refusal:
            log.warning(
                "return label %s of case %s failed: %s", owed.reference, owed.case_id, refusal
            )
            await labelling.fail(self.service, owed.reference, str(refusal))
            return
        await labelling.issue_bought_return_label(self.service, owed.reference, bought)

    async def _later(self, owed: CarrierLabel, failure: Unavailable) -> None:
        if owed.attempts < self.max_attempts:
            log.info("return label %s waits: %s", owed.reference, failure)
            await labelling.try_later(self.service, owed.reference, owed.attempts, failure.reason)
            return
        cause = f"still unanswered after {owed.attempts} tries: {failure}"
        log.warning("return label %s of case %s failed: %s", owed.reference, owed.case_id, cause)
        await labelling.fail(self.service, owed.reference, cause)
