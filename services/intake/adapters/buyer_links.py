"""What lets a buyer reach their own case without an account: a signed, expiring link to
the case's page, and a signed reply address that threads an e-mail answer to its case.

Both carry the case id (and the page its language), signed with BUYER_LINK_SECRET
(itsdangerous; several secrets, newest first, for a rotation: links signed with an older
one keep working until it is removed):
- the page: `<BUYER_PAGE_BASE_URL>/buyer/<token>`, good for BUYER_LINK_DAYS;
- the reply address: `reply+<case>.<signature>@<REPLY_DOMAIN>`, good as long as the case
  lives (a buyer may answer weeks later). Mail systems may change the letter case of an
  address and allow 64 characters before the @, so both halves are lower-case base32:
  the 16 bytes of the case's UUID, and 15 bytes of an HMAC-SHA256 of them under the
  reply's own salt (so that neither token stands in for the other): 57 characters.
Each e-mail's envelope sender is its own bounce address (VERP): `bounce+<message>.<signature>
@<REPLY_DOMAIN>`, the message's UUID and an HMAC of it under a third salt, so that a
delivery report coming back later names the message it is about and cannot be forged.
Every message sent has a Message-ID carrying the same reply token (`message_id`), so a
reply's In-Reply-To or References threads too. A token that is tampered with, expired or
signed with a removed secret is refused with `BadLink`, whose `expired` says which (a page
shows the buyer which).
"""

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PAGE_SALT = "buyer-page"
REPLY_SALT = "buyer-reply"
BOUNCE_SALT = "buyer-bounce"
PAGE_PATH = "/buyer"
CASE_PREFIX = "case-"
REPLY_LOCAL_PART = "reply"
BOUNCE_LOCAL_PART = "bounce"


class BadLink(Exception):
    """A link or reply address that does not open any case."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


@dataclass(frozen=True)
class PageLink:
    case_id: str
    language: str


class BuyerLinks:
    def __init__(
        self, secrets: list[str], page_base_url: str, days: int, reply_domain: str
    ) -> None:
        if not secrets or not all(secrets):
            raise ValueError("buyer links need at least one non-empty secret")
        self.page_base_url = page_base_url.rstrip("/")
        self.max_age = days * 86_400
        self.reply_domain = reply_domain
        self._page = URLSafeTimedSerializer(secrets, salt=PAGE_SALT)
        self._secrets = [secret.encode() for secret in secrets]

    @classmethod
    def from_settings(cls, settings) -> "BuyerLinks | None":
        """None when no BUYER_LINK_SECRET is set: no page link or reply address is made."""
        if settings.buyer_link_secret is None:
            return None
        secrets = [s.strip() for s in settings.buyer_link_secret.get_secret_value().split(",")]
        return cls(
            secrets,
            settings.buyer_page_base_url,
            settings.buyer_link_days,
            settings.reply_domain,
        )

    # The case's page

    def page_token(self, case_id: str, language: str) -> str:
        return self._page.dumps({"c": case_id, "l": language})

    def page_url(self, case_id: str, language: str) -> str:
        return f"{self.page_base_url}{PAGE_PATH}/{self.page_token(case_id, language)}"

    def open_page(self, token: str) -> PageLink:
        """The case and language a page token names; BadLink when it does not."""
        try:
            found = self._page.loads(token, max_age=self.max_age)
        except SignatureExpired as error:
            raise BadLink("the link has expired", expired=True) from error
        except BadSignature as error:
            raise BadLink("the link is not one we sent") from error
        if not isinstance(found, dict) or not isinstance(found.get("c"), str):
            raise BadLink("the link is not one we sent")
        return PageLink(found["c"], str(found.get("l") or "en"))

    # The reply address

    def reply_address(self, case_id: str) -> str:
        """`reply+…@<REPLY_DOMAIN>` for case `case-<uuid>` (every case id is one)."""
        if not case_id.startswith(CASE_PREFIX):
            raise ValueError(f"{case_id!r} is not a case id")
        payload = b32(uuid.UUID(case_id.removeprefix(CASE_PREFIX)).bytes)
        signature = self._mac(self._secrets[0], payload)
        return f"{REPLY_LOCAL_PART}+{payload}.{signature}@{self.reply_domain}"

    def case_of_reply(self, address: str) -> str:
        """The case a reply address (any letter case, with or without angle brackets)
        threads to; BadLink when it names none."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        prefix = f"{REPLY_LOCAL_PART}+"
        if domain != self.reply_domain.lower() or not local.startswith(prefix):
            raise BadLink("not a reply address of ours")
        payload, _, signature = local.removeprefix(prefix).partition(".")
        if not any(
            hmac.compare_digest(self._mac(secret, payload), signature) for secret in self._secrets
        ):
            raise BadLink("the reply address is not one we sent")
        return f"{CASE_PREFIX}{uuid.UUID(bytes=unb32(payload))}"

    # The bounce address of a message sent (its envelope sender)

    def bounce_address(self, message_id: str) -> str:
        """`bounce+…@<REPLY_DOMAIN>` for the message `message_id` (a UUID)."""
        payload = b32(uuid.UUID(message_id).bytes)
        signature = self._mac(self._secrets[0], payload, BOUNCE_SALT)
        return f"{BOUNCE_LOCAL_PART}+{payload}.{signature}@{self.reply_domain}"

    def message_of_bounce(self, address: str) -> str:
        """The message a bounce address names; BadLink when it names none."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        prefix = f"{BOUNCE_LOCAL_PART}+"
        if domain != self.reply_domain.lower() or not local.startswith(prefix):
            raise BadLink("not a bounce address of ours")
        payload, _, signature = local.removeprefix(prefix).partition(".")
        if not any(
            hmac.compare_digest(self._mac(secret, payload, BOUNCE_SALT), signature)
            for secret in self._secrets
        ):
            raise BadLink("the bounce address is not one we sent")
        return str(uuid.UUID(bytes=unb32(payload)))

    # The Message-ID of a message sent to a buyer: a reply's In-Reply-To or References
    # threads it to its case even when the buyer's mail program answered another address.

    def message_id(self, case_id: str, key: str) -> str:
        """`<key.case.signature@REPLY_DOMAIN>`; `key` (letters, digits, dashes) names the
        message, unique per message."""
        if not key or not all(ch.isalnum() or ch == "-" for ch in key):
            raise ValueError(f"{key!r}: a message key is letters, digits and dashes")
        token = self.reply_address(case_id).split("+", 1)[1].split("@", 1)[0]
        return f"<{key}.{token}@{self.reply_domain}>"

    def case_of_message_id(self, message_id: str) -> str:
        """The case a Message-ID of ours names; BadLink for any other."""
        local, _, domain = message_id.strip().strip("<>").rpartition("@")
        _, _, token = local.partition(".")
        return self.case_of_reply(f"{REPLY_LOCAL_PART}+{token}@{domain}")

    @staticmethod
    def _mac(secret: bytes, payload: str, salt: str = REPLY_SALT) -> str:
        digest = hmac.new(secret, f"{salt}:{payload}".encode(), hashlib.sha256).digest()
        return b32(digest[:15])


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").lower()


def unb32(text: str) -> bytes:
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
