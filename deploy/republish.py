"""`make republish SINCE=… SERVICE=…`: publish a service's retained outbox again, from a time.

For an operator after the broker lost events the relay did not notice by itself (see
docs/operations.md): every event of the service's outbox published at or after SINCE is
marked unpublished, and the service's running relay publishes them again, in their first
order. Consumers drop those they had applied already (their inbox).
"""

import argparse
import asyncio
from datetime import UTC, datetime

from shared.db import create_service_engine, session_factory
from shared.outbox import republish
from shared.settings import SERVICE_NAMES, ServiceSettings


def moment(value: str) -> datetime:
    """An ISO 8601 time (`2026-12-04T10:00`, `2026-12-04 10:00+01:00`, `2026-12-04`);
    without an offset it is UTC."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-04T10:00 (UTC) or "
            "2026-12-04T10:00+01:00"
        ) from error
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(prog="make republish", description=__doc__.split("\n\n")[0])
    arguments.add_argument("--service", required=True, choices=SERVICE_NAMES)
    arguments.add_argument(
        "--since", required=True, type=moment, help="from when (ISO 8601; UTC unless it says)"
    )
    return arguments


async def republish_since(service: str, since: datetime, settings: ServiceSettings) -> int:
    """Mark the service's events published since `since` for publishing again."""
    engine = create_service_engine(service, settings, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await republish(session, service, since)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    options = parser().parse_args(argv)
    count = asyncio.run(republish_since(options.service, options.since, ServiceSettings()))
    print(
        f"{options.service}: {count} event(s) published since {options.since.isoformat()} "
        "will be published again by its running relay"
    )


if __name__ == "__main__":
    main()
