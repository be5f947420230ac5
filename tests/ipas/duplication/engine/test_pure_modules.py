"""The engine's pure modules stay pure: no Django, no model, no database, not even inside a function, so
they can be tested (and benchmarked) on a corpus built in memory."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ipas.duplication.engine as engine

ENGINE = Path(engine.__file__).parent
PURE = ["tuning", "text", "vectors", "corpus_model", "pairs", "highlighting", "fingerprints", "concepts"]
READS_THE_DATABASE = ["corpus", "material", "consultation"]
# What a pure module must not import: the web framework, the models, and the modules that read the database.
FORBIDDEN = ("django", "ipas.models", "partners", "pillars", "board", "iisg_portal") + tuple(
    f"ipas.duplication.engine.{name}" for name in READS_THE_DATABASE
)


def imported(path: Path) -> set[str]:
    """Every module a source file imports, at its top or anywhere inside it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve within the engine
                names.add(f"ipas.duplication.engine.{node.module or ''}".rstrip("."))
            else:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_module_of_the_engine_is_known_as_pure_or_reading_the_database():
    modules = {path.stem for path in ENGINE.glob("*.py")} - {"__init__"}
    assert modules == set(PURE) | set(READS_THE_DATABASE)


@pytest.mark.parametrize("name", PURE)
def test_a_pure_module_imports_nothing_of_django_or_the_database(name):
    found = imported(ENGINE / f"{name}.py")
    assert not {x for x in found for forbidden in FORBIDDEN if x == forbidden or x.startswith(f"{forbidden}.")}


def test_the_engine_imports_without_django():
    """The modules that read the database import Django inside their functions only."""
    code = (
        "import sys, ipas.duplication.engine; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'partners', 'pillars', 'board')"
        " or m.startswith('ipas.models')))"
    )
    root = ENGINE.parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.strip() == "[]"
