"""The shape of the code: no import cycles, and base packages import no feature built on them.

The graph is read from the source with ``ast``, so it counts every import in a module,
those inside functions too (a function-level import hiding a cycle is still a cycle). An
edge goes to the module an import names: ``from helpdesk.tickets import services`` points
at ``helpdesk.tickets.services``, ``from helpdesk.api import api_v1`` at ``helpdesk.api``.
The parent packages an import runs implicitly are not edges (every module would otherwise
depend on ``helpdesk/__init__.py``, the app factory that wires all of them together).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "helpdesk"

#: the packages everything else builds on; they import none of ``FEATURES``
BASE_PACKAGES = ("tickets", "contacts", "geography", "agents")
#: capabilities built on the base packages
FEATURES = (
    "attachments",
    "calls",
    "console",
    "knowledge",
    "reports",
    "sla",
    "portal",
    "demo",
    "cli",
    "mail",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``helpdesk`` modules that ``module`` imports, anywhere in its source."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, path.name == "__init__.py")
            # ``from pkg import sub`` imports the submodule ``pkg.sub`` when there is one.
            names = [
                f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            # ``import helpdesk.a.b`` where b is a name in a: the nearest module.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    modules = {"helpdesk.a": None, "helpdesk.a.b": None, "helpdesk.c": None}
    source = tmp_path / "b.py"
    source.write_text("def f():\n    from helpdesk.c import thing\n\nfrom . import b\n")
    assert imports_of("helpdesk.a.x", source, modules) == {"helpdesk.c", "helpdesk.a.b"}
    assert find_cycle({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == ["x", "y", "z", "x"]
    assert find_cycle({"x": {"y"}, "y": set()}) is None


def test_helpdesk_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_base_packages_import_no_feature():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if package_of(module) in BASE_PACKAGES
        for target in targets
        if package_of(target) in FEATURES
    )
    assert not wrong, "a base package imports a feature:\n" + "\n".join(wrong)
