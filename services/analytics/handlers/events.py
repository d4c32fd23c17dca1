"""Every event in, a batch at a time: kept and folded into the case read model
(`workflows/projection`)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.workflows.projection import project
from shared.consumer import Delivery


async def project_events(session: AsyncSession, deliveries: list[Delivery]) -> None:
    await project(session, deliveries)
