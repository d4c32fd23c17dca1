"""The token the console's what-if passes on to resolution: the caller's own, from the
bearer header or else from the signed-in session, never another."""

import pytest
from fastapi import HTTPException
from fastapi.security import HTTPAuthorizationCredentials
from starlette.requests import Request

from services.analytics.handlers.what_if import callers_token
from shared.identity import SESSION_TOKEN


def request_with(session: dict | None) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    if session is not None:
        scope["session"] = session
    return Request(scope)


async def test_the_bearer_token_given_goes_on():
    given = HTTPAuthorizationCredentials(scheme="Bearer", credentials="ida's")
    signed_in = request_with({SESSION_TOKEN: "the session's"})
    assert await callers_token(signed_in, given) == "ida's"


async def test_without_one_the_signed_in_sessions_token_goes_on():
    assert await callers_token(request_with({SESSION_TOKEN: "the session's"}), None) == (
        "the session's"
    )


@pytest.mark.parametrize("session", [None, {}])
async def test_no_token_at_all_is_401(session):
    with pytest.raises(HTTPException) as refused:
        await callers_token(request_with(session), None)
    assert refused.value.status_code == 401
