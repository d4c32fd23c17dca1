"""Photos staff take of a returned parcel as it is scanned in: what a photo may be, how
many. Pure."""

import hashlib
from dataclasses import dataclass

LARGEST_PHOTO = 8 * 1024 * 1024  # bytes: a phone or tablet camera's JPEG
PHOTOS_PER_SCAN = 4
# The file's own first bytes say what it is, whatever name or type the browser gave it.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class PhotoRefused(ValueError):
    """Why a photo is not taken."""


@dataclass(frozen=True)
class Photo:
    content_type: str
    data: bytes

    @property
    def photo_id(self) -> str:
        """Named by its content: the same photo sent twice is one photo."""
        return hashlib.sha256(self.data).hexdigest()[:32]


def photos_of(files: list[bytes]) -> list[Photo]:
    """The photos a scan keeps (empty file fields skipped); PhotoRefused saying why."""
    files = [data for data in files if data]
    if len(files) > PHOTOS_PER_SCAN:
        raise PhotoRefused(f"a parcel is scanned with {PHOTOS_PER_SCAN} photos at most")
    return [photo_of(data) for data in files]


def photo_of(data: bytes) -> Photo:
    if len(data) > LARGEST_PHOTO:
        raise PhotoRefused(f"a photo may be {LARGEST_PHOTO // (1024 * 1024)} MiB at most")
    content_type = type_of(data)
    if content_type is None:
        raise PhotoRefused("a photo must be a JPEG, PNG or WebP image")
    return Photo(content_type, data)


def type_of(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
