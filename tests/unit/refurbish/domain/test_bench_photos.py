"""What a photo from the bench may be: an image by its own first bytes, not too large,
not too many; named by its content."""

import pytest

from services.refurbish.domain.bench_photos import (
    LARGEST_PHOTO,
    MOST_PHOTOS,
    PhotoRefused,
    photo_of,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def test_an_image_is_taken_by_its_own_bytes_and_named_by_its_content():
    assert [photo_of(data, 0).content_type for data in (JPEG, PNG, WEBP)] == [
        "image/jpeg",
        "image/png",
        "image/webp",
    ]
    assert photo_of(JPEG, 0).photo_id == photo_of(JPEG, 3).photo_id
    assert photo_of(JPEG, 0).photo_id != photo_of(PNG, 0).photo_id


@pytest.mark.parametrize(
    ("data", "kept", "why"),
    [
        (b"GIF89a" + b"\x00" * 10, 0, "JPEG, PNG or WebP"),
        (JPEG + b"\x00" * LARGEST_PHOTO, 0, "MiB at most"),
        (JPEG, MOST_PHOTOS, "photos at most"),
    ],
)
def test_a_photo_that_is_not_an_image_too_large_or_one_too_many_is_refused(data, kept, why):
    with pytest.raises(PhotoRefused, match=why):
        photo_of(data, kept)
