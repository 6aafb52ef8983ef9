"""Architecture checks (ARCHITECTURE.md, conventions 5 and 6).

- Views and API modules never query case data themselves: no ``Model.objects`` on a model
  of a case-data app. They call selectors and services, which start from the access policy.
- Nothing outside ``safeguard.statutory`` counts working days or imports the holiday
  libraries: deadlines come from the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import safeguard

SRC = Path(safeguard.__file__).parent
CASE_DATA_APPS = {"people", "cases", "referrals", "earlyhelp", "assessments", "protection",
                  "sharing", "allegations", "reviews", "deaths"}
VIEW_MODULES = ("views.py", "api.py")


def case_models() -> set[str]:
    names: set[str] = set()
    for app in CASE_DATA_APPS:
        models = SRC / app / "models.py"
        if models.exists():
            tree = ast.parse(models.read_text())
            names.update(n.name for n in tree.body if isinstance(n, ast.ClassDef))
    return names


def view_files() -> list[Path]:
    files = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        # household_views.py, access_views.py …: views split out of an app's views.py.
        if path.name in VIEW_MODULES or path.name.endswith("_views.py") or "views" in path.parts:
            files.append(path)
    return sorted(files)


def test_views_never_query_case_data_directly() -> None:
    models = case_models()
    offences = []
    for path in view_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager")
                    and isinstance(node.value, ast.Name) and node.value.id in models):
                offences.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value.id}.objects")
    assert offences == [], "views must call selectors and services:\n" + "\n".join(offences)


def test_only_the_engine_knows_the_calendar() -> None:
    offences = []
    for path in SRC.rglob("*.py"):
        if "statutory" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for banned in ("import holidays", "govuk_bank_holidays", "from holidays"):
            if banned in text:
                offences.append(f"{path.relative_to(SRC)}: {banned}")
    assert offences == []
