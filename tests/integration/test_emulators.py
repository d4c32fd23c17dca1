"""The emulated outside APIs as the tests (and `make run`) serve them: a real HTTP server on
its own port, faults on demand over HTTP."""

import httpx


async def test_the_emulators_answer_over_http_and_fail_on_demand(emulators):
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        assert (await http.get("/refund-api/v1/refunds")).status_code == 200
        await http.put("/_emulator/faults/refund-api", json={"status": 503, "times": 1})
        assert (await http.get("/refund-api/v1/refunds")).status_code == 503
        assert (await http.get("/refund-api/v1/refunds")).status_code == 200
