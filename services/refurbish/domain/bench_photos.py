"""Photos a technician takes of a unit at the bench: what a photo may be, how many. Pure."""

import hashlib
from dataclasses import dataclass

LARGEST_PHOTO = 8 * 1024 * 1024  # bytes: a tablet camera's JPEG
MOST_PHOTOS = 12  # per inspection
PHOTOS_PER_FORM = 4  # sent with one checklist
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


def photo_of(data: bytes, photos_so_far: int) -> Photo:
    """A photo the inspection takes; PhotoRefused saying why otherwise."""
    if len(data) > LARGEST_PHOTO:
        raise PhotoRefused(f"a photo may be {LARGEST_PHOTO // (1024 * 1024)} MiB at most")
    content_type = type_of(data)
    if content_type is None:
        raise PhotoRefused("a photo must be a JPEG, PNG or WebP image")
    if photos_so_far >= MOST_PHOTOS:
        raise PhotoRefused(f"an inspection keeps {MOST_PHOTOS} photos at most")
    return Photo(content_type, data)


def type_of(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
