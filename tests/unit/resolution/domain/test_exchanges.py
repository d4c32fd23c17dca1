from services.resolution.domain.exchanges import settles, swap_for
from shared.events import CaseItem, ExchangeChoice

TEE = CaseItem(sku="TEE-M", category="apparel", title="Tee, M", quantity=2, unit_price_minor=1500)
MUG = CaseItem(sku="MUG", quantity=1, unit_price_minor=800)


def test_without_a_choice_the_same_items_ship_and_nothing_is_owed():
    swap = swap_for([TEE], None)
    assert (swap.items, swap.price_difference_minor, swap.refund_minor) == ([TEE], 0, 0)


def test_a_dearer_variant_costs_the_buyer_the_difference_per_unit():
    swap = swap_for([TEE, MUG], ExchangeChoice(sku="TEE-L", unit_price_minor=1800))
    assert [(i.sku, i.quantity, i.unit_price_minor) for i in swap.items] == [
        ("TEE-L", 2, 1800),
        ("MUG", 1, 800),
    ]
    assert swap.items[0].title == "Tee, M" and swap.items[0].category == "apparel"
    assert (swap.price_difference_minor, swap.refund_minor) == (600, 0)


def test_a_cheaper_variant_refunds_the_difference():
    swap = swap_for([TEE], ExchangeChoice(sku="TEE-S", title="Tee, S", unit_price_minor=1200))
    assert (swap.price_difference_minor, swap.refund_minor) == (-600, 600)
    assert swap.items[0].title == "Tee, S"


def test_the_policy_caps_the_difference_either_way():
    dearer = swap_for([TEE], ExchangeChoice(sku="TEE-XL", unit_price_minor=2500))  # +2000
    cheaper = swap_for([TEE], ExchangeChoice(sku="TEE-XS", unit_price_minor=400))  # -2200
    assert settles(dearer, 2000) and not settles(dearer, 1999)
    assert not settles(cheaper, 2000)
