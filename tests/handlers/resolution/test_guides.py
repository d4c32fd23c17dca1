"""The troubleshooting knowledge base over HTTP (`handlers/guides.py`), over the real
PostgreSQL: the starter set, a seller's own guides, and every edit kept as a version."""

import pytest

from tests.factories import AGENT, bearer, token_of
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


LEAK_GUIDE = {
    "language": "en",
    "category": "kitchen",
    "symptoms": ["leaks"],
    "general": False,
    "title": "The kettle leaks",
    "steps": ["Unplug it.", "Check the lid seal.", "Fill to MAX only."],
}


async def test_each_edit_of_a_guide_is_a_version_with_its_author(api):
    seller = a_seller()
    admin = bearer(token_of(["seller_admin"], sellers=[seller], name="sam"))
    path = f"/guides/{seller}/kitchen.kettle-leaks.en"

    first = await api.put(path, json=LEAK_GUIDE, headers=admin)
    again = await api.put(path, json=LEAK_GUIDE, headers=admin)  # a retried request
    changed = {**LEAK_GUIDE, "steps": [*LEAK_GUIDE["steps"], "Descale it."]}
    second = await api.put(path, json=changed, headers=AGENT)
    removed = await api.delete(path, headers=admin)
    versions = await api.get(f"{path}/versions", headers=admin)

    assert [r.status_code for r in (first, again, second)] == [200, 200, 200]
    assert [r.json()["version"] for r in (first, again, second)] == [1, 1, 2]
    assert removed.status_code == 204
    assert versions.status_code == 200, versions.text
    listed = versions.json()
    assert [(v["version"], v["created_by"]) for v in listed] == [
        (1, "sam"),
        (2, "agent"),
        (3, "sam"),
    ]
    assert listed[0]["guide"]["steps"] == LEAK_GUIDE["steps"]
    assert listed[0]["guide"]["symptoms"] == ["leaks"]
    assert listed[1]["guide"]["steps"][-1] == "Descale it."
    assert listed[2]["guide"] is None  # removed


async def test_a_starter_guide_edited_keeps_the_starter_text_as_version_0(api):
    seller = a_seller()
    path = f"/guides/{seller}/electronics.pairing.en"
    before = await api.get(f"{path}/versions", headers=AGENT)
    edited = {
        "language": "en",
        "category": "electronics",
        "symptoms": ["wont_pair"],
        "title": "Pairing, our way",
        "steps": ["Charge it.", "Forget it on the phone.", "Pair it again."],
    }
    saved = await api.put(path, json=edited, headers=AGENT)
    after = await api.get(f"{path}/versions", headers=AGENT)

    assert [v["version"] for v in before.json()] == [0]
    assert before.json()[0]["created_by"] == "starter set"
    assert saved.json()["version"] == 1
    assert [v["version"] for v in after.json()] == [0, 1]
    assert after.json()[1]["guide"]["title"] == "Pairing, our way"
    assert after.json()[0]["guide"]["title"] != "Pairing, our way"


async def test_versions_are_the_sellers_own(api):
    seller, other = a_seller(), a_seller()
    await api.put(f"/guides/{seller}/kitchen.kettle-leaks.en", json=LEAK_GUIDE, headers=AGENT)
    theirs = bearer(token_of(["seller_admin"], sellers=[other], name="eve"))

    walled = await api.get(f"/guides/{seller}/kitchen.kettle-leaks.en/versions", headers=theirs)
    own = await api.get(f"/guides/{other}/kitchen.kettle-leaks.en/versions", headers=theirs)

    assert walled.status_code == 404
    assert own.status_code == 404  # they never wrote it, and no starter guide has that id


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"symptoms": ["broken"]}, "symptoms"),
        ({"symptoms": [], "general": False}, "symptoms"),
    ],
)
async def test_a_guide_for_an_unknown_symptom_is_refused(api, change, reason):
    response = await api.put(
        f"/guides/{a_seller()}/g1", json={**LEAK_GUIDE, **change}, headers=AGENT
    )
    assert response.status_code == 422
    assert reason in response.text
