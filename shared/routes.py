"""What the services' routes share: a row by its key, or the 404 that names what is missing."""

from typing import Any, TypeVar

from fastapi import HTTPException
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


def found(row: Row | None, missing: str) -> Row:
    """`row`, or a 404 saying `missing` ("no dispatch task shp-1")."""
    if row is None:
        raise HTTPException(404, missing)
    return row


async def get_or_404(
    session: AsyncSession, model: type[Row], key: Any, missing: str, *, lock: bool = False
) -> Row:
    """The row of `model` with primary key `key` (locked FOR UPDATE when `lock`), or a 404
    saying `missing`."""
    return found(await session.get(model, key, with_for_update=lock), missing)
