"""The channel accounts file, read at start-up."""

import json

import pytest

from services.intake.workflows.accounts import read_accounts_file


def test_the_accounts_file_is_read_whole(tmp_path):
    entries = [
        {"channel": "shopify", "account": "acme.myshopify.com", "seller": "acme", "secrets": ["s"]}
    ]
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(entries))
    assert read_accounts_file(path) == entries


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"channel": "shopify"}, "expected a JSON list"),
        ([{"channel": "shopify", "account": "acme"}], "account 1 lacks seller"),
        ([{"channel": "etsy", "account": "a", "seller": "s"}], "etsy"),
    ],
)
def test_a_wrong_accounts_file_says_what_is_wrong(tmp_path, content, words):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=words):
        read_accounts_file(path)
