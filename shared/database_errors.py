"""Whether a database error means the server is out of reach for now (worth trying again,
or a 503 to a caller), rather than a wrong statement. No imports of the project's own: the
edge, the consumer and the leased workers all ask it."""

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes of a server out of reach: a connection exception (08…), the server
# shutting down or starting up (57P01-57P03), no connection slot left (53300).
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(error: BaseException) -> bool:
    """The database is out of reach (down, restarting, the connection lost, every pooled
    connection busy past the pool's timeout), rather than the statement wrong: worth trying
    again once it answers."""
    if isinstance(error, OperationalError | InterfaceError | ConnectionError | OSError):
        return True
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return error.connection_invalidated or str(state or "").startswith(UNREACHABLE_STATES)
