"""`make bench`: run every benchmark module in benchmarks/, or those named on the command line.

A benchmark module is a `*.py` file here (not starting with `_`) whose top level defines
`main() -> int`: 0 when it measured, whether or not it met its target (it prints a miss
clearly), non-zero on an error. This runner exits non-zero only when a benchmark errored.

    .venv/bin/python benchmarks/run.py            # all of them
    .venv/bin/python benchmarks/run.py callback   # just one
"""

import ast
import importlib
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def benchmark_modules() -> list[str]:
    """Names of the modules here that define a top-level `main` (found without importing)."""
    names = []
    for filename in sorted(os.listdir(HERE)):
        if not filename.endswith(".py") or filename.startswith("_") or filename == "run.py":
            continue
        with open(os.path.join(HERE, filename), encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename)
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            names.append(filename.removesuffix(".py"))
    return names


def run(name: str) -> int:
    """Import benchmark `name` and return its `main()`'s code (1 when it raised)."""
    print(f"=== benchmark {name}", flush=True)
    try:
        return importlib.import_module(name).main()
    except KeyboardInterrupt:
        raise
    except Exception:
        traceback.print_exc()
        return 1


def main(argv: list[str]) -> int:
    for path in (ROOT, HERE):
        if path not in sys.path:
            sys.path.insert(0, path)
    names = argv or benchmark_modules()
    unknown = sorted(set(names) - set(benchmark_modules()))
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)}", file=sys.stderr)
        return 2
    codes = {name: run(name) for name in names}
    failed = [name for name, code in codes.items() if code]
    print(f"=== {len(codes) - len(failed)} benchmark(s) ran, {len(failed)} errored"
          + (f": {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("=== interrupted", flush=True)
        sys.exit(130)
