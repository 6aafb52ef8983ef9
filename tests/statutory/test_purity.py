"""The statutory engine stands alone: no Django, no other part of Safeguard (ADR-002).

import-linter's contract checks the same in `make test`; this test also catches a new app
that the contract's list does not yet name.
"""

import ast
from pathlib import Path

import safeguard.statutory

PACKAGE = Path(safeguard.statutory.__file__).parent


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_engine_imports_no_framework_and_no_other_app() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in {"django", "ninja", "rest_framework", "jinja2"}:
                offences.append(f"{path.name}: {module}")
            if top == "safeguard" and not module.startswith("safeguard.statutory"):
                offences.append(f"{path.name}: {module}")
    assert offences == []
