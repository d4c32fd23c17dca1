"""A module's tests are found by its path.

- `tests/unit/<svc>/<room>/.../test_<x>.py` tests `services/<svc>/<room>/.../<x>.py` or the
  package `<x>/` there (`tests/unit/intake/channels/test_shopify.py`:
  `services/intake/channels/shopify/`); `tests/unit/shared/test_<x>.py` tests `shared/<x>.py`
  (and so for the other top-level packages, e.g. `deploy/`).
- `tests/handlers/<svc>/test_<x>.py` drives the module `<x>` of the service's `handlers/`,
  `workflows/` or `workers/`; the files directly in `tests/handlers/` drive several services.
- Every test folder is a package (`__init__.py`), so that two `test_<x>.py` can share a name.
"""

from pathlib import Path

from tests.architecture.modules import ROOT, SERVICES

TESTS = ROOT / "tests"
UNIT = TESTS / "unit"
HANDLERS = TESTS / "handlers"


def exists(folder: Path, name: str) -> bool:
    return (folder / f"{name}.py").is_file() or (folder / name).is_dir()


def folder_of(first: str) -> Path | None:
    """Where the modules tested under tests/unit/<first>/ live."""
    if (SERVICES / first).is_dir():
        return SERVICES / first
    if (ROOT / first / "__init__.py").is_file():
        return ROOT / first
    return None


def unit_test_without_its_module(test: Path) -> str | None:
    relative = test.relative_to(UNIT)
    if len(relative.parts) == 1:
        return f"{relative}: in no folder named after what it tests"
    first, *rooms = relative.parts[:-1]
    base = folder_of(first)
    if base is None:
        return f"{relative}: {first}/ names no service and no top-level package"
    name = test.stem.removeprefix("test_")
    folder = base.joinpath(*rooms)
    if not exists(folder, name):
        return f"{relative}: no {folder.relative_to(ROOT) / name}.py nor package {name}/"
    return None


def test_unit_tests_mirror_the_modules_they_test():
    strays = [
        stray
        for test in sorted(UNIT.rglob("test_*.py"))
        if (stray := unit_test_without_its_module(test))
    ]
    assert strays == [], "unit tests not where their module is:\n" + "\n".join(strays)


def test_handler_tests_of_one_service_name_the_module_they_drive():
    strays = []
    for test in sorted(HANDLERS.glob("*/**/test_*.py")):
        service, name = test.relative_to(HANDLERS).parts[0], test.stem.removeprefix("test_")
        rooms = [SERVICES / service / room for room in ("handlers", "workflows", "workers")]
        if not any(exists(room, name) for room in rooms):
            strays.append(
                f"{test.relative_to(TESTS)}: no {name} in services/{service}/handlers/, "
                "workflows/ nor workers/"
            )
    assert strays == [], "handler tests named after no module they drive:\n" + "\n".join(strays)


def test_every_test_folder_is_a_package():
    folders = {test.parent for test in TESTS.rglob("test_*.py")}
    bare = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file())
    assert bare == [], f"test folders without __init__.py: {bare}"
