"""A channel account's credentials: which secrets verify when, a rotation with or without a
grace period, API credentials changed one by one, and what may be shown of them."""

from datetime import UTC, datetime, timedelta

from services.intake.domain.account import (
    described,
    in_force,
    rotated,
    with_api_credentials,
    without_credentials,
)

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
STORED = {"secrets": ["s-current"], "retiring": [], "access_token": "shpat-1"}


def test_a_rotation_with_a_grace_period_keeps_the_old_secret_until_it_ends():
    credentials = rotated(STORED, "s-new", HOUR, NOW)
    assert in_force(credentials, NOW)[0]["secrets"] == ["s-new", "s-current"]
    assert in_force(credentials, NOW)[1] == NOW + HOUR
    assert in_force(credentials, NOW + HOUR)[0]["secrets"] == ["s-new"]
    assert in_force(credentials, NOW + HOUR)[1] is None
    assert in_force(credentials, NOW)[0]["access_token"] == "shpat-1"
    assert "retiring" not in in_force(credentials, NOW)[0]


def test_a_rotation_without_grace_drops_the_old_secret_at_once():
    credentials = rotated(STORED, "s-new", timedelta(0), NOW)
    assert in_force(credentials, NOW)[0]["secrets"] == ["s-new"]


def test_secrets_retiring_already_keep_their_own_end_and_the_expired_are_forgotten():
    first = rotated(STORED, "s-2", HOUR, NOW)
    second = rotated(first, "s-3", 3 * HOUR, NOW + 30 * timedelta(minutes=1))
    assert in_force(second, NOW + 45 * timedelta(minutes=1))[0]["secrets"] == [
        "s-3",
        "s-current",
        "s-2",
    ]
    assert in_force(second, NOW + 2 * HOUR)[0]["secrets"] == ["s-3", "s-2"]
    third = rotated(second, "s-4", timedelta(0), NOW + 2 * HOUR)
    assert [each["secret"] for each in third["retiring"]] == ["s-2"]


def test_rotating_to_a_secret_in_use_does_not_retire_it():
    credentials = rotated(STORED, "s-current", HOUR, NOW)
    assert in_force(credentials, NOW + 2 * HOUR)[0]["secrets"] == ["s-current"]


def test_a_file_account_with_two_secrets_verifies_with_both():
    assert in_force({"secrets": ["new", "old"]}, NOW)[0]["secrets"] == ["new", "old"]
    assert in_force({"keysets": [{"dev_id": "d"}]}, NOW)[0]["secrets"] == []


def test_api_credentials_change_one_by_one_and_a_none_removes_one():
    changed = with_api_credentials(STORED, {"access_token": "shpat-2", "scope": None, "x": 1})
    assert changed == {"secrets": ["s-current"], "retiring": [], "access_token": "shpat-2", "x": 1}
    assert with_api_credentials(changed, {"x": None}) == {**STORED, "access_token": "shpat-2"}


def test_what_is_shown_says_how_many_and_which_never_what():
    credentials = rotated({**STORED, "keysets": [{"cert_id": "c-1"}]}, "s-new", HOUR, NOW)
    shown = described(credentials, NOW)
    assert shown == {
        "secrets": 1,
        "retiring_secrets": [NOW + HOUR],
        "credentials": ["access_token", "keysets"],
    }
    assert described(credentials, NOW + HOUR)["retiring_secrets"] == []
    assert not {"s-new", "s-current", "shpat-1", "c-1"} & set(map(str, shown.values()))


def test_a_marketplaces_echo_of_a_credential_is_blanked_out():
    credentials = {"secrets": ["s-current"], "keysets": [{"cert_id": "PRD-cert-1"}], "n": 7}
    said = "token PRD-cert-1 refused for s-current (code 7)"
    assert without_credentials(said, credentials) == (
        "token [redacted] refused for [redacted] (code 7)"
    )
