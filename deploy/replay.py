"""Pushing cases through the intake webhook, with a progress bar, and waiting for analytics."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.progress import Progress

from deploy.emulators.shopify.orders import return_request
from deploy.emulators.shopify.webhooks import signed_headers as shopify_signed_headers
from deploy.samples import sample_stock, shopify_returns
from deploy.secrets import DEMO_ACCOUNTS, demo_account
from deploy.settings import StackSettings
from deploy.warehouse_play import client, operator, staff
from services.intake.channels.generic.webhook import signed_headers
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.channels.walmart import webhook as walmart_webhook
from services.intake.domain.opening import case_id_of


def api(settings: StackSettings, service: str, timeout: float = 30) -> httpx.AsyncClient:
    """A service's API as the demo's scripted operator (the platform admin)."""
    base = settings.base_url_of(service)
    return httpx.AsyncClient(base_url=base, headers=operator(settings), timeout=timeout)


def signed_case(case: dict) -> tuple[bytes, dict[str, str]]:
    """A case as the demo seller's generic channel sends it: JSON, signed now."""
    account = demo_account("generic")
    body = json.dumps(case).encode()
    return body, signed_headers(account["account"], account["secrets"][0], body, datetime.now(UTC))


async def stock_warehouses(settings: StackSettings, cases: list[dict], units: int = 50) -> None:
    """Make `units` of every sample SKU and spare part available in every warehouse,
    on top of what earlier runs left reserved."""
    async with client(settings, "fulfillment", staff(settings)) as http:
        reserved: dict[tuple[str, str], int] = {}
        for warehouse in {row[0] for row in sample_stock(cases, units)}:
            response = await http.get(f"/stock/{warehouse}")
            response.raise_for_status()
            reserved |= {(warehouse, level["sku"]): level["reserved"] for level in response.json()}
        for warehouse, sku, on_hand, bin_ in sample_stock(cases, units):
            count = {"on_hand": on_hand + reserved.get((warehouse, sku), 0), "bin": bin_}
            response = await http.put(f"/stock/{warehouse}/{sku}", json=count)
            response.raise_for_status()


CATALOG_CHANNELS = ("shopify", "amazon", "ebay", "walmart")


async def import_catalogs(settings: StackSettings, progress: Progress) -> list[dict]:
    """Each demo seller account's catalog imported from its emulated marketplace (intake's
    `POST /catalog/imports`), so that the sample cases resolve to their products."""
    accounts = [
        a for a in json.loads(DEMO_ACCOUNTS.read_text()) if a["channel"] in CATALOG_CHANNELS
    ]
    task = progress.add_task("catalogs → intake", total=len(accounts))
    imported = []
    async with api(settings, "intake", timeout=120) as http:
        for account in accounts:
            asked = {"channel": account["channel"], "account": account["account"]}
            response = await http.post("/catalog/imports", json=asked)
            response.raise_for_status()
            imported.append(response.json())
            progress.advance(task)
    return imported


async def post_cases(
    settings: StackSettings, cases: list[dict], progress: Progress, concurrency: int = 16
) -> list[str]:
    """POST every case to the generic webhook; returns the case ids in the order given."""
    task = progress.add_task("webhooks → intake", total=len(cases))
    limit = asyncio.Semaphore(concurrency)
    async with api(settings, "intake") as http:

        async def post(case: dict) -> str:
            async with limit:
                body, headers = signed_case(case)
                response = await http.post("/webhooks/generic", content=body, headers=headers)
            response.raise_for_status()
            progress.advance(task)
            return response.json()["case_id"]

        return await asyncio.gather(*(post(case) for case in cases))


WALMART_NOTIFICATIONS = Path(__file__).resolve().parent / "walmart_return_created.json"
WALMART_PATH = "/webhooks/walmart"


def signed_walmart_notification(
    notification: dict, account: dict | None = None
) -> tuple[bytes, dict[str, str]]:
    """A RETURN_CREATED as Walmart sends it to the seller of `account` (the demo seller's by
    default): sent now, signed with the account's secret."""
    account = account or demo_account("walmart")
    now = datetime.now(UTC)
    sent_at = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    source = {**notification["source"], "eventTime": sent_at}
    payload = {**notification["payload"], "partnerId": account["account"]}
    body = json.dumps({**notification, "source": source, "payload": payload}).encode()
    secret = account["secrets"][0]
    return body, walmart_webhook.signed_headers(secret, body, now, path=WALMART_PATH)


async def post_walmart_returns(
    settings: StackSettings, progress: Progress, timeout: float = 120.0
) -> list[str]:
    """Replay Walmart's RETURN_CREATED notifications for the demo seller's sample return
    orders (completed from the emulated Returns API); the ids of the cases they opened."""
    intake = api(settings, "intake")
    async with intake:
        return await replay_walmart_returns(intake, operator(settings), progress, timeout=timeout)


async def replay_walmart_returns(
    intake: httpx.AsyncClient,
    agent: dict[str, str],
    progress: Progress,
    account: dict | None = None,
    timeout: float = 120.0,
) -> list[str]:
    """Post the sample notifications to intake, then wait until each of their return orders
    has its cases (an agent's view of them, `agent` its headers): their ids."""
    notifications = json.loads(WALMART_NOTIFICATIONS.read_text(encoding="utf-8"))
    return_order_ids = {
        line["returnOrderId"]
        for event in notifications
        for line in event["payload"]["returnOrders"]
    }
    task = progress.add_task("Walmart returns → intake", total=len(return_order_ids))
    for notification in notifications:
        body, headers = signed_walmart_notification(notification, account)
        (await intake.post(WALMART_PATH, content=body, headers=headers)).raise_for_status()
    deadline = time.monotonic() + timeout
    found: dict[str, list[str]] = {}
    while set(found) != return_order_ids and time.monotonic() < deadline:
        response = await intake.get("/cases", params={"limit": 500}, headers=agent)
        found = {}
        for case in response.json() if response.is_success else []:
            if case.get("marketplace") == "walmart" and case.get("return_id") in return_order_ids:
                found.setdefault(case["return_id"], []).append(case["case_id"])
        progress.update(task, completed=len(found))
        if set(found) != return_order_ids:
            await asyncio.sleep(0.5)
    return [case_id for case_ids in found.values() for case_id in case_ids]


AMAZON_SAMPLES = Path(__file__).resolve().parent / "amazon_notifications.json"


def amazon_notifications(seller: str) -> list[bytes]:
    """The demo's SP-API notifications, as Amazon puts them on the seller's queue: fresh ids,
    sent now, naming the seller."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    made = []
    for number, sample in enumerate(json.loads(AMAZON_SAMPLES.read_text(encoding="utf-8"))):
        payload = {key: {**value, "SellerId": seller} for key, value in sample["Payload"].items()}
        metadata = {
            **sample["NotificationMetadata"],
            "PublishTime": now,
            "NotificationId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seller}/{now}/{number}")),
        }
        made.append(
            json.dumps(
                {**sample, "EventTime": now, "Payload": payload, "NotificationMetadata": metadata}
            ).encode()
        )
    return made


async def poll_amazon_returns(
    settings: StackSettings, progress: Progress, timeout: float = 120.0
) -> list[str]:
    """The demo Amazon seller's notifications put on its queue (when the queue is the
    emulator's), then its returns reports polled by intake from the Reports API: the ids
    of the cases they opened."""
    emulators = (settings.amazon_sp_api_base_url or "").removesuffix("/amazon")
    intake = api(settings, "intake")
    emulator = httpx.AsyncClient(base_url=emulators, timeout=30) if emulators else None
    async with intake:
        cases = await replay_amazon_returns(
            intake, emulator, operator(settings), progress, timeout=timeout
        )
    if emulator is not None:
        await emulator.aclose()
    return cases


async def replay_amazon_returns(
    intake: httpx.AsyncClient,
    emulator: httpx.AsyncClient | None,
    agent: dict[str, str],
    progress: Progress,
    account: dict | None = None,
    timeout: float = 120.0,
) -> list[str]:
    """Put the seller's notifications on its queue at the emulator (none without one), then
    wait until both its returns reports were read and every return has its case (an
    agent's view of them, `agent` its headers): their ids."""
    account = account or demo_account("amazon")
    seller = account["account"]
    if emulator is not None:
        queue = account["sqs_queue_url"].rsplit("/", 1)[-1]
        for body in amazon_notifications(seller):
            sent = await emulator.post(f"/_emulator/amazon/queues/{queue}", content=body)
            sent.raise_for_status()
    task = progress.add_task("Amazon reports → intake", total=None)
    deadline = time.monotonic() + timeout
    found: list[str] = []
    while time.monotonic() < deadline:
        polls = await intake.get("/amazon/report-polls", params={"account": seller}, headers=agent)
        waiting = await intake.get(
            "/amazon/returns", params={"state": "waiting", "account": seller}, headers=agent
        )
        cases = await intake.get("/cases", params={"limit": 500}, headers=agent)
        now_found = [
            case["case_id"]
            for case in cases.json()
            if case.get("seller_account") == seller
            and case.get("marketplace", "").startswith("amazon")
        ]
        progress.update(task, total=max(len(now_found), 1), completed=len(now_found))
        done = len(polls.json()) == 2 and all(poll["reports_done"] for poll in polls.json())
        if done and not waiting.json() and now_found and len(now_found) == len(found):
            return now_found
        found = now_found
        await asyncio.sleep(1)
    return found


async def wait_for_analytics(
    settings: StackSettings, case_ids: list[str], progress: Progress, timeout: float = 120.0
) -> None:
    """Wait until analytics has a remedy for every case, or knows it waits for an agent."""
    task = progress.add_task("cases decided (analytics)", total=len(case_ids))
    deadline = time.monotonic() + timeout
    waiting = set(case_ids)
    async with api(settings, "analytics", timeout=10) as http:
        while waiting and time.monotonic() < deadline:
            for case_id in list(waiting):
                timeline = await http.get(f"/cases/{case_id}/timeline")
                types = (
                    [e["type"] for e in timeline.json()["events"]] if timeline.is_success else []
                )
                settled = {"resolution.decided", "resolution.held_for_agent"} & set(types)
                if settled or waits_for_agent(timeline):
                    waiting.discard(case_id)
            progress.update(task, completed=len(case_ids) - len(waiting))
            if waiting:
                await asyncio.sleep(0.5)


def waits_for_agent(timeline: httpx.Response) -> bool:
    return timeline.is_success and any(
        e["type"] == "case.opened" and e["data"].get("scenario") is None
        for e in timeline.json()["events"]
    )


async def analytics_summary(settings: StackSettings) -> dict:
    async with api(settings, "analytics", timeout=10) as http:
        return (await http.get("/reports/summary")).json()


# Shopify: real-format returns/request webhooks of the demo shop, each return first made
# known to the Shopify emulator (a buyer asked for it in the shop), then sent to intake as
# Shopify sends it, signed with the demo account's app secret.

EMULATED_SHOPIFY = "/shopify/{shop}"


def shopify_emulator_of(settings: StackSettings) -> str | None:
    """The emulators' base URL when Shopify is the emulator; None when a real one is set."""
    base = settings.shopify_admin_base_url or ""
    return base.removesuffix(EMULATED_SHOPIFY) if base.endswith(EMULATED_SHOPIFY) else None


async def post_shopify_returns(
    settings: StackSettings, progress: Progress, timeout: float = 90.0
) -> list[str]:
    """Send the demo shop's returns to intake; the ids of the cases they opened (a return
    whose lines give different reasons opens one per reason)."""
    emulators = shopify_emulator_of(settings)
    if emulators is None:
        return []
    returns = shopify_returns()
    task = progress.add_task("Shopify returns → intake", total=len(returns))
    async with api(settings, "intake") as intake:
        sent = await send_shopify_returns(
            intake, emulators, demo_account("shopify"), returns, lambda: progress.advance(task)
        )
    keys, return_ids = zip(*sent, strict=True) if sent else ((), ())
    return await cases_of_returns(settings, "shopify", list(keys), set(return_ids), timeout)


async def send_shopify_returns(
    intake: httpx.AsyncClient,
    emulators: str,
    account: dict,
    returns: list[dict],
    sent_one: Callable[[], None] = lambda: None,
) -> list[tuple[str, str]]:
    """Each return told to the Shopify emulator, then its returns/request sent to intake as
    Shopify sends it for the `account` (its shop, its app secret); (event id, return id) of
    each's delivery key (its return's) and return id. The event id is the return's own too, as
    a redelivery by Shopify keeps its event id."""
    sent = []
    async with httpx.AsyncClient(base_url=emulators, timeout=30) as shopify:
        for returned in returns:
            raw, event_id, return_id = await told_shopify_return(shopify, account, returned)
            headers = shopify_return_headers(account, raw, event_id)
            (
                await intake.post("/webhooks/shopify", content=raw, headers=headers)
            ).raise_for_status()
            sent.append((request_key_of(raw), return_id))
            sent_one()
    return sent


async def told_shopify_return(
    shopify: httpx.AsyncClient, account: dict, returned: dict
) -> tuple[bytes, str, str]:
    """A return of `account`'s shop told to the Shopify emulator (`shopify`, the emulators'
    client), as a buyer asks for it in the shop: its returns/request body, its event id (the
    return's own: a redelivery by Shopify keeps it) and the return's id."""
    body = return_request(returned["order_id"], returned["return_id"], returned["lines"])
    told = await shopify.post(f"/_emulator/shopify/{account['account']}/returns", json=body)
    told.raise_for_status()
    return_id = body["admin_graphql_api_id"]
    return json.dumps(body).encode(), str(uuid.uuid5(uuid.NAMESPACE_URL, return_id)), return_id


def shopify_return_headers(account: dict, raw: bytes, event_id: str) -> dict[str, str]:
    """A returns/request's headers as Shopify sends it now, signed with the app's secret."""
    shop, secret = account["account"], account["secrets"][0]
    return shopify_signed_headers(shop, secret, "returns/request", raw, event_id, datetime.now(UTC))


async def cases_of_returns(
    settings: StackSettings,
    channel: str,
    delivery_ids: list[str],
    return_ids: set[str],
    timeout: float,
) -> list[str]:
    """Once the channel's deliveries are applied, the cases opened for those returns."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(
        base_url=settings.base_url_of("intake"),
        headers=operator(settings),
        timeout=10,
    ) as http:
        while time.monotonic() < deadline:
            applied = await http.get("/deliveries", params={"state": "applied", "limit": 500})
            done = {d["delivery_id"] for d in applied.json() if d["channel"] == channel}
            if done >= set(delivery_ids):
                break
            await asyncio.sleep(0.5)
        cases = (await http.get("/cases", params={"limit": 500})).json()
    return [case["case_id"] for case in cases if case.get("return_id") in return_ids]


# eBay: Platform Notifications as eBay sends them, made and signed by the eBay emulator with
# the demo account's application keyset, posted to intake's eBay webhook.
EBAY_SAMPLE_FILE = Path(__file__).resolve().parent / "ebay_sample_returns.json"


def emulated_ebay_root(settings: StackSettings) -> str | None:
    """The emulators' base URL when eBay is the emulator's (`/ebay`); None for a real eBay."""
    base_url = settings.ebay_api_base_url.rstrip("/")
    return base_url.removesuffix("/ebay") if base_url.endswith("/ebay") else None


async def replay_ebay_returns(settings: StackSettings, progress: Progress) -> list[str]:
    """Stock the sample returns' listings and post their notifications (ReturnCreated, then
    what happened since); the ids of the cases they open, none when eBay is a real one."""
    root = emulated_ebay_root(settings)
    if root is None:
        return []
    samples = json.loads(EBAY_SAMPLE_FILE.read_text())
    async with (
        httpx.AsyncClient(base_url=root, timeout=30) as emulator,
        api(settings, "intake") as intake,
    ):
        listings = [await ebay_listing(emulator, sample["return_id"]) for sample in samples]
        await stock_warehouses(settings, [{"items": [{"sku": sku}]} for sku in listings])
        return await post_ebay_notifications(
            emulator, intake, samples, demo_account("ebay"), progress
        )


async def post_ebay_notifications(
    emulator: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    samples: list[dict],
    account: dict,
    progress: Progress,
) -> list[str]:
    """Each sample's notifications, signed for `account`, posted to intake's eBay webhook:
    the ids of the cases their ReturnCreated open."""
    task = progress.add_task("eBay notifications → intake", total=len(samples))
    async for event, body in ebay_notifications(emulator, samples, account):
        xml = {"content-type": "text/xml"}
        (await intake.post("/webhooks/ebay", content=body, headers=xml)).raise_for_status()
        progress.advance(task, 1 if event == "ReturnCreated" else 0)
    return [
        case_id_of("ebay", f"ebay:{s['return_id']}:ReturnCreated", account=account["account"])
        for s in samples
    ]


async def ebay_notifications(
    emulator: httpx.AsyncClient, samples: list[dict], account: dict
) -> AsyncIterator[tuple[str, bytes]]:
    """Each sample's events in turn (every ReturnCreated first), each notification signed by
    the emulator with the account's application keyset: (event, SOAP body)."""
    for step in range(max(len(sample["events"]) for sample in samples)):
        for sample in (s for s in samples if step < len(s["events"])):
            order = {
                "event": sample["events"][step],
                "return_id": sample["return_id"],
                "recipient": account["account"],
                "keyset": account["keysets"][0],
            }
            made = await emulator.post("/_emulator/ebay/notifications", json=order)
            made.raise_for_status()
            yield order["event"], made.json()["body"].encode()


async def ebay_listing(emulator: httpx.AsyncClient, return_id: str) -> str:
    """The listing (the case's SKU) of an emulated eBay return."""
    held = await emulator.get(f"/_emulator/ebay/returns/{return_id}")
    held.raise_for_status()
    return held.json()["detail"]["itemDetail"]["itemId"]
