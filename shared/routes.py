"""What the services' routes share: a row by its key, or the 404 that names what is missing;
the header that names a download."""

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import HTTPException
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.identity import Principal

Row = TypeVar("Row", bound=SQLModel)


def found(row: Row | None, missing: str) -> Row:
    """`row`, or a 404 saying `missing` ("no dispatch task shp-1")."""
    if row is None:
        raise HTTPException(404, missing)
    return row


def served(
    caller: Principal, row: Row | None, seller_of: Callable[[Row], str | None], missing: str
) -> Row:
    """`row` when the caller serves its seller (`seller_of(row)`); else the 404 of one that
    does not exist, saying `missing`: another seller's thing is not told apart."""
    return found(row if row is not None and caller.serves(seller_of(row)) else None, missing)


async def get_or_404(
    session: AsyncSession, model: type[Row], key: Any, missing: str, *, lock: bool = False
) -> Row:
    """The row of `model` with primary key `key` (locked FOR UPDATE when `lock`), or a 404
    saying `missing`."""
    return found(await session.get(model, key, with_for_update=lock), missing)


UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\%]')


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition of a download named `filename`, any Unicode in it (RFC 6266:
    an ASCII fallback, and the name itself percent-encoded in UTF-8 for clients that read it)."""
    fallback = UNSAFE_IN_QUOTES.sub("_", filename)
    encoded = quote(filename, safe="")
    value = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    return {"Content-Disposition": value}
