"""The buyer's photos reach the technician: a buyer adds photos on their page (intake),
the returned unit reaches the bench (refurbish), and the technician lists them and opens
each through refurbish, which asks the running intake as a service."""

import httpx
import pytest

from services.refurbish.adapters.buyer_photos import BuyerPhotos
from services.refurbish.app import create_app
from services.refurbish.workflows.context import Refurbish
from tests.factories import AGENT, INTERNAL_TOKEN, TECHNICIAN, bearer
from tests.handlers.conftest import api_of
from tests.handlers.intake.conftest import running_intake
from tests.handlers.intake.test_buyer_page import JPEG, PNG, a_case, link, photo_form
from tests.handlers.refurbish.conftest import received


@pytest.fixture
async def intake(settings):
    async with running_intake(settings) as client:
        yield client


@pytest.fixture
async def bench(settings, intake):
    """Refurbish, asking the running intake for photos (over HTTP, in this process)."""
    app = create_app(settings)
    async with api_of(app, "refurbish") as client:
        as_refurbish = httpx.AsyncClient(
            transport=intake._transport, base_url="http://intake", headers=bearer(INTERNAL_TOKEN)
        )
        client.service.context = Refurbish(BuyerPhotos(as_refurbish))
        yield client
        await as_refurbish.aclose()


async def test_the_technician_sees_and_opens_the_buyer_s_photos(intake, bench):
    case_id = await a_case(intake, language="en", reason="damaged")
    page = f"{link(intake, case_id, 'en')}/photos"
    await intake.post(page, **photo_form(PNG))
    await intake.post(page, **photo_form(JPEG, "dent.jpg", "image/jpeg"))
    inspection = await received(bench, case_id=case_id)
    listed = await bench.get(
        f"/inspections/{inspection['inspection_id']}/buyer-photos", headers=TECHNICIAN
    )
    assert listed.status_code == 200, listed.text
    photos = listed.json()
    assert [(p["content_type"], p["size"]) for p in photos] == [
        ("image/png", len(PNG)),
        ("image/jpeg", len(JPEG)),
    ]
    opened = [await bench.get(photo["url"], headers=TECHNICIAN) for photo in photos]
    assert [(o.status_code, o.content) for o in opened] == [(200, PNG), (200, JPEG)]
    assert opened[1].headers["content-type"] == "image/jpeg"


async def test_a_case_without_photos_lists_none_and_an_unknown_photo_is_404(intake, bench):
    case_id = await a_case(intake, language="en", reason="damaged")
    inspection = await received(bench, case_id=case_id)
    url = f"/inspections/{inspection['inspection_id']}/buyer-photos"
    assert (await bench.get(url, headers=TECHNICIAN)).json() == []
    assert (await bench.get(f"{url}/nope", headers=TECHNICIAN)).status_code == 404
    assert (
        await bench.get("/inspections/nope/buyer-photos", headers=TECHNICIAN)
    ).status_code == 404


async def test_only_technicians_see_the_buyer_s_photos(intake, bench):
    inspection = await received(bench, case_id=await a_case(intake, reason="damaged"))
    url = f"/inspections/{inspection['inspection_id']}/buyer-photos"
    assert (await bench.get(url)).status_code == 401
    assert (await bench.get(url, headers=AGENT)).status_code == 403  # a valid token, not theirs


async def test_intake_down_is_a_503_saying_so(settings, intake):
    async with (
        httpx.AsyncClient(base_url="http://127.0.0.1:9") as nowhere,
        api_of(create_app(settings), "refurbish") as bench,
    ):
        bench.service.context = Refurbish(BuyerPhotos(nowhere))
        inspection = await received(bench, case_id=await a_case(intake, reason="damaged"))
        url = f"/inspections/{inspection['inspection_id']}/buyer-photos"
        answer = await bench.get(url, headers=TECHNICIAN)
    assert answer.status_code == 503 and "not available now" in answer.json()["detail"]


async def test_intake_opens_photos_to_the_internal_token_only(intake):
    case_id = await a_case(intake, language="en", reason="damaged")
    await intake.post(f"{link(intake, case_id, 'en')}/photos", **photo_form(PNG))
    internal = {"authorization": f"Bearer {INTERNAL_TOKEN}"}
    assert len((await intake.get(f"/cases/{case_id}/photos", headers=internal)).json()) == 1
    wrong = {"authorization": "Bearer not-the-token"}
    assert (await intake.get(f"/cases/{case_id}/photos", headers=wrong)).status_code == 401
