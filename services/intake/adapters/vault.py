"""Personal data at rest: encrypted with keys from settings, erased on request.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with MultiFernet for a key
rotation: the first key encrypts, every key decrypts, `rotate` re-encrypts with the first.
"""

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.intake.settings import IntakeSettings


class VaultNotConfigured(RuntimeError):
    pass


class Vault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise VaultNotConfigured(
                "INTAKE_PII_KEYS is not set: intake encrypts buyers' personal data and will not"
                " start without a key (make one with `python -m services.intake.adapters.vault`)"
            )
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> "Vault":
        raw = settings.intake_pii_keys.get_secret_value() if settings.intake_pii_keys else ""
        return cls([key.strip() for key in raw.split(",") if key.strip()])

    def seal(self, value: Any) -> bytes:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode())

    def open(self, token: bytes) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken as error:
            raise ValueError("sealed with a key this vault does not hold") from error

    def seal_bytes(self, data: bytes) -> bytes:
        """A file (a buyer's photo) sealed as it is."""
        return self._fernet.encrypt(data)

    def open_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as error:
            raise ValueError("sealed with a key this vault does not hold") from error

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)


def new_key() -> str:
    return Fernet.generate_key().decode()


if __name__ == "__main__":
    print(new_key())
