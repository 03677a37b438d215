"""The package's modules form layers: no import cycles, and no module borrows another's private names.

A cycle makes the order of imports matter and hides which module owns what; a
private name (``_helper``) used from another module is a public one in
disguise, which its owner may change without knowing. Both are checked on the
source, imports inside functions included (they are cycles deferred, not
removed); imports under ``if TYPE_CHECKING:`` are left out, as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules(root: Path = SRC) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _runtime_nodes(tree: ast.Module):
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(modules: dict[str, Path]) -> tuple[dict[str, set[str]], list[str]]:
    """Each module's imports of other immsim modules, and every private name imported across modules."""
    graph: dict[str, set[str]] = {}
    private = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1]) if node.level else ""
                source = ".".join(x for x in (base, node.module or "") if x)
                if not source.startswith("immsim"):
                    continue
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        targets.add(f"{source}.{alias.name}")
                        continue
                    targets.add(source)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append(f"{name} imports {alias.name} from {source}")
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph, private


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycles():
    graph, _ = _imports(_modules())
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_private_name_is_imported_from_another_module():
    _, private = _imports(_modules())
    assert private == []


def test_the_checks_find_what_they_look_for(tmp_path):
    """The checks themselves: a planted cycle and a planted private import are found."""
    pkg = tmp_path / "immsim"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from immsim.b import _helper\n")
    (pkg / "b.py").write_text("def f():\n    from immsim import a\n\n_helper = 1\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from immsim import d\n")
    (pkg / "d.py").write_text("from immsim import c\n")
    graph, private = _imports(_modules(tmp_path))
    assert _cycle(graph) == ["immsim.a", "immsim.b", "immsim.a"]
    assert private == ["immsim.a imports _helper from immsim.b"]
    assert graph["immsim.c"] == set()  # a type-only import is not a runtime edge


#: Packages held to short functions (issue 15): the longest a function there may be, in lines with its docstring.
SHORT_FUNCTIONS = {"immsim.validation.network": 80}


def _long_functions(modules: dict[str, Path], package: str, limit: int) -> list[str]:
    """Functions (methods and nested ones included) of ``package`` longer than ``limit`` lines."""
    out = []
    for name, path in modules.items():
        if name != package and not name.startswith(package + "."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - min([node.lineno, *(d.lineno for d in node.decorator_list)]) + 1
                if lines > limit:
                    out.append(f"{name}.{node.name}: {lines} lines")
    return out


def test_the_network_simulator_has_no_long_function():
    """The network simulator's event loop was one 224-line function; its handlers now stay short."""
    modules = _modules()
    for package, limit in SHORT_FUNCTIONS.items():
        assert package in modules
        assert _long_functions(modules, package, limit) == []


def test_the_length_check_counts_lines(tmp_path):
    pkg = tmp_path / "immsim"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    body = "".join(f"    x{i} = {i}\n" for i in range(10))
    (pkg / "a.py").write_text(f"@decorator\ndef long():\n{body}\n\ndef short():\n    pass\n")
    assert _long_functions(_modules(tmp_path), "immsim", 11) == ["immsim.a.long: 12 lines"]
    assert _long_functions(_modules(tmp_path), "immsim", 12) == []
