"""The emulated outside APIs as the tests (and `make run`) serve them: a real HTTP server on
its own port, faults on demand over HTTP."""

import httpx


async def test_the_emulators_answer_over_http_and_fail_on_demand(emulators):
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        assert (await http.get("/refund-api/v1/refunds")).status_code == 200
        await http.put("/_emulator/faults/refund-api", json={"status": 503, "times": 1})
        assert (await http.get("/refund-api/v1/refunds")).status_code == 503
        assert (await http.get("/refund-api/v1/refunds")).status_code == 200


async def test_a_system_failing_for_a_while_gives_each_request_the_next_failure_in_turn(
    emulators,
):
    async with httpx.AsyncClient(base_url=emulators, timeout=0.5) as http:
        failing = {
            "failing_seconds": 30,
            "in_turn": [{"status": 500}, {"status": 429, "retry_after": 2}, {"delay_seconds": 2}],
        }
        assert (await http.put("/_emulator/faults/refund-api", json=failing)).status_code == 204
        try:
            assert (await http.get("/refund-api/v1/refunds")).status_code == 500
            throttled = await http.get("/refund-api/v1/refunds")
            assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "2")
            try:
                await http.get("/refund-api/v1/refunds")
                raise AssertionError("the answer was not held back past the client's timeout")
            except httpx.TimeoutException:
                pass
            assert (await http.get("/refund-api/v1/refunds")).status_code == 500
            assert (await http.get("/_emulator/faults")).json()["refund-api"]["in_turn"]
        finally:
            await http.delete("/_emulator/faults/refund-api")
        assert (await http.get("/refund-api/v1/refunds")).status_code == 200
        half = {"failing_seconds": 30}
        assert (await http.put("/_emulator/faults/refund-api", json=half)).status_code == 422
