"""The emulators in one process: each outside system's router under its own path, faults on
demand for every one of them.

Every module of this package with a `router` is a system. It may also declare:
- `SETTINGS`: the services' settings that name its base URL, each with the path it is
  served under (`{"TRACKING_API_BASE_URL": "/easypost"}`), and fixed values they need (an
  API key, say), so that `make run` and the tests point the services at it;
- `install(app, now)`: the state it keeps on `app.state` (ledgers, what it was asked for).

    python -m deploy.emulators --host 127.0.0.1 --port 8099
"""

import argparse
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import ModuleType

import uvicorn
from fastapi import FastAPI

import deploy.emulators
from deploy.emulators import faults


def systems() -> Iterator[ModuleType]:
    """Each emulated system's module, by name."""
    for info in sorted(pkgutil.iter_modules(deploy.emulators.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # __main__ runs the process when imported
            continue
        module = importlib.import_module(f"deploy.emulators.{info.name}")
        if module is not faults and hasattr(module, "router"):
            yield module


def emulated_settings(base_url: str) -> dict[str, str]:
    """The settings that point every service at the emulators served at `base_url`."""
    return {
        name: value
        for settings in emulated_systems(base_url).values()
        for name, value in settings.items()
    }


def emulated_systems(base_url: str) -> dict[str, dict[str, str]]:
    """Each emulated system's settings (URLs and the credentials they take), by system."""
    return {
        system.__name__.rsplit(".", 1)[-1]: {
            name: f"{base_url}{value}" if value.startswith("/") else value
            for name, value in system.SETTINGS.items()
        }
        for system in systems()
        if hasattr(system, "SETTINGS")
    }


def create_app(now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """Every emulator with its state empty; `now` dates what they make (trackers' scans)."""
    app = FastAPI(title="Emulated outside APIs (never production)", docs_url="/_emulator/docs")
    app.state.faults = faults.Faults()
    app.add_middleware(faults.FaultsMiddleware)
    app.include_router(faults.router)
    app.include_router(faults.traffic_router)
    for system in systems():
        if hasattr(system, "install"):
            system.install(app, now)
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
