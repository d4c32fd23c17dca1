"""Seller policies over HTTP (`handlers/policies.py`), versioned, over the real PostgreSQL."""

import pytest

from tests.factories import AGENT
from tests.handlers.resolution.conftest import a_seller


async def test_a_seller_without_a_policy_reads_the_default_as_version_0(api):
    response = await api.get(f"/policies/{a_seller()}", headers=AGENT)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 0
    assert body["policy"]["partial_refund_tiers"] == [{"up_to_price_minor": None, "percent": 10}]
    assert body["policy"]["offer_expiry_hours"] == 48


async def test_each_policy_change_is_a_new_version_and_old_ones_stay_readable(api):
    seller = a_seller()
    first = {"offer_expiry_hours": 24}
    second = {"offer_expiry_hours": 72, "seller_pays_withdrawal_return": True}
    assert (await api.put(f"/policies/{seller}", json=first)).status_code == 401
    one = await api.put(f"/policies/{seller}", json=first, headers=AGENT)
    two = await api.put(f"/policies/{seller}", json=second, headers=AGENT)
    assert (one.status_code, one.json()["version"]) == (201, 1)
    assert (two.status_code, two.json()["version"]) == (201, 2)
    in_force = (await api.get(f"/policies/{seller}", headers=AGENT)).json()
    assert (in_force["version"], in_force["policy"]["offer_expiry_hours"]) == (2, 72)
    old = (await api.get(f"/policies/{seller}/versions/1", headers=AGENT)).json()
    assert old["policy"]["offer_expiry_hours"] == 24
    assert (await api.get(f"/policies/{seller}/versions/9", headers=AGENT)).status_code == 404


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ({"partial_refund_tiers": [{"percent": 20}]}, "less than or equal to 15"),
        ({"partial_refund_tiers": [{"up_to_price_minor": 5000, "percent": 12}]}, "no upper price"),
        ({"offer_expiry_hours": 0}, "greater than or equal to 1"),
        ({"acceptance": {"exchange": 1.5}}, "probability"),
        ({"lifetime_warranty": True}, "Extra inputs are not permitted"),
        ({"return_window_days": {"ebay": 45}}, "45 days is not a return window ebay.returns"),
        ({"return_window_days": {"amazon": 60}}, "the marketplace sets the return window"),
    ],
)
async def test_a_policy_that_makes_no_sense_is_refused_with_the_reason(api, policy, reason):
    response = await api.put(f"/policies/{a_seller()}", json=policy, headers=AGENT)
    assert response.status_code == 422
    assert reason in response.text
