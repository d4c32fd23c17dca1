"""The emulators in one process: each outside system's router under its own path, faults on
demand for every one of them.

    python -m deploy.emulators --host 127.0.0.1 --port 8099
"""

import argparse
from collections.abc import Callable
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI

from deploy.emulators import easypost, faults, refund_api

# Each emulated system: its module's router, mounted at `/<system>`.
SYSTEMS = (refund_api, easypost)


def create_app(now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """Every emulator with its state empty; `now` dates what they make (trackers' scans)."""
    app = FastAPI(title="Emulated outside APIs (never production)", docs_url="/_emulator/docs")
    app.state.faults = faults.Faults()
    app.state.refunds = refund_api.RefundLedger()
    app.state.trackers = easypost.Trackers(now)
    app.add_middleware(faults.FaultsMiddleware)
    app.include_router(faults.router)
    for system in SYSTEMS:
        app.include_router(system.router)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve until Ctrl-C; only warnings are logged, to keep demos quiet."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
