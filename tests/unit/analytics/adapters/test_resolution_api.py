"""Resolution's API as the what-if page asks it: every answer passed on as it came, the
caller's own token passed along, no answer at all `Unavailable`."""

import httpx
import pytest

from services.analytics.adapters.resolution_api import Answer, ResolutionApi
from shared.outbound import Unavailable


def api(answer) -> tuple[ResolutionApi, list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return answer(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://res")
    return ResolutionApi(client), asked


async def test_the_policy_in_force_is_passed_on_as_it_came_asked_with_the_callers_token():
    resolution, asked = api(lambda _: httpx.Response(200, json={"version": 3}))
    answer = await resolution.policy_in_force("seller-1", "Bearer agent")
    assert answer == Answer(200, b'{"version":3}', "application/json")
    assert (asked[0].method, asked[0].url.path) == ("GET", "/policies/seller-1")
    assert asked[0].headers["authorization"] == "Bearer agent"


@pytest.mark.parametrize("status", [401, 404, 422, 500])
async def test_a_refusal_or_failure_is_resolutions_to_say_and_passed_on_too(status):
    resolution, _ = api(
        lambda _: httpx.Response(status, text="no", headers={"content-type": "text/plain"})
    )
    answer = await resolution.what_if("seller-1", b"{}", "Bearer token")
    assert (answer.status, answer.content, answer.media_type) == (status, b"no", "text/plain")


async def test_the_question_goes_with_the_callers_own_token():
    resolution, asked = api(lambda _: httpx.Response(200, content=b"{}"))
    await resolution.what_if("seller-1", b'{"policy": {}}', "Bearer ida's token")
    [question] = asked
    assert (question.method, question.url.path) == ("POST", "/what-if/seller-1")
    assert question.content == b'{"policy": {}}'
    assert question.headers["authorization"] == "Bearer ida's token"
    assert question.headers["content-type"] == "application/json"


async def test_no_answer_is_unavailable():
    def unreachable(request):
        raise httpx.ConnectError("connection refused", request=request)

    resolution, _ = api(unreachable)
    with pytest.raises(Unavailable) as failed:
        await resolution.policy_in_force("seller-1", None)
    assert (failed.value.system, failed.value.reason) == ("resolution", "connection refused")
