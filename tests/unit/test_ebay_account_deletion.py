"""eBay Marketplace Account Deletion: endpoint challenge, X-EBAY-SIGNATURE, erasure."""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.intake.channels.ebay import account_deletion as ebay_account_deletion
from services.intake.domain.case import Channel, ChannelError, EraseBuyer, Ignore

SAMPLES = Path(__file__).parent.parent / "samples" / "ebay"
KID = "9936261a-7d7b-4621-a0f1-96ccb428af49"
SELLER = "linen_home_outlet"
NOTIFICATION_ID = "49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d"

# eBay's own known answer, from its Java SDK's test data (Apache-2.0,
# https://github.com/eBay/event-notification-java-sdk, src/test/.../data): the key as
# getPublicKey gives it, and the header eBay sent with the sample notification.
EBAY_SDK_KEY = (
    "-----BEGIN PUBLIC KEY-----MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZhhxXKtR+TOvtDbgTPCkSof02qgBB7Is"
    "YOyf76ilExJ/upAa/vKIKheOoCyOpcLmi4t0b4uepb7LLjmMr90FUg==-----END PUBLIC KEY-----"
)
EBAY_SDK_HEADER = (
    "eyJhbGciOiJlY2RzYSIsImtpZCI6Ijk5MzYyNjFhLTdkN2ItNDYyMS1hMGYxLTk2Y2NiNDI4YWY0OSIsInNpZ25hdHVy"
    "ZSI6Ik1FWUNJUUNmeGZJV3V4bVdjSUJRSjljNS9YN2lHREpxczJSQ0dzQkVhQWppbnlycmZBSWhBSVY2d0djVGlCdVY1"
    "S0pVaWYyaG9reXJMK1E5c3NIa2FkK214Mm5FRTI1dyIsImRpZ2VzdCI6IlNIQTEifQ=="
)


@pytest.fixture(scope="module")
def ebay_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def sample() -> bytes:
    return (SAMPLES / "account_deletion.json").read_bytes()


def compact(body: bytes) -> bytes:
    return json.dumps(json.loads(body), separators=(",", ":")).encode()


def pem(private_key: ec.EllipticCurvePrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def signature_header(claims: dict) -> str:
    return base64.b64encode(json.dumps(claims).encode()).decode()


def signed(body: bytes, private_key: ec.EllipticCurvePrivateKey, **claims: str) -> dict:
    """The headers eBay sends: SHA1withECDSA over the body, DER, in base64 JSON."""
    signature = private_key.sign(body, ec.ECDSA(hashes.SHA1()))
    header = {
        "alg": "ecdsa",
        "kid": KID,
        "signature": base64.b64encode(signature).decode(),
        "digest": "SHA1",
        **claims,
    }
    return {"X-EBAY-SIGNATURE": signature_header(header), "Content-Type": "application/json"}


def refused(headers: dict, body: bytes, public_key_pem: str) -> ChannelError:
    with pytest.raises(ChannelError) as error:
        ebay_account_deletion.verify(headers, body, public_key_pem)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")
    return error.value


# Endpoint validation


def test_the_challenge_response_is_the_sha256_of_code_token_and_endpoint():
    code, token = "a8628072-3d33-45ee-9004-bee86830a22d", "tok_3kP9wQ7zX2mN8vB4cR6tY1uJ5hG0fD3s"
    endpoint = "https://intake.example.com/webhooks/ebay/account-deletion"
    expected = hashlib.sha256(code.encode() + token.encode() + endpoint.encode()).hexdigest()
    assert ebay_account_deletion.challenge_response(code, token, endpoint) == expected
    assert ebay_account_deletion.challenge_answer(code, token, endpoint) == {
        "challengeResponse": expected
    }


def test_the_endpoint_must_be_the_one_registered_to_the_character():
    code, token = "a8628072", "tok_3kP9wQ7zX2mN8vB4cR6tY1uJ5hG0fD3s"
    endpoint = "https://intake.example.com/webhooks/ebay/account-deletion"
    assert ebay_account_deletion.challenge_response(
        code, token, endpoint
    ) != ebay_account_deletion.challenge_response(code, token, endpoint + "/")


# The signature


def test_the_key_id_is_read_from_the_signature_header(ebay_key):
    assert ebay_account_deletion.signature_key_id(signed(sample(), ebay_key)) == KID


def test_a_body_signed_with_ebays_key_is_genuine(ebay_key):
    body = sample()
    ebay_account_deletion.verify(signed(body, ebay_key), body, pem(ebay_key))


def test_ebays_own_sample_signature_is_genuine():
    """eBay signed the compact JSON of the sample; the sample here is pretty-printed."""
    headers = {"x-ebay-signature": EBAY_SDK_HEADER}
    assert ebay_account_deletion.signature_key_id(headers) == KID
    ebay_account_deletion.verify(headers, compact(sample()), EBAY_SDK_KEY)
    ebay_account_deletion.verify(headers, sample(), EBAY_SDK_KEY)


def test_the_compact_json_ebays_sdks_check_is_accepted_for_a_reformatted_body(ebay_key):
    body = sample()
    ebay_account_deletion.verify(signed(compact(body), ebay_key), body, pem(ebay_key))


@pytest.mark.parametrize("form", ["one line, as getPublicKey gives it", "bare base64"])
def test_the_public_key_is_read_as_ebay_gives_it(ebay_key, form):
    lines = pem(ebay_key).strip().splitlines()
    key = "".join(lines) if form.startswith("one line") else "".join(lines[1:-1])
    body = sample()
    ebay_account_deletion.verify(signed(body, ebay_key), body, key)


def test_a_tampered_body_is_forged(ebay_key):
    body = sample()
    tampered = body.replace(b"test_user", b"other_user")
    assert tampered != body
    refused(signed(body, ebay_key), tampered, pem(ebay_key))


def test_a_body_signed_with_another_key_is_forged(ebay_key):
    body = sample()
    other_key = ec.generate_private_key(ec.SECP256R1())
    refused(signed(body, other_key), body, pem(ebay_key))


def test_ebays_sample_signature_does_not_cover_another_user():
    body = compact(sample()).replace(b"test_user", b"other_user")
    refused({"X-EBAY-SIGNATURE": EBAY_SDK_HEADER}, body, EBAY_SDK_KEY)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("not base64 at all!", id="not base64"),
        pytest.param(base64.b64encode(b"alg=ecdsa;kid=1").decode(), id="not JSON"),
        pytest.param(
            signature_header({"alg": "ecdsa", "signature": "MEU=", "digest": "SHA1"}), id="no kid"
        ),
        pytest.param(
            signature_header(
                {"alg": "ecdsa", "kid": "../../oauth", "signature": "MEU=", "digest": "SHA1"}
            ),
            id="a kid that is not an id",
        ),
    ],
)
def test_a_malformed_signature_header_is_forged(ebay_key, header):
    refused({"X-EBAY-SIGNATURE": header}, sample(), pem(ebay_key))
    with pytest.raises(ChannelError):
        ebay_account_deletion.signature_key_id({"X-EBAY-SIGNATURE": header})


def test_a_notification_without_the_signature_header_is_forged(ebay_key):
    error = refused({"Content-Type": "application/json"}, sample(), pem(ebay_key))
    assert "X-EBAY-SIGNATURE" in error.detail


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"alg": "rsa"}, "ECDSA"),
        ({"digest": "MD5"}, "digest"),
        ({"signature": "not base64!"}, "base64"),
        ({"signature": base64.b64encode(b"not DER").decode()}, "does not match"),
    ],
)
def test_a_signature_eBay_does_not_make_is_forged(ebay_key, claims, words):
    body = sample()
    error = refused(signed(body, ebay_key, **claims), body, pem(ebay_key))
    assert words in error.detail


def test_a_key_that_cannot_check_an_ecdsa_signature_is_refused(ebay_key):
    body = sample()
    refused(
        signed(body, ebay_key),
        body,
        "-----BEGIN PUBLIC KEY-----bm90IGEga2V5-----END PUBLIC KEY-----",
    )


# Parsing


def test_an_account_deletion_erases_the_buyer_known_by_ebay_username():
    [delivery] = ebay_account_deletion.parse({}, sample(), SELLER)
    assert delivery.channel is Channel.EBAY
    assert delivery.delivery_id == f"ebay:account-deletion:{NOTIFICATION_ID}:{SELLER}"
    assert delivery.seller_account == SELLER
    assert delivery.action == EraseBuyer(seller_account=SELLER, buyer_ref="test_user")


def test_each_seller_account_gets_its_own_erasure():
    accounts = ("linen_home_outlet", "gadget_depot_us")
    actions = [ebay_account_deletion.parse({}, sample(), a)[0].action for a in accounts]
    assert [action.seller_account for action in actions] == list(accounts)


def test_another_topic_is_ignored():
    notification = json.loads(sample())
    notification["metadata"]["topic"] = "PRIORITY_LISTING_REVISION"
    [delivery] = ebay_account_deletion.parse({}, json.dumps(notification).encode(), SELLER)
    assert isinstance(delivery.action, Ignore)
    assert delivery.delivery_id == f"ebay:account-deletion:{NOTIFICATION_ID}:{SELLER}"


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(ChannelError) as error:
        ebay_account_deletion.parse({}, b"<xml/>", SELLER)
    assert error.value.status == 400


def test_a_deletion_without_a_username_names_the_field():
    notification = json.loads(sample())
    del notification["notification"]["data"]["username"]
    with pytest.raises(ChannelError) as error:
        ebay_account_deletion.parse({}, json.dumps(notification).encode(), SELLER)
    assert (error.value.status, error.value.field) == (422, "notification.data.username")
