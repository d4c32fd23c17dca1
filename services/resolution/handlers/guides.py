"""The troubleshooting knowledge base over HTTP: a seller's guides over the starter set;
adding, replacing and removing one is the seller's admin's, and each edit is kept as a
version the seller's people can list. Another seller's guides answer 404, as a seller
unknown."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.resolution.domain.troubleshooting import Guide, guide_from_dict, guide_to_dict
from services.resolution.workflows import knowledge_base
from shared.identity import SellerAdmin, SellerReader
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])


class GuideBody(BaseModel):
    language: str = Field(min_length=2, max_length=8)
    title: str = Field(min_length=1, max_length=200)
    steps: list[str] = Field(min_length=1, max_length=12)
    sku: str | None = None
    category: str | None = None
    fault_code: str | None = None
    video_url: str | None = None
    symptoms: list[str] = Field(default_factory=list, max_length=20)
    general: bool | None = None  # also for a buyer naming no symptom; default: names none


class GuideVersionView(BaseModel):
    version: int  # 0: the starter set's text, which the seller's edits replace
    guide: dict[str, Any] | None  # None: the guide was removed in this version
    created_at: datetime | None
    created_by: str


@router.get("/guides/{seller}", summary="The seller's guides, over the starter set")
async def list_guides(
    seller: str,
    caller: SellerReader,
    service: CurrentService,
    sku: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        guides = await knowledge_base.guides_of(session, seller)
    return [
        guide_to_dict(g)
        for g in guides
        if (sku is None or g.sku == sku) and (language is None or g.language == language)
    ]


@router.put("/guides/{seller}/{guide_id}", summary="Add or replace a guide")
async def put_guide(
    seller: str, guide_id: str, body: GuideBody, caller: SellerAdmin, service: CurrentService
) -> dict[str, Any]:
    caller.seller_or_404(seller, "seller")
    if body.sku is None and body.category is None:
        raise HTTPException(422, "a guide is for a sku or for a category: give one")
    try:
        guide: Guide = guide_from_dict({"guide_id": guide_id, **body.model_dump()})
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    async with service.transaction() as session:
        version = await knowledge_base.save_guide(session, seller, guide, author=caller.name)
    return {**guide_to_dict(guide), "version": version}


@router.delete("/guides/{seller}/{guide_id}", status_code=204, summary="Remove")
async def delete_guide(
    seller: str, guide_id: str, caller: SellerAdmin, service: CurrentService
) -> None:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        if not await knowledge_base.delete_guide(session, seller, guide_id, author=caller.name):
            raise HTTPException(404, f"seller {seller} has no guide {guide_id}")


@router.get(
    "/guides/{seller}/{guide_id}/versions",
    summary="Every version of a guide: the starter text, then each edit, oldest first",
)
async def list_guide_versions(
    seller: str, guide_id: str, caller: SellerReader, service: CurrentService
) -> list[GuideVersionView]:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        versions = await knowledge_base.versions_of(session, seller, guide_id)
    if not versions:
        raise HTTPException(404, f"seller {seller} has no guide {guide_id}")
    return [GuideVersionView(**vars(v)) for v in versions]
