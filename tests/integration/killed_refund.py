"""One try of a refund in a process of its own, killed (SIGKILL) the moment the marketplace
has answered and before intake records the answer: what a crash between the two leaves.

    python -m tests.integration.killed_refund <refund id> <the protocol's JSON body>

Intake's settings come from the environment (DATABASE_URL, INTAKE_PII_KEYS,
GENERIC_REFUND_API_BASE_URL...); the service is not started (no broker, no workers), its
refund workflow is run as the refund route runs it.
"""

import asyncio
import os
import signal
import sys

from services.intake.app import SPEC, intake_context
from services.intake.domain.refunds import RefundAsked
from services.intake.settings import IntakeSettings
from services.intake.workflows import refunding
from shared.service import Service


async def die_before_the_commit(*args, **kwargs) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(refund_id: str, body: str) -> None:
    service = Service(SPEC, IntakeSettings())
    refunding.settled = die_before_the_commit
    async with intake_context(service) as intake:
        await refunding.pay(intake, refund_id, RefundAsked.model_validate_json(body))
    raise SystemExit("the refund was recorded: the process should have died before")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
