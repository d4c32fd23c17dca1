"""The project's modules and what each imports, read from the source with `ast` (nothing is
imported, so a module that cannot be imported yet is still read).

Every import counts wherever it is written: at the top, inside a function, or under
`if TYPE_CHECKING:` (a cycle hidden there is still a cycle of the design).
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
PACKAGES = ("services", "shared")


@dataclass(frozen=True)
class Module:
    name: str  # dotted: services.intake.domain.case; a package by its own name
    path: Path
    is_package: bool

    @property
    def service(self) -> str | None:
        """The service the module belongs to, None for shared/ (and services/__init__)."""
        parts = self.name.split(".")
        return parts[1] if parts[0] == "services" and len(parts) > 1 else None

    @property
    def relative(self) -> str:
        return str(self.path.relative_to(ROOT))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Module]:
    """Every Python file under services/ and shared/, by its dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = module_name(path)
            found[name] = Module(name, path, path.name == "__init__.py")
    return found


def imported_names(module: Module) -> Iterator[tuple[str, str | None]]:
    """(module, name) for each import: `import a.b` gives ("a.b", None) and
    `from a.b import c` gives ("a.b", "c"); relative imports made absolute."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield base, alias.name


def resolved(target: str, name: str | None) -> str:
    """The module an import reads: `from a.b import c` is module a.b.c when c is a
    submodule, else a.b (its __init__)."""
    if name is not None and name != "*" and f"{target}.{name}" in modules():
        return f"{target}.{name}"
    return target


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@cache
def imports_of(name: str) -> frozenset[str]:
    """Every module (of the project or not) that importing `name` reads."""
    return frozenset(resolved(target, alias) for target, alias in imported_names(modules()[name]))


@cache
def graph() -> dict[str, frozenset[str]]:
    """The project's modules → the project modules each one runs when imported.

    Importing `a.b.c` from outside package `a.b` runs `a.b`'s __init__ too, so a package
    __init__ that imports a module importing back into the package is a cycle; a module
    importing a sibling runs no __init__ (its own package's is running already), but one
    importing a name from its own package's __init__ depends on it."""
    known = modules()
    edges = {}
    for name in known:
        own = set(ancestors(name))
        targets = set()
        for imported in imports_of(name):
            runs = [a for a in ancestors(imported) if a not in own]
            targets.update(m for m in (*runs, imported) if m in known and m != name)
        edges[name] = frozenset(targets)
    return edges


def strongly_connected(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def shortest_cycle(edges: dict[str, frozenset[str]], members: list[str]) -> list[str]:
    """A shortest way from the component's first module back to itself."""
    start, inside = members[0], set(members)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges[node] & inside):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    raise AssertionError(f"{members} is not a cycle")
