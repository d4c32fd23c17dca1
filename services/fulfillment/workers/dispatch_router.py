"""The dispatch router: routes owed dispatches to warehouses, with the buyer's postcode
when intake has it (the region's farthest zones when it has none, or still cannot say
after a few tries)."""

import logging

from services.fulfillment.domain.dispatch_requests import PENDING
from services.fulfillment.tables import DispatchRequest
from services.fulfillment.workflows import dispatching
from services.fulfillment.workflows.context import Fulfillment
from shared.leases import LeasedWork
from shared.outbound import Refused, Unavailable
from shared.service import Service

log = logging.getLogger(__name__)

DISPATCH_CHANNEL = "dispatch_requests_due"
# Intake asked this many times before routing on the region's farthest zones instead.
LOOKUP_ATTEMPTS = 5


class DispatchRouter(LeasedWork[DispatchRequest]):
    def __init__(self, service: Service) -> None:
        super().__init__(
            "dispatch router",
            DISPATCH_CHANNEL,
            service,
            DispatchRequest,
            self._route,
            pending=PENDING,
        )

    async def _route(self, request: DispatchRequest) -> None:
        try:
            postal_code = await self._postal_code(request)
        except Unavailable as failure:
            await self._later(request, failure)
            return
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, request.case_id, "dispatch routed"),
        ):
            await dispatching.route(session, request.request_id, postal_code)

    async def _postal_code(self, request: DispatchRequest) -> str | None:
        """The buyer's postcode; None when intake holds no address, or still cannot say
        after LOOKUP_ATTEMPTS."""
        fulfillment: Fulfillment = self.service.context
        try:
            return (await fulfillment.ship_to.address_of(request.case_id)).postal_code
        except Refused:
            return None
        except Unavailable as failure:
            if request.attempts < LOOKUP_ATTEMPTS:
                raise
            log.warning("routing case %s without its postcode: %s", request.case_id, failure)
            return None

    async def _later(self, request: DispatchRequest, failure: Unavailable) -> None:
        log.info("dispatch of case %s waits for intake: %s", request.case_id, failure)
        async with self.service.transaction() as session:
            await dispatching.postpone(session, request)
