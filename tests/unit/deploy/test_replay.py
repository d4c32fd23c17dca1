"""What `make run` replays beside the generic webhooks: Shopify's returns, only where Shopify
is the emulator."""

from deploy.replay import shopify_emulator_of
from deploy.samples import shopify_returns
from deploy.settings import StackSettings


def test_shopify_returns_are_replayed_only_against_the_emulator():
    emulated = StackSettings(shopify_admin_base_url="http://127.0.0.1:8099/shopify/{shop}")
    assert shopify_emulator_of(emulated) == "http://127.0.0.1:8099"
    assert shopify_emulator_of(StackSettings(shopify_admin_base_url=None)) is None
    real = StackSettings(shopify_admin_base_url="https://{shop}")
    assert shopify_emulator_of(real) is None


def test_the_demo_returns_name_an_order_a_return_and_a_reason_per_line():
    returns = shopify_returns()
    assert len({r["return_id"] for r in returns}) == len(returns) >= 3
    assert any(len({reason for reason, _ in r["lines"]}) > 1 for r in returns)
