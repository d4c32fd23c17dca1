"""The registry: every channel registered once, and the lanes its delivery workers run."""

from services.intake.channels.marketplace import AS_SENT
from services.intake.channels.registry import BY_NAME, CHANNELS, LANES, channel_of
from services.intake.domain.case import Channel


def test_every_marketplace_channel_is_registered_once():
    names = [marketplace.channel for marketplace in CHANNELS]
    assert len(names) == len(set(names))
    # Agents open cases by hand (`POST /cases`): theirs is no marketplace's webhook.
    assert set(names) == set(Channel) - {Channel.AGENT}
    assert all(channel_of(name) is BY_NAME[name] for name in names)


def test_each_marketplace_api_has_its_own_lane_and_the_rest_share_one():
    assert LANES == {
        "shopify": (Channel.SHOPIFY,),
        "walmart": (Channel.WALMART,),
        "ebay": (Channel.EBAY,),
        AS_SENT: (Channel.AMAZON, Channel.GENERIC, Channel.AGENT),
    }


def test_every_channel_is_in_exactly_one_lane():
    lanes_of_each = [channel for channels in LANES.values() for channel in channels]
    assert sorted(lanes_of_each) == sorted(Channel)


def test_only_the_channels_of_their_own_lane_read_a_marketplace_api():
    for marketplace in CHANNELS:
        reads = marketplace.read_missing is not None
        assert reads == (marketplace.lane != AS_SENT), marketplace.channel


def test_only_the_generic_webhook_names_its_case_in_the_answer():
    assert [m.channel for m in CHANNELS if m.answers_case_id] == [Channel.GENERIC]
