"""The chaos run's short sequence (`bench/chaos.py`) under a steady load of signed generic
webhooks (one in five a buyer taking the part or the new unit offered), Shopify return
requests and eBay notifications: resolution killed with `kill -9` and restarted, the
broker paused, the broker killed and started again empty, Shopify failing (timeouts, 502,
429). Nothing lost, nothing done twice."""

import json

from bench.chaos import ChaosStack, chaos, drop_database, short_sequence
from tests.conftest import TEST_DATABASE


async def test_under_load_a_killed_consumer_a_paused_and_a_lost_broker_lose_and_double_nothing(
    settings, monkeypatch
):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "4")  # the suite's own stack shares the server
    database = f"{TEST_DATABASE}_chaos"
    stack = ChaosStack(settings.database_url, database)
    try:  # draining takes seconds; the bound is for a machine busy with the whole suite
        result = await chaos(
            stack, short_sequence(), rate=5, duration=15, drain_timeout=90, warmup=3, gap=2, tail=4
        )
    finally:
        stack.stop()
        await drop_database(settings.database_url, database)
    checks, seen = result["checks"], json.dumps(result, indent=1)
    assert checks["deliveries_accepted"] == checks["deliveries_sent"] > 0, seen
    assert checks["cases_lost"] == 0, seen
    assert set(checks["marketplace_deliveries"]["accepted"]) == {"shopify", "ebay"}, seen
    assert checks["cases_doubled"] == 0, seen
    # Buyers took parts and new units: the stock invariant holds of real dispatches.
    assert sum(checks["offers_taken"].values()) > 0, seen
    assert checks["dispatches"] >= sum(checks["offers_taken"].values()), seen
    assert result["invariants"] == dict.fromkeys(result["invariants"], True), seen
    assert all("error" not in fault for fault in result["faults"]), seen
