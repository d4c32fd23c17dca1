"""Performs the actions owed on the marketplaces' returns through each case's channel
(`act_on_return`): approve, decline, close, mark received.

An unavailable marketplace is tried again later (after its Retry-After when it says), up
to RETURN_ACTION_MAX_ATTEMPTS tries (so is an eBay close whose refund is not issued yet); a
refusal, or the last try, fails the action with the cause, counted and listed for an agent
(`GET /return-actions?state=failed`, who may retry it). A try never owes again an action a
later decision dropped meanwhile. A channel without `act_on_return`, or an account intake
no longer holds, leaves nothing to do: the action is recorded not needed, or failed, with
why.
"""

import logging
from datetime import timedelta

from services.intake.domain.case import Channel
from services.intake.domain.return_actions import ActionState, takes_no_actions
from services.intake.tables import ReturnActionRecord
from services.intake.workflows import return_actions
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

RETURN_ACTIONS_CHANNEL = "return_actions_due"


class ReturnActionWorker(LeasedWork[ReturnActionRecord]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        super().__init__(
            "return action worker",
            RETURN_ACTIONS_CHANNEL,
            intake.service,
            ReturnActionRecord,
            self._act,
            pending=ActionState.OWED.value,
        )

    async def _act(self, row: ReturnActionRecord) -> None:
        channel = self.intake.channels.get(Channel(row.channel))
        if channel is None or channel.act_on_return is None:
            async with self.service.transaction() as session:
                await return_actions.not_needed(session, row, takes_no_actions(row.channel))
            return
        account = await self.intake.accounts.find(channel.channel, row.account)
        if account is None:
            await self._failed(row, f"intake holds no {row.channel} account {row.account}")
            return
        order = return_actions.order_of(row)
        try:
            await channel.act_on_return(order, account, self.intake.marketplaces)
        except Unavailable as failure:
            await self._later(row, failure)
        except Refused as refusal:
            await self._failed(row, str(refusal))
        else:
            async with self.service.transaction() as session:
                await return_actions.performed(session, row, utc_now())

    async def _later(self, row: ReturnActionRecord, failure: Unavailable) -> None:
        settings = self.service.settings
        at = utc_now() + pause_after(row.attempts, failure)
        async with self.service.transaction() as session:
            await return_actions.after_unavailable(
                session, row, str(failure), at, settings.return_action_max_attempts
            )
        if row.attempts >= settings.return_action_max_attempts:
            self._count_failed(row, str(failure))

    async def _failed(self, row: ReturnActionRecord, why: str) -> None:
        async with self.service.transaction() as session:
            await return_actions.failed(session, row, why)
        self._count_failed(row, why)

    def _count_failed(self, row: ReturnActionRecord, why: str) -> None:
        log.warning("%s of case %s failed: %s", row.action, row.case_id, why)
        self.service.counter("return_actions.failed", "return actions an agent must look at").add(
            1, {"channel": row.channel, "action": row.action}
        )


def pause_after(attempts: int, failure: Unavailable) -> timedelta:
    """The usual backoff, or longer when the marketplace said when to come back."""
    pause = retry_pause(attempts)
    if failure.retry_after is not None:
        pause = max(pause, timedelta(seconds=failure.retry_after))
    return pause
