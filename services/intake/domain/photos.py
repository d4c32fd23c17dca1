"""Photos a buyer adds to their case from their page: when the reason calls for them, what
a photo may be, how many. Pure."""

import hashlib
from dataclasses import dataclass

from shared.events import Reason

# A damaged item or one not as described: the agent (and the inspection) want to see it.
REASONS_FOR_PHOTOS = frozenset({Reason.DAMAGED.value, Reason.NOT_AS_DESCRIBED.value})
LARGEST_PHOTO = 5 * 1024 * 1024  # bytes
MOST_PHOTOS = 6  # per case
# The file's own first bytes say what it is, whatever name or type the browser gave it.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class PhotoRefused(ValueError):
    """Why a photo is not taken: the page's sentence key."""


@dataclass(frozen=True)
class Photo:
    content_type: str
    data: bytes

    @property
    def photo_id(self) -> str:
        """Named by its content: the same photo sent twice is one photo."""
        return hashlib.sha256(self.data).hexdigest()[:32]


def calls_for_photos(reason: str) -> bool:
    return reason in REASONS_FOR_PHOTOS


def photo_of(data: bytes, reason: str, photos_so_far: int) -> Photo:
    """A photo the case takes; PhotoRefused with the page's reason otherwise."""
    if not calls_for_photos(reason):
        raise PhotoRefused("photo_not_needed")
    if not data:
        raise PhotoRefused("photo_missing")
    if len(data) > LARGEST_PHOTO:
        raise PhotoRefused("photo_too_large")
    content_type = type_of(data)
    if content_type is None:
        raise PhotoRefused("photo_not_an_image")
    if photos_so_far >= MOST_PHOTOS:
        raise PhotoRefused("photo_too_many")
    return Photo(content_type, data)


def type_of(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
