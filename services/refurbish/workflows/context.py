"""Refurbish's context: what its routes share while it runs (built by `app.py`), and the
dependency that hands it to a route."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.refurbish.adapters.buyer_photos import BuyerPhotos
from shared.service import context_of


@dataclass
class Refurbish:
    """Intake's photos of each case, shown to the technician at the bench."""

    buyer_photos: BuyerPhotos


CurrentRefurbish = Annotated[Refurbish, Depends(context_of)]
