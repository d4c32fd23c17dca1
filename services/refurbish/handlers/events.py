"""Events in: a returned parcel scanned in at a warehouse opens an inspection."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.workflows.receiving import open_inspection
from shared.events import Envelope, ReturnReceived


async def on_return_received(session: AsyncSession, parcel: ReturnReceived, _: Envelope) -> None:
    await open_inspection(session, parcel)
