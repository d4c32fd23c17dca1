"""Photos of a returned parcel: images by their own bytes, a few per scan, each once."""

import pytest

from services.fulfillment.domain.parcel_photos import (
    LARGEST_PHOTO,
    PHOTOS_PER_SCAN,
    PhotoRefused,
    photos_of,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_images_are_known_by_their_bytes_and_empty_fields_skipped():
    photos = photos_of([JPEG, b"", PNG])
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert photos_of([JPEG])[0].photo_id == photos[0].photo_id  # the same photo, one id


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ([b"%PDF-1.7"], "JPEG, PNG or WebP"),
        ([JPEG + b"\x00" * LARGEST_PHOTO], "MiB at most"),
        ([JPEG] * (PHOTOS_PER_SCAN + 1), "photos at most"),
    ],
)
def test_what_is_not_a_photo_or_too_much_is_refused(files, why):
    with pytest.raises(PhotoRefused, match=why):
        photos_of(files)
