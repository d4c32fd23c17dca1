"""Channel adapters: each marketplace's delivery, verified and parsed into `Delivery`s.

Every adapter module offers the same pure functions, called by the HTTP layer in this
order: `account_of` (whose secrets to verify with), `verify`, then `parse`. The readers
below turn a body or headers into a pydantic model, or into the `ChannelError` to answer.
"""

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.domain.case import ChannelError, malformed
from services.intake.domain.channels.signing import lower_keys

Model = TypeVar("Model", bound=BaseModel)


def read_json(model: type[Model], body: bytes) -> Model:
    """The body as `model`: 400 when it is not JSON, 422 naming the first field at fault."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            raise ChannelError(400, "malformed_json", "the body is not JSON") from error
        raise invalid(error) from error


def read_headers(model: type[Model], headers: Mapping[str, str]) -> Model:
    """The headers as `model`, whose field aliases are the header names in lower case."""
    try:
        return model.model_validate(lower_keys(headers))
    except ValidationError as error:
        raise invalid(error) from error


def invalid(error: ValidationError) -> ChannelError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    return malformed(f"{field or 'body'}: {first['msg']}", field)
