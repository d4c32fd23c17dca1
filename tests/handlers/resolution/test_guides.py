"""The troubleshooting knowledge base over HTTP (`handlers/guides.py`), over the real
PostgreSQL."""

import pytest

from tests.factories import AGENT
from tests.handlers.resolution.conftest import a_seller


async def test_the_starter_guides_are_there_and_a_seller_adds_and_removes_their_own(api):
    seller = a_seller()
    starter = await api.get(
        f"/guides/{seller}", params={"sku": "RBV-LDR-X5", "language": "de"}, headers=AGENT
    )
    codes = {guide["fault_code"] for guide in starter.json()}
    assert {"E1", "E4", "E21", None} <= codes

    guide = {
        "language": "it",
        "sku": "KIT-MSC-SS12",
        "title": "Il coperchio non si chiude",
        "steps": ["Pulisci la guarnizione.", "Allinea le frecce.", "Ruota fino al clic."],
    }
    saved = await api.put(f"/guides/{seller}/KIT-MSC-SS12.lid.it", json=guide, headers=AGENT)
    assert saved.status_code == 200, saved.text
    mine = await api.get(
        f"/guides/{seller}", params={"sku": "KIT-MSC-SS12", "language": "it"}, headers=AGENT
    )
    assert "KIT-MSC-SS12.lid.it" in {g["guide_id"] for g in mine.json()}
    gone = await api.delete(f"/guides/{seller}/KIT-MSC-SS12.lid.it", headers=AGENT)
    assert gone.status_code == 204
    again = await api.delete(f"/guides/{seller}/KIT-MSC-SS12.lid.it", headers=AGENT)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"steps": ["Only one step."]}, "steps"),
        ({"sku": None}, "a sku or for a category"),
        ({"language": "xx"}, "language"),
    ],
)
async def test_a_bad_guide_is_refused_with_the_reason(api, change, reason):
    guide = {
        "language": "en",
        "sku": "BT-SPK-200-BLK",
        "title": "Reset",
        "steps": ["Charge it.", "Hold power for 10 s.", "Pair again."],
        **change,
    }
    response = await api.put(f"/guides/{a_seller()}/g1", json=guide, headers=AGENT)
    assert response.status_code == 422
    assert reason in response.text
