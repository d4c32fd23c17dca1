"""Pushing cases through the intake webhook, with a progress bar, and waiting for analytics."""

import asyncio
import json
import time
from datetime import UTC, datetime

import httpx
from rich.progress import Progress

from deploy.samples import sample_stock
from deploy.secrets import demo_account
from services.intake.domain.channels.generic import signed_headers
from shared.settings import Settings


def signed_case(case: dict) -> tuple[bytes, dict[str, str]]:
    """A case as the demo seller's generic channel sends it: JSON, signed now."""
    account = demo_account("generic")
    body = json.dumps(case).encode()
    return body, signed_headers(account["account"], account["secrets"][0], body, datetime.now(UTC))


async def stock_warehouses(settings: Settings, cases: list[dict], units: int = 50) -> None:
    """Make `units` of every sample SKU and spare part available in every warehouse,
    on top of what earlier runs left reserved."""
    async with httpx.AsyncClient(base_url=settings.base_url_of("fulfillment"), timeout=10) as http:
        reserved: dict[tuple[str, str], int] = {}
        for warehouse in {row[0] for row in sample_stock(cases, units)}:
            response = await http.get(f"/stock/{warehouse}")
            response.raise_for_status()
            reserved |= {(warehouse, level["sku"]): level["reserved"] for level in response.json()}
        for warehouse, sku, on_hand, bin_ in sample_stock(cases, units):
            count = {"on_hand": on_hand + reserved.get((warehouse, sku), 0), "bin": bin_}
            response = await http.put(f"/stock/{warehouse}/{sku}", json=count)
            response.raise_for_status()


async def post_cases(
    settings: Settings, cases: list[dict], progress: Progress, concurrency: int = 16
) -> list[str]:
    """POST every case to the generic webhook; returns the case ids in the order given."""
    task = progress.add_task("webhooks → intake", total=len(cases))
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=settings.base_url_of("intake"), timeout=30) as http:

        async def post(case: dict) -> str:
            async with limit:
                body, headers = signed_case(case)
                response = await http.post("/webhooks/generic", content=body, headers=headers)
            response.raise_for_status()
            progress.advance(task)
            return response.json()["case_id"]

        return await asyncio.gather(*(post(case) for case in cases))


async def wait_for_analytics(
    settings: Settings, case_ids: list[str], progress: Progress, timeout: float = 120.0
) -> None:
    """Wait until analytics has a remedy for every case, or knows it waits for an agent."""
    task = progress.add_task("cases decided (analytics)", total=len(case_ids))
    deadline = time.monotonic() + timeout
    waiting = set(case_ids)
    async with httpx.AsyncClient(base_url=settings.base_url_of("analytics"), timeout=10) as http:
        while waiting and time.monotonic() < deadline:
            for case_id in list(waiting):
                timeline = await http.get(f"/cases/{case_id}/timeline")
                types = (
                    [e["type"] for e in timeline.json()["events"]] if timeline.is_success else []
                )
                if "resolution.decided" in types or waits_for_agent(timeline):
                    waiting.discard(case_id)
            progress.update(task, completed=len(case_ids) - len(waiting))
            if waiting:
                await asyncio.sleep(0.5)


def waits_for_agent(timeline: httpx.Response) -> bool:
    return timeline.is_success and any(
        e["type"] == "case.opened" and e["data"].get("scenario") is None
        for e in timeline.json()["events"]
    )


async def analytics_summary(settings: Settings) -> dict:
    async with httpx.AsyncClient(base_url=settings.base_url_of("analytics"), timeout=10) as http:
        return (await http.get("/reports/summary")).json()


GRADES = ("A", "B", "B", "C", "D")


async def receive_and_grade_returns(
    settings: Settings, case_ids: list[str], progress: Progress
) -> int:
    """Play warehouse staff and technicians: scan every returned parcel in, grade the unit."""
    fulfillment = httpx.AsyncClient(base_url=settings.base_url_of("fulfillment"), timeout=10)
    refurbish = httpx.AsyncClient(base_url=settings.base_url_of("refurbish"), timeout=10)
    async with fulfillment, refurbish:
        returned = [
            c for c in case_ids if (await fulfillment.get(f"/returns/{c}")).status_code == 200
        ]
        task = progress.add_task("returns scanned and graded", total=len(returned))
        for index, case_id in enumerate(returned):
            scan = {"condition_note": "parcel intact" if index % 3 else "outer box dented"}
            (await fulfillment.post(f"/returns/{case_id}/received", json=scan)).raise_for_status()
            inspections: list = []
            for _ in range(100):
                inspections = (
                    await refurbish.get("/inspections", params={"case_id": case_id})
                ).json()
                if inspections:
                    break
                await asyncio.sleep(0.1)
            for inspection in (i for i in inspections if i["status"] == "open"):
                grade = {"grade": GRADES[index % len(GRADES)], "notes": "sample grading"}
                response = await refurbish.post(
                    f"/inspections/{inspection['inspection_id']}/grade", json=grade
                )
                response.raise_for_status()
            progress.advance(task)
    return len(returned)
