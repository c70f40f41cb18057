"""The package's layers point one way: a module imports its own subpackage and the layers below it, never a layer
above it nor the other subpackage of its own row. Every import counts, at module level or inside a function."""
import ast
from pathlib import Path
from typing import Iterator, Optional

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline" / "dataref"

# Top to bottom. `report` sits above `run`: it reads and annotates papers with run's pipeline loader and names.
# `readers` and `pipes` share a row: neither imports the other.
LAYERS: list[tuple[str, ...]] = [
    ("cli",),
    ("report",),
    ("run", "training"),
    ("readers", "pipes"),
    ("output",),
    ("linking",),
    ("top",),  # errors.py, extensions.py
]
RANK = {layer: rank for rank, row in enumerate(reversed(LAYERS)) for layer in row}
TOP_MODULES = {"errors", "extensions"}
ROOT = "root"  # dataref/__init__.py, the public names: it may import anything; of the layers only cli imports it


def module_name(path: Path) -> str:
    parts = ["dataref", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> Optional[str]:
    """The layer of a module of dataref, ROOT for the package itself, None for any other package's."""
    parts = module.split(".")
    if parts[0] != "dataref":
        return None
    if len(parts) == 1:
        return ROOT
    return "top" if parts[1] in TOP_MODULES else parts[1]


def is_module(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str, bool]]:
    """(line, absolute name of the imported module, whether the import is relative) for every import of the
    source, wherever it is (module level, functions, `if TYPE_CHECKING:`)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, False
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.level <= len(package), f"{module}:{node.lineno}: a relative import above the package"
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:  # `from ..pipes import linker` imports the module dataref.pipes.linker
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if is_module(candidate) else base, bool(node.level)


def violations(source: str, module: str, is_package: bool) -> list[str]:
    importer = layer_of(module)
    if importer == ROOT:
        return []
    found = []
    for line, target, _ in imports(source, module, is_package):
        layer = layer_of(target)
        if layer is None or layer == importer:
            continue
        where = f"{module}:{line} imports {target}"
        if layer == ROOT:
            if importer != "cli":
                found.append(f"{where}: only cli imports the package root")
        elif layer not in RANK:
            found.append(f"{where}: {layer} is in no layer (add it to LAYERS in tests/test_layout.py)")
        elif RANK[layer] >= RANK[importer]:
            found.append(f"{where}: {importer} may not import {layer} (a layer above it or beside it)")
    return found


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def check(path: Path) -> list[str]:
    return violations(path.read_text(encoding="utf8"), module_name(path), path.name == "__init__.py")


def test_every_module_has_a_layer():
    layers = {layer_of(module_name(path)) for path in package_modules()}
    assert layers <= set(RANK) | {ROOT}, f"subpackages in no layer: {layers - set(RANK) - {ROOT}}"
    assert all((PACKAGE / layer / "__init__.py").is_file() for layer in RANK if layer != "top")
    assert all((PACKAGE / f"{name}.py").is_file() for name in TOP_MODULES)


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers_point_down(path):
    assert check(path) == []


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_imports_itself_relatively(path):
    source = path.read_text(encoding="utf8")
    absolute = [(line, target) for line, target, relative in imports(source, module_name(path),
                                                                       path.name == "__init__.py")
                if not relative and layer_of(target) is not None]
    assert absolute == []


@pytest.mark.parametrize("module, line, expected", [
    ("dataref.readers.tei", "from ..pipes import linker", "readers may not import pipes"),
    ("dataref.readers.tei", "from ..pipes.linker import CitationLinker", "readers may not import pipes"),
    ("dataref.readers.paper", "from ..run.extract import load_pipeline", "readers may not import run"),
    ("dataref.pipes.kb", "from ..readers import TEIReader", "pipes may not import readers"),
    ("dataref.linking.names", "from ..output.results import doc_to_json", "linking may not import output"),
    ("dataref.run.extract", "from ..training import convert", "run may not import training"),
    ("dataref.output.results", "from .. import NIL", "only cli imports the package root"),
    ("dataref.output.results", "import dataref.pipes.kb", "output may not import pipes"),
])
def test_an_upward_import_is_caught(module, line, expected):
    """A module as it is, plus one import in a function: the check names it."""
    path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    source = path.read_text(encoding="utf8") + f"\n\ndef _added():\n    {line}  # noqa: F401\n"
    found = violations(source, module, False)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize("form", [r"10\.\d{4", "1[89]|20", r're.compile(r"\s+")'])
def test_doi_year_and_white_space_forms_are_written_once(form):
    """A DOI, a year and a run of white space are matched the way linking/patterns.py says, everywhere."""
    found = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
             if form in path.read_text(encoding="utf8")]
    assert found == ["linking/patterns.py"]
