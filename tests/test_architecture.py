"""The rules of ARCHITECTURE.md, checked on the imports of every module."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "layoutkit"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """What a module imports at run time (type-only imports under TYPE_CHECKING excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def importers_of(prefix: str) -> set[str]:
    return {
        name
        for name, imports in MODULES.items()
        if any(i == prefix or i.startswith(prefix + ".") for i in imports)
    }


def within(name: str, owner: str) -> bool:
    return name == owner or name.startswith(owner + ".")


def test_only_render_imports_pillow() -> None:
    assert all(within(m, "layoutkit.render") for m in importers_of("PIL"))


def test_only_cli_imports_click() -> None:
    assert all(within(m, "layoutkit.cli") for m in importers_of("click"))


def test_only_the_client_and_the_test_glue_import_requests() -> None:
    allowed = ("layoutkit.client", "layoutkit.pytest_plugin")
    assert all(any(within(m, a) for a in allowed) for m in importers_of("requests"))


def test_client_and_emulator_never_import_each_other() -> None:
    assert not any(within(m, "layoutkit.client") for m in importers_of("layoutkit.emulator"))
    assert not any(within(m, "layoutkit.emulator") for m in importers_of("layoutkit.client"))


def test_render_draws_the_payload_not_the_authoring_model() -> None:
    forbidden = ("layoutkit.model", "layoutkit.loader", "layoutkit.compiler", "layoutkit.expand")
    for name in MODULES:
        if within(name, "layoutkit.render"):
            assert not any(any(within(i, f) for f in forbidden) for i in MODULES[name]), name


def test_wire_and_geometry_stay_low() -> None:
    for name, imports in MODULES.items():
        if within(name, "layoutkit.wire") or name == "layoutkit.geometry":
            inner = {i for i in imports if i.startswith("layoutkit")}
            assert all(
                within(i, "layoutkit.wire")
                or within(i, "layoutkit.errors")
                or within(i, "layoutkit.geometry")
                for i in inner
            ), (name, inner)


def test_import_layoutkit_stays_light() -> None:
    code = (
        "import sys, layoutkit; heavy = [m for m in ('PIL', 'requests', 'click', 'pydantic', "
        "'jinja2', 'yaml') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert max(sizes.values()) <= 550, sizes


@pytest.mark.parametrize("name", sorted(MODULES))
def test_all_is_declared_and_real(name: str) -> None:
    """Every module declares its public names (ruff's RUF022 keeps them sorted)."""
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for item in exported:
        assert hasattr(module, item), (name, item)
