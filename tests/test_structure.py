"""The shape of the code (STYLE.md §8, §12): imports flow one way, wechat ← models ← jobs ←
handlers ← app.py, and no modules import each other in a loop. Read from the source with
`ast`, every import counted (those inside functions too: they hide a cycle, not remove it)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["wechat", "models", "jobs", "handlers", "app"]  # each may import only those before it
PACKAGES = set(LAYERS)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in LAYERS[:-1]:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `name` imports (a `from package import module` counts the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.split(".")[0] in PACKAGES and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def _is_face(path: Path) -> bool:
    """A package __init__ that only hands names on (imports, __all__): not a participant."""
    if path.name != "__init__.py":
        return False
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(isinstance(node, (ast.Import, ast.ImportFrom)) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) or (
        isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["__all__"])
        for node in body)


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_imports_never_run_back_up_the_layers():
    against = sorted(f"{module} -> {target}" for module, targets in _graph().items()
                     for target in targets if _layer(target) > _layer(module))
    assert against == []


def test_no_modules_import_each_other_in_a_loop():
    graph = _graph()
    faces = {name for name, path in _modules().items() if _is_face(path)}
    edges = {name: {t for t in targets if t not in faces} for name, targets in graph.items()
             if name not in faces}
    index, low, stack, on_stack, loops, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert loops == [], loops


def test_the_domain_knows_no_web_framework_and_no_queue():
    """models/ has no Flask request and no RQ (STYLE.md §8): configuration is handed in."""
    found = []
    for path in (ROOT / "models").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {name}" for name in names
                      if name.split(".")[0] in ("flask", "rq")]
    assert found == []
