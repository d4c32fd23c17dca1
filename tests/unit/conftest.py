"""Unit tests get a fake-API server of their own.

The session's services (started for the handler and integration tests) keep running while
the unit tests run, and may still retry a marketplace read against the shared server; a
unit test counting the requests its client sent must not see theirs.
"""

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
