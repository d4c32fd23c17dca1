"""Every marketplace channel intake receives, each registered once. Adding a marketplace is
adding its package under `channels/` (with a `channel.py` exporting its
`MarketplaceChannel`) and its line here, its name being one of the domain's `Channel`s."""

from services.intake.channels.amazon.channel import AMAZON
from services.intake.channels.ebay.channel import EBAY
from services.intake.channels.generic.channel import GENERIC
from services.intake.channels.marketplace import AS_SENT, MarketplaceChannel
from services.intake.channels.shopify.channel import SHOPIFY
from services.intake.channels.walmart.channel import WALMART
from services.intake.domain.case import Channel

CHANNELS: tuple[MarketplaceChannel, ...] = (SHOPIFY, WALMART, EBAY, AMAZON, GENERIC)

BY_NAME: dict[Channel, MarketplaceChannel] = {each.channel: each for each in CHANNELS}


def channel_of(channel: Channel) -> MarketplaceChannel:
    return BY_NAME[channel]


def lanes_of(channels: tuple[MarketplaceChannel, ...]) -> dict[str, tuple[Channel, ...]]:
    """The channels of each delivery lane. Cases agents open by hand are parsed when they
    are accepted: they wait in the lane of the channels that read no marketplace API."""
    lanes: dict[str, list[Channel]] = {}
    for each in channels:
        lanes.setdefault(each.lane, []).append(each.channel)
    lanes.setdefault(AS_SENT, []).append(Channel.AGENT)
    return {lane: tuple(members) for lane, members in lanes.items()}


LANES = lanes_of(CHANNELS)
