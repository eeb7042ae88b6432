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


# Which parts of layoutkit may import a third-party library (ARCHITECTURE.md).
THIRD_PARTY: dict[str, tuple[str, ...]] = {
    "PIL": ("layoutkit.render",),
    "click": ("layoutkit.cli",),
    "requests": ("layoutkit.client", "layoutkit.pytest_plugin"),
}


@pytest.mark.parametrize("library", sorted(THIRD_PARTY))
def test_only_the_named_packages_import_a_library(library: str) -> None:
    users = THIRD_PARTY[library]
    wrong = {m for m in importers_of(library) if not any(within(m, u) for u in users)}
    assert importers_of(library) and not wrong, wrong


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
    "layoutkit.safefiles",
    "layoutkit.httpd",
    "layoutkit.jsonmarks",
    "layoutkit.wire",
    "layoutkit.styleplan",  # what the style images hold (stdlib only); render draws it
)
ALLOWED: dict[str, tuple[str, ...]] = {
    "layoutkit.layout": (),
    # and, lazily, to draw a styled layout's images and publish them (compile.style)
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
    # images made public for Agora: the low modules only (errors, safefiles, wire.rules)
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
# Why each package may import what ALLOWED gives it, as ARCHITECTURE.md says.
WHY: dict[str, str] = {
    "layoutkit.layout": "reads a layout file; knows nothing of the later stages",
    "layoutkit.compile": "compiles layouts; lazily draws and publishes a styled layout's images",
    "layoutkit.render": "draws a payload's regions, never the authoring model",
    "layoutkit.preview": "the glue: layout, compile, render, and scenarios for storyboards",
    "layoutkit.live": "compiles the layout for who is in the channel",
    "layoutkit.library": "presets are layouts; the gallery draws them",
    "layoutkit.client": "lazily, to push a `Layout`",
    "layoutkit.emulator": "what Agora draws, for the composite; lazily, render for its PNG",
    "layoutkit.pytest_plugin": "fixtures: a client bound to an emulator",
    "layoutkit.importers": "payloads -> layouts, compiled back (lazily) to check",
    "layoutkit.payload_lint": "payloads as users send them: the wire rules only",
    "layoutkit.assets": "images made public for Agora: the low modules only",
    "layoutkit.service": "Directors over the client, layouts from the library",
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


def test_the_top_level_is_low_modules_and_stages() -> None:
    top = {n for n in MODULES if n.count(".") == 1 and not (PACKAGE / n.split(".")[1]).is_dir()}
    low = {m for m in LOW if m.count(".") == 1 and not (PACKAGE / m.split(".")[1]).is_dir()}
    stages = {n for n in ALLOWED if n.count(".") == 1 and not (PACKAGE / n[10:]).is_dir()}
    assert top == low | stages | {"layoutkit.__main__"}, top
    for name in low:
        low_imports = [m for m in LOW if m != "layoutkit"]
        assert all(any(within(i, m) for m in low_imports) for i in inner_imports(name)), name


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
    for user in ("layoutkit.payload_lint", "layoutkit.importers"):
        assert any(within(m, user) for m in importers_of("layoutkit.jsonmarks")), user


# The parts of `wire` that load no pydantic: the rules and Agora's video advice.
PYDANTIC_FREE_WIRE = ("layoutkit.wire.rules", "layoutkit.wire.rules")


def test_only_the_models_and_their_users_import_pydantic() -> None:
    """The wire models and their users, and the authoring model (`layout.model`) with the
    JSON Schema made from it."""
    users = (
        *("layoutkit.wire", "layoutkit.client", "layoutkit.emulator", "layoutkit.service"),
        *("layoutkit.layout.model", "layoutkit.layout.schema"),
    )
    importers = importers_of("pydantic")
    assert importers and all(any(within(m, u) for u in users) for m in importers), importers
    assert not {m for m in importers if any(within(m, w) for w in PYDANTIC_FREE_WIRE)}


def test_import_layoutkit_stays_light() -> None:
    code = (
        "import sys, layoutkit; heavy = [m for m in ('PIL', 'requests', 'click', 'pydantic', "
        "'jinja2', 'yaml') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", sorted(MODULES))
def test_all_is_real_where_declared(name: str) -> None:
    """A module that is public API declares its names (ruff's RUF022 keeps them sorted)."""
    module = importlib.import_module(name)
    for item in getattr(module, "__all__", ()):
        assert hasattr(module, item), (name, item)


ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"


def rules_markdown() -> str:
    """ARCHITECTURE.md's "Import rules" section, rendered from the rules this file checks
    (`python tests/test_architecture.py` prints it)."""

    def names(modules: tuple[str, ...]) -> str:
        return ", ".join(f"`{m}`" for m in modules) or "nothing else"

    low = tuple(m for m in LOW if m != "layoutkit")
    lines = [
        "## Import rules",
        "",
        "<!-- Rendered from the data of tests/test_architecture.py (`rules_markdown`), which",
        "     checks every module's imports against it; a test fails when they differ. -->",
        "",
        "Every package imports its own modules, the package itself and the low modules:",
        f"{names(low)}. Beyond them, inside layoutkit:",
        "",
        "| package | may also import | why |",
        "|---|---|---|",
        *(f"| `{p}` | {names(ALLOWED[p])} | {WHY[p]} |" for p in ALLOWED),
        "",
        "Third-party libraries:",
        "",
        *(f"- `{lib}` is imported only by {names(users)}" for lib, users in THIRD_PARTY.items()),
        "- `layoutkit.client` and `layoutkit.emulator` never import each other",
        "",
    ]
    return "\n".join(lines)


def section(text: str, heading: str) -> str:
    """A `## heading` section of a Markdown text, up to the next `## ` heading."""
    start = text.index(f"\n{heading}\n") + 1
    end = text.find("\n## ", start)
    return text[start : end + 1 if end >= 0 else len(text)]


def test_every_package_in_the_rules_says_why() -> None:
    assert set(WHY) == set(ALLOWED)


def test_architecture_md_states_the_rules_this_test_checks() -> None:
    written = section(ARCHITECTURE.read_text(encoding="utf-8"), "## Import rules")
    assert written.rstrip("\n") == rules_markdown().rstrip("\n"), (
        "run `python tests/test_architecture.py` and paste what it prints"
    )


def test_architecture_md_has_a_line_for_every_module() -> None:
    """The tree of ARCHITECTURE.md names every module of the package, and no other."""
    block = section(ARCHITECTURE.read_text(encoding="utf-8"), "## The tree")
    tree = block.split("```\n")[1]
    path: list[str] = []
    listed = set()
    for line in tree.splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        path = [*path[:depth], line.split()[0]]
        if path[-1].endswith(".py"):
            listed.add("".join(path))
    actual = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")}
    assert listed == actual, {"missing": actual - listed, "gone": listed - actual}


if __name__ == "__main__":
    print(rules_markdown(), end="")
