"""What a buyer's photo may be (`services/intake/domain/photos.py`)."""

import pytest

from services.intake.domain.photos import LARGEST_PHOTO, PhotoRefused, photo_of, type_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 8
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (b"GIF89a", None)],
)
def test_the_file_s_own_bytes_say_what_it_is(data, expected):
    assert type_of(data) == expected


@pytest.mark.parametrize(
    ("data", "reason", "count", "why"),
    [
        (PNG, "defective", 0, "photo_not_needed"),
        (b"", "damaged", 0, "photo_missing"),
        (PNG + b"\x00" * LARGEST_PHOTO, "damaged", 0, "photo_too_large"),
        (b"<svg/>", "damaged", 0, "photo_not_an_image"),
        (PNG, "not_as_described", 6, "photo_too_many"),
    ],
)
def test_a_photo_is_refused_with_why(data, reason, count, why):
    with pytest.raises(PhotoRefused, match=why):
        photo_of(data, reason, count)


def test_the_same_photo_is_the_same_photo():
    assert photo_of(PNG, "damaged", 0).photo_id == photo_of(PNG, "damaged", 5).photo_id
    assert photo_of(PNG, "damaged", 0).photo_id != photo_of(JPEG, "damaged", 0).photo_id
