"""An inspection's bench photos served to another service for an evidence pack: listed and
given as the technician took them, to a service's token only."""

import io

import PIL.Image

from services.refurbish.tables import Inspection
from services.refurbish.workflows.bench_photos import keep_photos
from tests.factories import AGENT, INTERNAL_TOKEN, TECHNICIAN
from tests.handlers.refurbish.conftest import received

SERVICE = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", (16, 12), colour).save(out, "JPEG")
    return out.getvalue()


async def test_a_service_lists_and_reads_an_inspection_s_bench_photos(api):
    inspection = await received(api)
    inspection_id = inspection["inspection_id"]
    taken = [jpeg((250, 0, 0)), jpeg((0, 0, 250))]
    async with api.service.transaction() as session:
        found = await session.get(Inspection, inspection_id)
        await keep_photos(session, found, taken, "ben")

    root = f"/evidence/inspections/{inspection_id}/photos"
    listed = await api.get(root, headers=SERVICE)
    assert listed.status_code == 200, listed.text
    photos = listed.json()
    assert [p["content_type"] for p in photos] == ["image/jpeg", "image/jpeg"]
    given = [await api.get(f"{root}/{p['photo_id']}", headers=SERVICE) for p in photos]
    assert sorted(g.content for g in given) == sorted(taken)
    assert {g.headers["content-type"] for g in given} == {"image/jpeg"}


async def test_bench_photos_are_for_a_service_only_and_unknown_ones_are_404(api):
    inspection = await received(api)
    root = f"/evidence/inspections/{inspection['inspection_id']}/photos"
    for person in (TECHNICIAN, AGENT):
        assert (await api.get(root, headers=person)).status_code == 403
    assert (await api.get(root)).status_code == 401
    assert (await api.get(f"{root}/no-such-photo", headers=SERVICE)).status_code == 404
    unknown = await api.get("/evidence/inspections/insp-none/photos", headers=SERVICE)
    assert unknown.status_code == 404 and "insp-none" in unknown.text
