"""The layer rule of natality/ holds by itself: each subpackage imports only the ones below it.

Data flows one way (source -> extract -> query -> statistics -> figure -> page). The allowed
list below is the one written in each subpackage's ``__init__`` docstring and in
docs/ARCHITECTURE.md; a new import across the seams fails here until both are changed.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "natality"

# Subpackage (or top module) -> the natality parts it may import, besides itself.
ALLOWED = {
    "core": set(),
    "geo": {"core"},
    "importing": {"core", "geo"},
    "demo": {"core", "geo"},
    "versions": {"core", "importing"},
    "srb": {"core"},
    "scorecard": {"core", "srb"},
    "births": {"core", "srb"},
    "maps": {"core", "geo", "srb", "scorecard"},
    "compare": {"core", "srb", "scorecard", "maps"},
    "export": {"core", "srb", "scorecard", "births", "maps", "compare"},
    "ui": {"core", "geo", "importing", "demo", "versions", "srb", "scorecard", "births", "maps", "compare", "export"},
    "cli": {"core", "geo", "importing", "demo", "srb", "scorecard", "births", "maps", "compare", "export"},
    "__main__": {"cli"},
}
# Modules that compute (extract, query, statistics): no figure and no Streamlit in them.
NO_FIGURES = [
    "core.extract",
    "core.db",
    "core.i18n",
    "core.context",
    "core.notes",
    "geo.formats",
    "geo.boundaries",
    "importing.importer",
    "importing.validate",
    "importing.readers",
    "importing.write",
    "demo.county",
    "demo.province",
    "srb.stats",
    "srb.tables",
    "scorecard.indicators",
    "scorecard.judging",
    "scorecard.ranking",
    "scorecard.scoring",
    "scorecard.reasons",
    "scorecard.uncertainty",
    "births.overview",
    "births.projection",
    "births.alerts",
    "compare.comparison",
    "compare.monthly",
    "export.leader_notes",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; write natality.X in full"
            base = node.module or ""
            found.add(base)
            # ``from natality.srb import stats`` imports the module natality.srb.stats
            found.update(f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}"))
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel.with_suffix(".py")).is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def natality_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        graph[name] = {m for m in imported_modules(path) if m.startswith("natality.") and _is_module(m)}
    return graph


def part_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "natality"


GRAPH = natality_graph()


def test_every_subpackage_is_in_the_allowed_list_and_says_what_it_owns():
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    parts |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert parts == set(ALLOWED)
    for part in parts:
        init = PACKAGE / part / "__init__.py"
        if init.exists():
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
            assert "May import:" in doc, f"{init}: the docstring says what the package may import"
            said = set(re.findall(r"natality\.([a-z]+)", doc.split("May import:")[1]))
            assert said == ALLOWED[part], f"{init}: docstring and ALLOWED disagree"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_module_imports_only_its_own_part_or_lower_layers(module):
    part = part_of(module)
    if part == "natality":  # the package's own __init__
        assert GRAPH[module] == set()
        return
    for dep in GRAPH[module]:
        other = part_of(dep)
        assert other == part or other in ALLOWED[part], f"{module} imports {dep}: {part} may not import {other}"


def test_no_import_circle_between_modules():
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH.get(node, ())):
            if state.get(dep) == 1:
                raise AssertionError("import circle: " + " -> ".join([*trail, node, dep]))
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", NO_FIGURES)
def test_computing_modules_draw_nothing(module):
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    deps = imported_modules(path)
    assert not {d for d in deps if d.split(".")[0] in {"plotly", "streamlit"}}, module


def test_only_ui_imports_streamlit():
    users = {
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if any(d.split(".")[0] == "streamlit" for d in imported_modules(p))
    }
    assert users and all(u == "natality.ui" or u.startswith("natality.ui.") for u in users), users


@pytest.mark.parametrize("part", sorted(p for p in ALLOWED if (PACKAGE / p / "__init__.py").exists()))
def test_each_subpackage_imports_on_its_own(part):
    # Every file of the part resolves its own imports (a moved file naming an old path fails here).
    for path in sorted((PACKAGE / part).glob("*.py")):
        importlib.import_module(module_name(path))


def test_no_module_over_400_lines():
    """A module that outgrows 400 lines is split along its seams (issue 22), not left to grow."""
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_no_merge_conflict_markers_left_in_the_tree():
    """A merge left README.md with its conflict markers once: no text file may keep them."""
    root = PACKAGE.parent
    marked = [
        str(path.relative_to(root))
        for folder in ("natality", "pages", "queries", "docs", "tests", "bench", "deploy")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".md", ".sql", ".yaml", ".toml"}
        and "__pycache__" not in path.parts
        and re.search(r"^(<{7} |>{7} )", path.read_text(encoding="utf-8", errors="replace"), re.M)
    ] + [
        name
        for name in ("README.md", "dashboard.py", "Makefile")
        if re.search(r"^(<{7} |>{7} )", (root / name).read_text(encoding="utf-8"), re.M)
    ]
    assert marked == []
