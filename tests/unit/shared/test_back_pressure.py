"""A bound on the webhooks in flight: past it, 503 with Retry-After at once."""

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.back_pressure import InFlightLimit


def app_held_by(release: asyncio.Event) -> InFlightLimit:
    async def slow(request):
        await release.wait()
        return PlainTextResponse("stored", status_code=202)

    async def fast(request):
        return PlainTextResponse("ok")

    inner = Starlette(routes=[Route("/webhooks/x", slow, methods=["POST"]), Route("/other", fast)])
    return InFlightLimit(inner, paths=r"/webhooks/", most=2, retry_after_seconds=7)


async def test_past_the_bound_a_webhook_is_refused_at_once_and_others_pass():
    release = asyncio.Event()
    app = app_held_by(release)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as client:
        held = [asyncio.create_task(client.post("/webhooks/x")) for _ in range(2)]
        while app.in_flight < 2:
            await asyncio.sleep(0.01)
        refused = await asyncio.wait_for(client.post("/webhooks/x"), timeout=2)
        other = await client.get("/other")  # routes outside the bound are not counted
        release.set()
        answers = await asyncio.gather(*held)
        after = await client.post("/webhooks/x")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "7"
    assert "deliver again later" in refused.json()["detail"]
    assert other.status_code == 200
    assert [answer.status_code for answer in answers] == [202, 202]
    assert after.status_code == 202
    assert app.in_flight == 0
