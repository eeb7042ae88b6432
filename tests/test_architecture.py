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


# The pipeline's packages and what each may import inside layoutkit (ARCHITECTURE.md).
# Every package may import its own modules and the low top-level modules.
LOW = (
    "layoutkit",  # `from layoutkit import __version__` (the package itself)
    "layoutkit.errors",
    "layoutkit.geometry",
    "layoutkit.cameras",
    "layoutkit.jsonfmt",
    "layoutkit.safefiles",
    "layoutkit.httpd",
    "layoutkit.jsonmarks",
    "layoutkit.wire",
    "layoutkit.styleplan",  # what the style images hold (stdlib only); render draws it
)
ALLOWED: dict[str, tuple[str, ...]] = {
    "layoutkit.layout": (),
    # and, lazily, to draw a styled layout's images and publish them (compile.assets)
    "layoutkit.compile": ("layoutkit.layout", "layoutkit.render.style", "layoutkit.assets"),
    "layoutkit.render": (),
    "layoutkit.preview": (
        "layoutkit.layout",
        "layoutkit.compile",
        "layoutkit.render",
        "layoutkit.live.scenario",
    ),
    "layoutkit.live": ("layoutkit.layout", "layoutkit.compile"),
    "layoutkit.library": (
        "layoutkit.layout",
        "layoutkit.compile",
        "layoutkit.preview",
        "layoutkit.render",
    ),
    "layoutkit.client": ("layoutkit.compile.compiler",),  # lazily, to push a Layout
    # what Agora draws (modes) for the composite; render, lazily, for its PNG
    "layoutkit.emulator": ("layoutkit.compile.modes", "layoutkit.render"),
    "layoutkit.pytest_plugin": ("layoutkit.client", "layoutkit.emulator"),
    # Twilio compositions and Agora payloads -> layouts; compiled back (lazily) to check
    "layoutkit.importers": ("layoutkit.layout", "layoutkit.compile"),
    # payloads as users send them: the wire rules and the low modules only
    "layoutkit.payload_lint": (),
    # images made public for Agora: the low modules only (errors, safefiles, wire.profile)
    "layoutkit.assets": (),
    # the director service: Directors (live) over the client, layouts from the library
    "layoutkit.service": (
        "layoutkit.layout",
        "layoutkit.compile",
        "layoutkit.live",
        "layoutkit.library.presets",
        "layoutkit.client",
    ),
}
# Old import paths kept for users (README.md, docs/): each only re-exports its new home.
SHIMS = {
    "layoutkit.compiler": "layoutkit.compile.compiler",
    "layoutkit.presets": "layoutkit.library.presets",
    "layoutkit.roles": "layoutkit.layout.roles",
    "layoutkit.schema": "layoutkit.layout.schema",
}


def inner_imports(name: str) -> set[str]:
    return {i for i in MODULES[name] if within(i, "layoutkit")}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_comes_before_them(package: str) -> None:
    allowed = (package, *LOW, *ALLOWED[package])
    for name in MODULES:
        if within(name, package):
            wrong = {
                i
                for i in inner_imports(name)
                if not any(i == a if a == "layoutkit" else within(i, a) for a in allowed)
                and not i.startswith("layoutkit.__")
            }
            assert not wrong, (name, wrong)


def test_render_draws_the_payload_not_the_authoring_model() -> None:
    """Drawing modules import neither layout nor compile; only `preview` joins them."""
    for name in MODULES:
        if within(name, "layoutkit.render"):
            bad = {
                i
                for i in MODULES[name]
                if within(i, "layoutkit.layout") or within(i, "layoutkit.compile")
            }
            assert not bad, (name, bad)


def test_layout_knows_nothing_of_later_stages() -> None:
    later = (
        "compile",
        "render",
        "preview",
        "live",
        "client",
        "emulator",
        "library",
        "service",
        "cli",
    )
    for name in MODULES:
        if within(name, "layoutkit.layout"):
            bad = {i for i in MODULES[name] for s in later if within(i, f"layoutkit.{s}")}
            assert not bad, (name, bad)


def test_the_top_level_is_low_modules_and_shims() -> None:
    top = {n for n in MODULES if n.count(".") == 1 and not (PACKAGE / n.split(".")[1]).is_dir()}
    low = {m for m in LOW if m.count(".") == 1 and not (PACKAGE / m.split(".")[1]).is_dir()}
    assert top == low | {"layoutkit.pytest_plugin", "layoutkit.__main__"} | set(SHIMS), top
    for name in low:
        low_imports = [m for m in LOW if m != "layoutkit"]
        assert all(any(within(i, m) for m in low_imports) for i in inner_imports(name)), name


@pytest.mark.parametrize("old", sorted(SHIMS))
def test_shims_only_re_export_their_new_home(old: str) -> None:
    assert inner_imports(old) <= {SHIMS[old]} | {
        f"{SHIMS[old]}.{n}" for n in importlib.import_module(old).__all__
    }
    module, new = importlib.import_module(old), importlib.import_module(SHIMS[old])
    assert module.__all__ == new.__all__
    assert all(getattr(module, n) is getattr(new, n) for n in new.__all__)


def test_wire_and_geometry_stay_low() -> None:
    for name, imports in MODULES.items():
        if within(name, "layoutkit.wire") or name in ("layoutkit.geometry", "layoutkit.cameras"):
            inner = {i for i in imports if i.startswith("layoutkit")}
            assert all(
                within(i, "layoutkit.wire")
                or within(i, "layoutkit.errors")
                or within(i, "layoutkit.geometry")
                for i in inner
            ), (name, inner)


def test_json_marks_stand_on_the_standard_library_and_errors() -> None:
    """`jsonmarks`, the one JSON locator of `payload_lint` and `importers`, is as low as
    `errors`: the standard library and `errors` only; both packages use it."""
    imports = MODULES["layoutkit.jsonmarks"]
    inner = {i for i in imports if within(i, "layoutkit")}
    assert all(within(i, "layoutkit.errors") for i in inner), inner
    outside = {i.split(".")[0] for i in imports} - {"layoutkit", "__future__"}
    assert outside <= sys.stdlib_module_names, outside
    for user in ("layoutkit.payload_lint", "layoutkit.importers.source"):
        assert any(within(m, user) for m in importers_of("layoutkit.jsonmarks")), user


# The parts of `wire` that load no pydantic: the rules, Agora's video advice, its codes.
PYDANTIC_FREE_WIRE = ("layoutkit.wire.rules", "layoutkit.wire.profile", "layoutkit.wire.catalog")


def test_only_the_wire_models_and_their_users_import_pydantic() -> None:
    users = ("layoutkit.wire", "layoutkit.client", "layoutkit.emulator", "layoutkit.service")
    importers = importers_of("pydantic")
    assert importers and all(any(within(m, u) for u in users) for m in importers), importers
    assert not {m for m in importers if any(within(m, w) for w in PYDANTIC_FREE_WIRE)}


def module_level_imports(name: str) -> set[str]:
    """What a module imports when it is imported (not inside its functions)."""
    path = PACKAGE.parent / (name.replace(".", "/") + ".py")
    if not path.is_file():
        path = path.with_suffix("") / "__init__.py"
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_layout_pipeline_uses_only_the_pydantic_free_wire_modules() -> None:
    """`layout`, `compile`, `render` and `preview` (what `layoutkit compile` and `preview`
    run) take from `wire` only the rules and the profile; the compiler builds the wire
    models of its payload lazily (`Compilation.payload`, `transcoding`)."""
    stages = ("layoutkit.layout", "layoutkit.compile", "layoutkit.render", "layoutkit.preview")
    lazy = {"layoutkit.compile.compilation": "layoutkit.wire.layout"}
    for name in MODULES:
        if not any(within(name, stage) for stage in stages):
            continue
        wire = {i for i in inner_imports(name) if within(i, "layoutkit.wire")}
        allowed = (*PYDANTIC_FREE_WIRE, *([lazy[name]] if name in lazy else []))
        assert all(any(within(i, a) for a in allowed) for i in wire), (name, wire)
        on_import = {i for i in module_level_imports(name) if within(i, "layoutkit.wire")}
        assert all(any(within(i, w) for w in PYDANTIC_FREE_WIRE) for i in on_import), name


def test_import_layoutkit_stays_light() -> None:
    code = (
        "import sys, layoutkit; heavy = [m for m in ('PIL', 'requests', 'click', 'pydantic', "
        "'jinja2', 'yaml') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_modules_stay_within_reading_size() -> None:
    """A module is one idea, however long; this only catches one that grew past what a
    reader takes in at a sitting (a sign it holds two ideas)."""
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert max(sizes.values()) <= 1_000, sizes  # the Director is one idea: its pipeline


@pytest.mark.parametrize("name", sorted(MODULES))
def test_all_is_declared_and_real(name: str) -> None:
    """Every module declares its public names (ruff's RUF022 keeps them sorted)."""
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for item in exported:
        assert hasattr(module, item), (name, item)
