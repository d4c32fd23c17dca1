"""`make run` plays the buyers the way real ones answer: each reads what the seller's side
actually sent them and answers through the same path back.

- Buyers of the seller's own shop and of Walmart read their e-mails (the `.eml` files the
  local mail server keeps); every other one follows the page link in the offer (GET the
  page, POST its accept or decline form as a browser without JavaScript does), the others
  reply to the e-mail over SMTP to intake's own mail server, as a mail client replies.
- eBay buyers read the seller's messages on their return (the emulated eBay's) and follow
  the page link in them; Amazon buyers read the mail relayed to their anonymised Amazon
  address and reply to it through Amazon's relay: both count as answers by marketplace.

Every fourth buyer (in the order their first message came) declines the first offer and
accepts the next; the others accept. Every third buyer who answers on the page rates the
outcome there. Nobody uses the agents' API.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import aiosmtplib
import httpx
from rich.progress import Progress

from deploy.buyer_inbox import (
    NO,
    YES,
    Received,
    answer_form,
    rating_form,
    read_ebay_message,
    read_eml,
    reply_to,
)

PAGE, EMAIL, MARKETPLACE = "page", "e-mail", "marketplace"
AMAZON_RELAY = "marketplace.amazon."
MAIL_STAMP = "%Y%m%dT%H%M%S%f"  # how the local mail server names its files


def mail_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(MAIL_STAMP)


@dataclass
class Reach:
    """Where the buyers read and answer: the local mail server's folder (messages kept since
    `since`, a file stamp), the emulated eBay, intake's mail server, the web."""

    web: httpx.AsyncClient
    smtp_port: int | None
    mail_folder: Path | None = None
    since: str = ""
    ebay: httpx.AsyncClient | None = None
    smtp_host: str = "127.0.0.1"
    only_to: frozenset[str] | None = None  # the buyers played, by address; None: every one


@dataclass
class Buyer:
    number: int  # in the order their first message came
    way: str  # PAGE, EMAIL, MARKETPLACE
    declined: bool = False
    answered: bool = False
    rated: bool = False

    def answer(self) -> str:
        """Every fourth buyer declines the first offer; everyone accepts the next."""
        return "decline" if self.number % 4 == 0 and not self.declined else "accept"

    def answered_with(self, answer: str) -> None:
        self.declined = self.declined or answer == "decline"
        self.answered = True


@dataclass
class Buyers:
    reach: Reach
    buyers: dict[str, Buyer] = field(default_factory=dict)  # by thread
    handled: set[str] = field(default_factory=set)  # messages read and acted upon
    ratings: int = 0

    def answered(self) -> Counter:
        """How many buyers answered, by way."""
        return Counter(buyer.way for buyer in self.buyers.values() if buyer.answered)

    async def play_round(self) -> None:
        """Read what came since last time and answer what asks for an answer."""
        for received in await self.new_messages():
            if await self.act_on(self.buyer_of(received), received):
                self.handled.add(received.message_id)

    async def new_messages(self) -> list[Received]:
        found = [m for m in self.mailbox() if m.message_id not in self.handled]
        if self.reach.ebay is not None:
            held = (await self.reach.ebay.get("/_emulator/ebay/messages")).json()["messages"]
            found += [read_ebay_message(sent, place) for place, sent in enumerate(held)]
        return [m for m in found if m.message_id not in self.handled]

    def mailbox(self) -> list[Received]:
        folder = self.reach.mail_folder
        if folder is None or not folder.is_dir():
            return []
        kept = sorted(p for p in folder.glob("*.eml") if p.name >= self.reach.since)
        only_to = self.reach.only_to
        read = [m for m in map(read_eml, kept) if m is not None]
        return [m for m in read if only_to is None or m.recipient in only_to]

    def buyer_of(self, received: Received) -> Buyer:
        if received.thread not in self.buyers:
            number = len(self.buyers)
            marketplace = received.thread.startswith("ebay:") or AMAZON_RELAY in received.recipient
            # Every other buyer on the page, the decliners (every fourth) too by turns.
            on_page = number % 2 == (number // 4) % 2
            way = MARKETPLACE if marketplace else (PAGE if on_page else EMAIL)
            self.buyers[received.thread] = Buyer(number, way)
        return self.buyers[received.thread]

    async def act_on(self, buyer: Buyer, received: Received) -> bool:
        """Answer the message if it asks for an answer; False to read it again later (the
        answer could not be given now)."""
        if received.page_link and buyer.way in (PAGE, MARKETPLACE):
            return await self.on_the_page(buyer, received.page_link)
        if not received.is_offer:
            return True
        return await self.by_email(buyer, received)

    async def on_the_page(self, buyer: Buyer, link: str) -> bool:
        page = await self.reach.web.get(link)
        if page.status_code != 200:
            return page.status_code < 500
        answer = buyer.answer()
        found = answer_form(page.text, answer)
        if found is None:
            return True  # no offer open on the page: nothing to answer
        form, values = found
        posted = await self.reach.web.post(urljoin(link, form.action), data=values)
        if posted.status_code >= 400:
            return False
        buyer.answered_with(answer)
        if answer == "accept" and buyer.number % 3 == 0 and not buyer.rated:
            await self.rate(buyer, link)
        return True

    async def rate(self, buyer: Buyer, link: str) -> None:
        page = await self.reach.web.get(link)
        found = rating_form(page.text, liking=buyer.number % 2)
        if found is None:
            return
        form, values = found
        rated = await self.reach.web.post(urljoin(link, form.action), data=values)
        if rated.status_code < 400:
            buyer.rated = True
            self.ratings += 1

    async def by_email(self, buyer: Buyer, received: Received) -> bool:
        if self.reach.smtp_port is None:
            return True
        answer = buyer.answer()
        words = (YES if answer == "accept" else NO).get(received.language, YES["en"])
        try:
            await aiosmtplib.send(
                reply_to(received, words),
                hostname=self.reach.smtp_host,
                port=self.reach.smtp_port,
                timeout=15,
            )
        except aiosmtplib.SMTPException:
            return False  # 451: intake asks to try again later
        buyer.answered_with(answer)
        return True


async def play_until_decided(
    buyers: Buyers,
    resolution: httpx.AsyncClient,
    case_ids: list[str],
    progress: Callable[[int], None] = lambda _: None,
    timeout: float = 120.0,
) -> None:
    """Rounds of reading and answering until resolution has every case decided, with an
    agent or waiting for one (or `timeout` seconds went by); `progress` told how many."""
    deadline = time.monotonic() + timeout
    pending = set(case_ids)
    while pending and time.monotonic() < deadline:
        await buyers.play_round()
        for case_id in list(pending):
            decision = await resolution.get(f"/decisions/{case_id}")
            state = decision.json()["state"] if decision.is_success else None
            if state in ("decided", "held", "waiting"):
                pending.discard(case_id)
        progress(len(case_ids) - len(pending))
        if pending:
            await asyncio.sleep(0.5)


async def answer_offers(
    reach: Reach,
    resolution: httpx.AsyncClient,
    case_ids: list[str],
    progress: Progress,
    timeout: float = 120.0,
) -> Buyers:
    """The buyers of `case_ids` answer until each case is settled: who answered how."""
    task = progress.add_task(
        "buyers answer offers (page, e-mail, marketplace)", total=len(case_ids)
    )
    buyers = Buyers(reach)
    await play_until_decided(
        buyers,
        resolution,
        case_ids,
        lambda done: progress.update(task, completed=done),
        timeout,
    )
    return buyers
