"""Asks the carrier about pending parcel traces (`workflows/parcel_tracing.py` settles
them); with no tracking API configured, or one that keeps failing, the plan goes on
untraced."""

from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.domain.tracing import ParcelStatus, Reading, TraceState, untraced
from services.resolution.tables import ParcelTrace
from services.resolution.workers.backoff import pause_after
from services.resolution.workflows import parcel_tracing
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable
from shared.service import Service

TRACES_CHANNEL = "parcel_traces_due"
MAX_ATTEMPTS = 6  # tracking API failures before the plan goes on untraced


class TraceWorker(LeasedWork[ParcelTrace]):
    """`tracking` None: no carrier tracking is configured."""

    def __init__(self, service: Service, tracking: CarrierTracking | None) -> None:
        self.tracking = tracking
        super().__init__(
            "parcel trace worker",
            TRACES_CHANNEL,
            service,
            ParcelTrace,
            self._trace,
            pending=TraceState.PENDING,
            poll_seconds=service.settings.resolution_poll_seconds,
        )

    async def _trace(self, trace: ParcelTrace) -> None:
        if self.tracking is None:
            await self._settle(trace, untraced("no carrier tracking is configured"))
            return
        try:
            status = await self.tracking.track(trace.carrier, trace.tracking_number)
        except Refused as refusal:
            await self._settle(trace, untraced(f"the tracking API refused: {refusal}"))
        except Unavailable as failure:
            if trace.attempts >= MAX_ATTEMPTS:
                await self._settle(trace, untraced(f"tracking unavailable: {failure}"))
            else:
                await self._retry_later(trace, failure)
        else:
            await self._settle(trace, status)

    async def _retry_later(self, trace: ParcelTrace, failure: Unavailable) -> None:
        at = utc_now() + pause_after(trace.attempts, failure)
        async with self.service.transaction() as session:
            await parcel_tracing.retry_later(session, trace, at, str(failure))

    async def _settle(self, trace: ParcelTrace, found: ParcelStatus | Reading) -> None:
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, trace.case_id, "parcel.traced"),
        ):
            await parcel_tracing.settle(session, trace, found, utc_now())
