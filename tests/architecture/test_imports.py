"""The import direction of the design, checked on the source (see `modules.py`).

- No import cycles between the modules of services/ and shared/.
- A `domain/` module imports only its own service's domain, the pure shared modules, the
  standard library and pure libraries: no I/O, no tables, no workflows or adapters. The
  pure shared modules keep to the same rule, so the domain stays pure through them.
- A service's top level holds only app.py, tables.py and settings.py.
- A service never imports another service; shared/ never imports a service.
"""

import sys

from tests.architecture.modules import (
    SERVICES,
    Module,
    graph,
    imports_of,
    modules,
    shortest_cycle,
    strongly_connected,
)

PURE_SHARED = (
    "shared.events",
    "shared.markets",
    "shared.business_time",
    "shared.lifecycle",
    "shared.labels",
    "shared.compliance",
    "shared.staff_words",
)
INPUT_OUTPUT = (
    "sqlalchemy",
    "sqlmodel",
    "httpx",
    "fastapi",
    "starlette",
    "faststream",
    "aiokafka",
    "asyncpg",
    "psycopg",
    "psycopg2",
    "alembic",
    "aiohttp",
    "requests",
)
TOP_LEVEL = {"__init__.py", "app.py", "tables.py", "settings.py"}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def test_no_import_cycles():
    edges = graph()
    cycles = [" → ".join(shortest_cycle(edges, c)) for c in strongly_connected(edges)]
    assert cycles == [], "import cycles (each a shortest one through its group):\n" + "\n".join(
        cycles
    )


def is_pure(module: Module) -> bool:
    """A domain module, or one of the pure shared modules the domain may import."""
    if module.service:
        return within(module.name, f"services.{module.service}.domain")
    return any(within(module.name, pure) for pure in PURE_SHARED)


def pure_may_import(module: Module, imported: str) -> bool:
    top = imported.partition(".")[0]
    if top == "services":
        return module.service is not None and within(imported, f"services.{module.service}.domain")
    if top == "shared":
        return any(within(imported, pure) for pure in PURE_SHARED)
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    return top not in INPUT_OUTPUT and top not in ("deploy", "bench", "tests")


def test_domain_modules_import_only_the_domain_and_pure_contracts():
    wrong = [
        f"{module.relative} imports {imported}"
        for module in modules().values()
        if is_pure(module)
        for imported in sorted(imports_of(module.name))
        if not pure_may_import(module, imported)
    ]
    assert wrong == [], (
        "domain/ (or a pure shared module it may import) reaches outside the domain and the "
        "pure shared modules:\n" + "\n".join(wrong)
    )


def test_a_service_top_level_holds_only_app_tables_and_settings():
    extra = sorted(
        str(path.relative_to(SERVICES.parent))
        for service in SERVICES.iterdir()
        if service.is_dir()
        for path in service.glob("*.py")
        if path.name not in TOP_LEVEL
    )
    assert extra == [], "modules at a service's top level (move each into its room):\n" + (
        "\n".join(extra)
    )


def test_services_import_no_other_service():
    crossing = [
        f"{module.relative} imports {imported}"
        for module in modules().values()
        for imported in sorted(imports_of(module.name))
        if within(imported, "services")
        and imported != "services"
        and imported.split(".")[1] != module.service
    ]
    assert crossing == [], "imports across services (or from shared/ into a service):\n" + (
        "\n".join(crossing)
    )
