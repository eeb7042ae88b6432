"""Where the preset layout files live: inside the wheel (`layoutkit/_presets`) or, in a
source checkout, the top-level `presets/` folder."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # layoutkit/


def presets_dir() -> Path:
    """The folder holding `NAME.yaml` presets."""
    installed = _PACKAGE_DIR / "_presets"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "presets"


def preset_names() -> list[str]:
    """Every preset name, sorted."""
    folder = presets_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))


def find_preset_file(name: str) -> Path | None:
    """The file of preset `name`, or None."""
    candidate = presets_dir() / f"{name}.yaml"
    return candidate if candidate.is_file() else None


def suggest_preset(name: str) -> list[str]:
    """Preset names close to `name`, best first."""
    import difflib  # only for a name that is not a preset

    return difflib.get_close_matches(name, preset_names(), n=3, cutoff=0.5)


__all__ = ["find_preset_file", "preset_names", "presets_dir", "suggest_preset"]
