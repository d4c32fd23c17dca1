"""Each Amazon account's SP-API notification queue, read while intake runs: one reader per
queue named in an account's credentials, started as accounts get one and stopped as they
lose it. A reader takes what the queue holds (long polling), stores each message as a
delivery (`workflows/amazon_notifications.py`), then deletes it from the queue; a queue
that cannot be read is tried again after a growing pause, with the cause logged."""

import asyncio
import contextlib
import logging

from services.intake.channels.amazon.queue import (
    NotificationQueue,
    delete,
    queue_of,
    receive,
    sqs_client,
)
from services.intake.domain.case import Channel
from services.intake.workflows.amazon_notifications import take_notification
from services.intake.workflows.context import Intake
from shared.outbound import OutboundError, Refused
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

# How often the accounts are looked at for queues new, changed or gone.
SCHEDULE_SECONDS = 5.0


class AmazonNotificationsWorker:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._readers: dict[NotificationQueue, asyncio.Task] = {}
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    await self.follow_accounts()
                except Exception:
                    log.exception("amazon notification queues could not be listed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), SCHEDULE_SECONDS)
        finally:
            for task in self._readers.values():
                task.cancel()
            await asyncio.gather(*self._readers.values(), return_exceptions=True)

    def stop(self) -> None:
        self._stopping.set()

    async def follow_accounts(self) -> None:
        """A reader for every queue the accounts name now; none for the others."""
        wanted = set()
        for name in await self.intake.accounts.names(Channel.AMAZON):
            account = await self.intake.accounts.find(Channel.AMAZON, name)
            queue = queue_of(account) if account else None
            if queue is not None:
                wanted.add(queue)
        for queue in list(self._readers):
            reader = self._readers[queue]
            if reader.done() and not reader.cancelled() and reader.exception() is not None:
                log.error("amazon queue of %s stopped", queue.account, exc_info=reader.exception())
            if queue not in wanted or reader.done():
                self._readers.pop(queue).cancel()
        for queue in wanted - set(self._readers):
            self._readers[queue] = asyncio.create_task(self.read(queue), name=repr(queue))

    async def read(self, queue: NotificationQueue) -> None:
        settings = self.intake.service.settings
        wait = settings.amazon_queue_wait_seconds
        failures = 0
        while not self._stopping.is_set():
            try:
                async with sqs_client(queue, settings.amazon_sqs_endpoint_url, wait) as client:
                    while not self._stopping.is_set():
                        for message in await receive(client, queue, wait):
                            await take_notification(self.intake, queue.account, message)
                            await delete(client, queue, message)
                        failures = 0
            except OutboundError as error:
                failures += 1
                level = logging.WARNING if isinstance(error, Refused) else logging.INFO
                log.log(level, "amazon queue of %s: %s", queue.account, error)
                pause = retry_pause(failures).total_seconds()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)
