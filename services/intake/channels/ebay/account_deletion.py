"""eBay Marketplace Account Deletion/Closure notifications: a deleted eBay user is erased.

eBay requires every app that keeps eBay data to subscribe, or to opt out
(https://developer.ebay.com/marketplace-account-deletion). Two exchanges, both on the
endpoint URL registered with eBay:

1. Endpoint validation. eBay sends GET <endpoint>?challenge_code=<code>; the answer is
   200, `Content-Type: application/json`, `{"challengeResponse": <hex>}` where <hex> is
   the hex SHA-256 of challengeCode + verificationToken + endpoint, in that order, the
   endpoint exactly as registered (`challenge_answer`). The verification token is the
   32-80 character secret the app registered with eBay.
2. Notifications. eBay POSTs JSON (topic MARKETPLACE_ACCOUNT_DELETION; schema:
   https://developer.ebay.com/api-docs/master/commerce/notification/asyncapi/marketplace_account_deletion.yaml)
   naming the user by `username`, `userId` and `eiasToken`; the endpoint acknowledges at
   once with 200, 201, 202 or 204, and erases afterwards.

How a notification is verified. `X-EBAY-SIGNATURE` is base64 of a JSON object: `alg`
("ecdsa"), `kid` (the key id), `signature` (base64 of a DER-encoded ECDSA signature) and
`digest` ("SHA1"). The key is eBay's public key for `kid`, read with the Notification
API's getPublicKey and cached an hour, as eBay recommends
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey,
`public_keys.py`); its answer also says "ECDSA" and "SHA1"
(https://developer.ebay.com/api-docs/commerce/notification/types/api:PublicKey). The check
is `<digest>with<alg>`, i.e. SHA1withECDSA, over the message, exactly as eBay's own SDKs do
it (https://github.com/eBay/event-notification-java-sdk, SignatureValidator;
https://github.com/eBay/event-notification-nodejs-sdk, lib/validator.js). Those SDKs check
the message as compact JSON (JSON.stringify, Jackson), which is what eBay sends: the raw
body is checked first and, if it does not match, its compact form, which is the same JSON.

No timestamp is signed and eBay may deliver a notification more than once: a replay only
erases an erased buyer again, and the notification id makes it one delivery.

The notification names no seller: it concerns every seller the app serves. Its route
(`handlers/webhooks.py`) parses it once for each eBay seller account intake knows
(`parse`'s `seller_account`). The buyer is named as eBay's return notifications name the
buyer (`notifications.py` reads OtherPartyId, the Post-Order API buyerLoginName): by eBay
username.
"""

import base64
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.common import read_json, required_header
from services.intake.domain.case import Channel, Delivery, EraseBuyer, Ignore, forged

SIGNATURE = "X-EBAY-SIGNATURE"
ACCOUNT_DELETION = "MARKETPLACE_ACCOUNT_DELETION"
ALGORITHM = "ECDSA"
# eBay signs with SHA1 today; the header names the digest, so a later SHA-2 one is followed.
DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
PEM_ARMOUR = re.compile(r"-----(BEGIN|END) PUBLIC KEY-----")
PEM_LINE = 64


class EbayModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


class EbaySignature(EbayModel):
    """The decoded X-EBAY-SIGNATURE header."""

    alg: str
    # The key id goes into the getPublicKey URL: only the characters of an id are let through.
    kid: str = Field(pattern=r"^[A-Za-z0-9._-]{1,128}$")
    signature: str = Field(min_length=1)
    digest: str


class Metadata(EbayModel):
    topic: str
    schema_version: str | None = None
    deprecated: bool = False


class NotificationRef(EbayModel):
    notification_id: str = Field(min_length=1)


class Envelope(EbayModel):
    """What every eBay notification carries, whatever its topic."""

    metadata: Metadata
    notification: NotificationRef


class DeletedUser(EbayModel):
    username: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    eias_token: str = Field(min_length=1)


class DeletionNotice(NotificationRef):
    event_date: AwareDatetime
    publish_date: AwareDatetime
    publish_attempt_count: int | None = None
    data: DeletedUser


class AccountDeletionMetadata(Metadata):
    topic: Literal["MARKETPLACE_ACCOUNT_DELETION"]


class AccountDeletion(EbayModel):
    """The POST body of a MARKETPLACE_ACCOUNT_DELETION notification."""

    metadata: AccountDeletionMetadata
    notification: DeletionNotice


def challenge_response(challenge_code: str, verification_token: str, endpoint: str) -> str:
    """The hex SHA-256 of challengeCode + verificationToken + endpoint, as eBay computes it."""
    signed = f"{challenge_code}{verification_token}{endpoint}".encode()
    return hashlib.sha256(signed).hexdigest()


def challenge_answer(challenge_code: str, verification_token: str, endpoint: str) -> dict[str, str]:
    """The JSON body answering eBay's GET ?challenge_code=..., with status 200."""
    return {"challengeResponse": challenge_response(challenge_code, verification_token, endpoint)}


def signature_key_id(headers: Mapping[str, str]) -> str:
    """The id of the public key the notification is signed with, to read from getPublicKey."""
    return signature_header(headers).kid


def verify(headers: Mapping[str, str], body: bytes, public_key_pem: str) -> None:
    """Genuine when eBay's key for the header's `kid` signed the body; else `forged`."""
    claimed = signature_header(headers)
    if claimed.alg.upper() != ALGORITHM:
        raise forged(f"eBay signs with ECDSA, the header says {claimed.alg!r}")
    digest = digest_of(claimed)
    key = ec_public_key(public_key_pem)
    signature = decoded(claimed.signature, "the signature in X-EBAY-SIGNATURE")
    if not any(signed_by(key, signature, message, digest) for message in signed_forms(body)):
        raise forged("the eBay signature does not match the body")


def parse(headers: Mapping[str, str], body: bytes, seller_account: str) -> list[Delivery]:
    """One delivery for `seller_account`: erase the deleted user, known by eBay username.
    eBay names no seller, so each seller account gets its own delivery of one notification."""
    envelope = read_json(Envelope, body)
    notification_id = envelope.notification.notification_id
    delivery_id = f"ebay:account-deletion:{notification_id}:{seller_account}"
    return [
        Delivery(
            channel=Channel.EBAY,
            delivery_id=delivery_id,
            seller_account=seller_account,
            action=action_of(envelope, body, seller_account),
        )
    ]


def action_of(envelope: Envelope, body: bytes, seller_account: str) -> EraseBuyer | Ignore:
    if envelope.metadata.topic != ACCOUNT_DELETION:
        return Ignore(why=f"eBay topic {envelope.metadata.topic} is not one intake acts on")
    deleted = read_json(AccountDeletion, body).notification.data
    return EraseBuyer(seller_account=seller_account, buyer_ref=deleted.username)


def pem_of(key: str) -> str:
    """A standard PEM of the key eBay gives: armoured on one line, or bare base64."""
    body = "".join(PEM_ARMOUR.sub("", key).split())
    lines = [body[start : start + PEM_LINE] for start in range(0, len(body), PEM_LINE)]
    return "\n".join(["-----BEGIN PUBLIC KEY-----", *lines, "-----END PUBLIC KEY-----", ""])


def signature_header(headers: Mapping[str, str]) -> EbaySignature:
    value = required_header(headers, SIGNATURE)
    try:
        return EbaySignature.model_validate_json(base64.b64decode(value, validate=True))
    except ValueError as error:  # not base64, not JSON, or not the fields eBay sends
        raise forged(f"{SIGNATURE} is not the base64 JSON eBay sends") from error


def digest_of(claimed: EbaySignature) -> hashes.HashAlgorithm:
    digest = DIGESTS.get(claimed.digest.upper().replace("-", ""))
    if digest is None:
        raise forged(f"unknown digest {claimed.digest!r} in {SIGNATURE}")
    return digest()


def ec_public_key(public_key_pem: str) -> ec.EllipticCurvePublicKey:
    try:
        key = load_pem_public_key(pem_of(public_key_pem).encode())
    except (ValueError, UnsupportedAlgorithm) as error:
        raise forged("eBay's public key for this notification cannot be read") from error
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise forged("eBay's public key for this notification is not an elliptic curve key")
    return key


def decoded(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as error:
        raise forged(f"{what} is not base64") from error


def signed_forms(body: bytes) -> Iterator[bytes]:
    """The body as received, then the compact JSON eBay's SDKs check, when that differs."""
    yield body
    try:
        compact = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return
    if compact.encode() != body:
        yield compact.encode()


def signed_by(
    key: ec.EllipticCurvePublicKey,
    signature: bytes,
    message: bytes,
    digest: hashes.HashAlgorithm,
) -> bool:
    try:
        key.verify(signature, message, ec.ECDSA(digest))
    except InvalidSignature:
        return False
    return True
