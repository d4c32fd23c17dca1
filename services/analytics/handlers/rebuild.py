"""Recompute the case read model from every event analytics kept, with a progress bar
(`workflows/rebuild`):

    python -m services.analytics.handlers.rebuild        (make analytics-rebuild)
"""

import asyncio

from rich.progress import Progress

from services.analytics.settings import AnalyticsSettings
from services.analytics.workflows.rebuild import events_kept, rebuild
from shared.db import create_service_engine, session_factory, transaction


async def rebuild_with_progress(settings: AnalyticsSettings) -> int:
    engine = create_service_engine("analytics", settings, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            total = await events_kept(session)
            with Progress() as bar:
                task = bar.add_task("events folded into the case read model", total=total)
                return await rebuild(session, lambda n: bar.advance(task, n))
    finally:
        await engine.dispose()


def main() -> None:
    folded = asyncio.run(rebuild_with_progress(AnalyticsSettings()))
    print(f"rebuilt the case read model from {folded} events")


if __name__ == "__main__":
    main()
