"""The credentials the console's what-if passes on to resolution: the caller's own, from
the Authorization header or else from the signed-in session, never another."""

from starlette.requests import Request

from services.analytics.handlers.what_if import credentials_of
from shared.identity import SESSION_TOKEN


def request_with(session: dict | None, authorization: str | None = None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    if session is not None:
        scope["session"] = session
    return Request(scope)


def test_the_bearer_token_given_goes_on():
    signed_in = request_with({SESSION_TOKEN: "the session's"}, "Bearer ida's")
    assert credentials_of(signed_in) == "Bearer ida's"


def test_without_one_the_signed_in_session_s_token_goes_on():
    assert credentials_of(request_with({SESSION_TOKEN: "the session's"})) == (
        "Bearer the session's"
    )


def test_no_token_at_all_passes_nothing_on():
    assert credentials_of(request_with(None)) is None
    assert credentials_of(request_with({})) is None
