from datetime import UTC, datetime, timedelta

import pytest

from services.intake.channels.common import (
    ensure_fresh,
    ensure_signed,
    header,
    hmac_sha256_base64,
    hmac_sha256_hex,
    required_header,
    signed_by_any,
    unix_time,
)
from services.intake.domain.case import ChannelError

# RFC 4231, test case 2.
KEY = "Jefe"
MESSAGE = b"what do ya want for nothing?"
HEX = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
BASE64 = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="

NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def test_hmac_sha256_matches_the_rfc_vector_in_hex_and_base64():
    assert hmac_sha256_hex(KEY, MESSAGE) == HEX
    assert hmac_sha256_base64(KEY, MESSAGE) == BASE64


def test_a_signature_by_either_secret_of_a_rotation_is_accepted():
    assert signed_by_any(HEX, MESSAGE, ["new-secret", KEY], hmac_sha256_hex)
    assert signed_by_any(HEX, MESSAGE, [KEY, "new-secret"], hmac_sha256_hex)


def test_a_signature_by_no_known_secret_is_refused():
    assert not signed_by_any(HEX, MESSAGE, ["other", "another"], hmac_sha256_hex)
    assert not signed_by_any(HEX, MESSAGE, [], hmac_sha256_hex)
    assert not signed_by_any(HEX, MESSAGE + b"!", [KEY], hmac_sha256_hex)


def test_a_signature_that_is_not_ascii_is_refused_not_crashed_on():
    assert not signed_by_any("ünïcode", MESSAGE, [KEY], hmac_sha256_hex)


def test_ensure_signed_raises_forged():
    ensure_signed(BASE64, MESSAGE, [KEY], hmac_sha256_base64, "Test")
    with pytest.raises(ChannelError) as error:
        ensure_signed(BASE64, MESSAGE, ["wrong"], hmac_sha256_base64, "Test")
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_headers_are_found_whatever_their_case():
    headers = {"X-Shopify-Topic": "returns/request", "wm_sec.timestamp": "1"}
    assert header(headers, "x-shopify-topic") == "returns/request"
    assert header(headers, "WM_SEC.TIMESTAMP") == "1"
    assert header(headers, "X-Missing") is None


def test_a_missing_required_header_is_a_forgery():
    with pytest.raises(ChannelError) as error:
        required_header({"X-Other": "1"}, "X-Signature")
    assert (error.value.status, error.value.reason) == (401, "bad_signature")
    assert "X-Signature" in error.value.detail


def test_unix_time_reads_seconds_and_refuses_anything_else():
    assert unix_time("1793880000", "X-Timestamp") == datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    with pytest.raises(ChannelError) as error:
        unix_time("yesterday", "X-Timestamp")
    assert error.value.status == 401


@pytest.mark.parametrize(
    "age", [timedelta(0), timedelta(minutes=4, seconds=59), -timedelta(minutes=5)]
)
def test_a_delivery_within_five_minutes_is_fresh(age):
    ensure_fresh(NOW - age, NOW)


@pytest.mark.parametrize(
    "age", [timedelta(minutes=5, seconds=1), -timedelta(minutes=6), timedelta(days=1)]
)
def test_a_delivery_older_or_newer_than_five_minutes_is_stale(age):
    with pytest.raises(ChannelError) as error:
        ensure_fresh(NOW - age, NOW)
    assert (error.value.status, error.value.reason) == (401, "stale_request")
