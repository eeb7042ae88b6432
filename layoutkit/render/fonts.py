"""The chain of fonts every text is drawn in, and lines of text in them.

A `FontChain` is the layout's `font:`, DejaVu Sans shipped with layoutkit (`STYLE_FONT`),
Noto Sans CJK SC when the `cjk` extra is installed, then the machine's fonts found with
fontconfig (`fc-match`, asked once per set of characters). A text is split into runs, each
in the first font with a glyph for its characters (a glyph: a mask other than the
missing-glyph box's), and drawn as one `Line`; controls show as the box. Font files are
checked with `os.stat` before FreeType reads them, and one FreeType cannot draw with is a
RenderError naming it; a machine font failing the checks is left out with a note."""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import os
import shutil
import stat
import subprocess
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont

from layoutkit.errors import RenderError
from layoutkit.render.pictures import PictureCache
from layoutkit.safefiles import kind_of

Font = ImageFont.FreeTypeFont
Ink = tuple[int, int, int]
STYLE_FONT = str(Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf")
MAX_FONT_BYTES = 50 << 20  # a CJK font is about 20 MB
FONT_FIX = "give the path of a .ttf or .otf file"
FONT_PROBE = "Ag"  # drawn once as a font is opened: damaged glyph data fails at once
ABSENT = "\U0010fffd"  # a private-use character no font draws: its mask is the box
PROBE_PX = 24  # the size glyphs are looked for at
NEVER_DRAWN = ("Cc", "Cf", "Cs", "Zl", "Zp")  # controls, formats, line breaks: the box
CJK_EXTRA = "pip install 'layoutkit[cjk]'"
CJK_FACE = "Noto Sans CJK SC"  # the face of the extra's collection the chain uses
FONTCONFIG_TIMEOUT = 3.0  # seconds fc-match may take (then it is not asked again)
FONTCONFIG_CHARS = 64  # at most so many characters of a text are asked for
FONTCONFIG_FONTS = 8  # at most so many of fontconfig's answers are tried


OPEN_FONTS = PictureCache(32 << 20, weight=lambda opened: opened[1])
"""Font faces opened, each weighing an eighth of its file (FreeType holds about a tenth
of a CJK collection for each size in use)."""


def _open(path: str, size: int, index: int) -> Font:
    try:
        face = ImageFont.truetype(path, size, index=index)
    except (OSError, ValueError) as exc:
        try:
            with Path(path).open("rb"):
                pass
        except PermissionError:
            raise RenderError(
                f"{path}: permission denied reading the font; make it readable or {FONT_FIX}"
            ) from None
        except OSError:
            pass
        raise RenderError(f"{path}: not a font Pillow can read; {FONT_FIX}") from exc
    try:
        face.getbbox(FONT_PROBE)
    except (OSError, ValueError) as exc:
        raise font_damaged(path, exc) from None
    return face


def font_damaged(path: str, exc: Exception) -> RenderError:
    """The RenderError for a font whose glyphs FreeType cannot draw (`exc`)."""
    return RenderError(
        f"{path}: the font is damaged: FreeType cannot draw its glyphs ({exc}); copy or "
        "download it again, or give the path of another .ttf or .otf file"
    )


def _font_file(path: str) -> os.stat_result:
    """`os.stat` of the font file, checked before FreeType reads it: a regular file of at
    most MAX_FONT_BYTES, else RenderError naming it."""
    try:
        info = Path(path).stat()
    except (FileNotFoundError, NotADirectoryError):
        raise RenderError(f"{path}: no such font file; {FONT_FIX}") from None
    except PermissionError:
        raise RenderError(f"{path}: permission denied; make it readable or {FONT_FIX}") from None
    except (OSError, ValueError) as exc:
        raise RenderError(f"{path}: the font file cannot be read ({exc}); {FONT_FIX}") from None
    if stat.S_ISDIR(info.st_mode):
        raise RenderError(f"{path}: is a folder, not a font; {FONT_FIX}")
    if not stat.S_ISREG(info.st_mode):
        raise RenderError(f"{path}: is {kind_of(info.st_mode)}, not a font; {FONT_FIX}")
    if info.st_size > MAX_FONT_BYTES:
        raise RenderError(
            f"{path}: the font file is {info.st_size:,} bytes, over the limit of "
            f"{MAX_FONT_BYTES // (1 << 20)} MB (a CJK font is about 20 MB); {FONT_FIX} "
            "of at most that size"
        )
    return info


def font_at(path: str, size: int, stamp: int | None = None, index: int = 0) -> Font:
    """The face `index` of the font file at `path` at `size` px (at least 6), checked
    (`_font_file`, then drawing FONT_PROBE) and kept open by path, mtime (`stamp`, when
    known), size and index."""
    stamp = _font_file(path).st_mtime_ns if stamp is None else stamp

    def opened() -> tuple[Font, int]:
        info = _font_file(path)  # what FreeType opens is what was checked
        return _open(path, max(6, size), index), info.st_size // 8 + (64 << 10)

    return OPEN_FONTS.get((path, stamp, max(6, size), index), opened)[0]


@dataclass(frozen=True)
class FontFile:
    """One font of a chain (`index`: the face in a collection); `where`, the place of
    the layout value naming it, leads its errors."""

    path: str
    index: int = 0
    where: str = ""

    def stamp(self) -> int:
        """The file's modification time (ns), once it is known to be a usable font."""
        with self.drawing():
            stamp = _font_file(self.path).st_mtime_ns
            font_at(self.path, PROBE_PX, stamp, self.index)  # not a font: fails here
        return stamp

    def at(self, size: int, stamp: int | None = None) -> Font:
        with self.drawing():
            return font_at(self.path, size, stamp, self.index)

    def has(self, char: str, stamp: int) -> bool:
        """Whether the font has a glyph for `char` (never for controls and formats)."""
        if unicodedata.category(char) in NEVER_DRAWN:
            return False
        with self.drawing():
            return _has_glyph(char, self.path, self.index, stamp)

    @contextlib.contextmanager
    def drawing(self) -> Iterator[None]:
        """Errors inside led by `where`; what FreeType raises (damaged glyph data) as
        `font_damaged`."""
        try:
            yield
        except RenderError as exc:
            raise RenderError(exc.message, source=self.where or exc.source, hint=exc.hint) from None
        except OSError as exc:
            raise RenderError(
                font_damaged(self.path, exc).message, source=self.where or None
            ) from None


@functools.lru_cache(maxsize=16384)
def _has_glyph(char: str, path: str, index: int, stamp: int) -> bool:
    face = font_at(path, PROBE_PX, stamp, index)
    absent = face.getmask(ABSENT)
    mask = face.getmask(char)
    return mask.size != absent.size or bytes(mask) != bytes(absent)


Stamped = tuple[FontFile, int]  # a font and its file's modification time


@dataclass(frozen=True)
class Line:
    """A text at one size: runs of it, each in its font, side by side on one baseline;
    `ascent` and `descent` are the largest of the fonts' (from the baseline up and down)."""

    runs: tuple[tuple[str, Font, FontFile], ...]
    ascent: int
    descent: int

    def length(self) -> float:
        """The advance of the whole line, in pixels."""
        total = 0.0
        for text, face, file in self.runs:
            with file.drawing():
                total += face.getlength(text)
        return total

    def bbox(self, stroke: int = 0) -> tuple[float, float, float, float]:
        """The ink (left, top, right, bottom) of the line drawn at (0, 0) with the anchor
        `la` (its top is the line's ascent above the baseline), outlined `stroke` px."""
        boxes = []
        for text, face, file, (x, y), anchor in self._placed((0.0, 0.0), "la"):
            with file.drawing():
                left, top, right, bottom = face.getbbox(text, stroke_width=stroke, anchor=anchor)
            boxes.append((x + left, y + top, x + right, y + bottom))
        if not boxes:
            return 0.0, 0.0, 0.0, 0.0
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        *,
        fill: Ink,
        anchor: str = "la",
        stroke_width: int = 0,
        stroke_fill: Ink | None = None,
    ) -> None:
        """Draw the line at `xy`, placed by `anchor` as Pillow places text: `l`, `m` or
        `r` across, then `a` (the top of the line), `m`, `s` (the baseline) or `d`."""
        for text, face, file, at, how in self._placed(xy, anchor):
            with file.drawing():
                draw.text(
                    at,
                    text,
                    fill=fill,
                    font=face,
                    anchor=how,
                    stroke_width=stroke_width,
                    stroke_fill=stroke_fill,
                )

    def _placed(
        self, xy: tuple[float, float], anchor: str
    ) -> list[tuple[str, Font, FontFile, tuple[float, float], str]]:
        """Where each run goes, and its anchor: one run as Pillow places it; runs side
        by side on the line's baseline, placed by the line's length and metrics."""
        if len(self.runs) == 1:
            text, face, file = self.runs[0]
            return [(text, face, file, xy, anchor)]
        x, y = xy
        x -= {"l": 0.0, "m": self.length() / 2, "r": self.length()}[anchor[0]]
        lift = {"a": self.ascent, "m": (self.ascent - self.descent) / 2, "s": 0, "d": -self.descent}
        baseline = y + lift[anchor[1]]
        placed = []
        for text, face, file in self.runs:
            placed.append((text, face, file, (x, baseline), "ls"))
            with file.drawing():
                x += face.getlength(text)
        return placed


@dataclass(frozen=True)
class Split:
    """A text split into runs, each with the font of the chain that draws it; `missing`:
    the characters no font of the chain has (and the controls), each once, drawn as the
    first font's box; `notes`: machine fonts left out, and why."""

    runs: tuple[tuple[str, Stamped], ...]
    first: Stamped
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def at(self, size: int) -> Line:
        """The text as a line at `size` pixels."""
        runs = tuple((text, font.at(size, stamp), font) for text, (font, stamp) in self.runs)
        faces = [face for _, face, _ in runs] or [self.first[0].at(size, self.first[1])]
        metrics = [face.getmetrics() for face in faces]
        return Line(runs, max(m[0] for m in metrics), max(m[1] for m in metrics))


@dataclass(frozen=True)
class FontChain:
    """The fonts text is drawn in, first to last; fontconfig is asked for the characters
    none of them has (see the module's docstring)."""

    fonts: tuple[FontFile, ...]

    def check(self) -> None:
        """A located RenderError when the first font (the layout's) cannot be used."""
        self.fonts[0].stamp()

    def line(self, text: str, size: int) -> Line:
        """`text` at `size` pixels, each run in its font."""
        return self.split(text).at(size)

    def split(self, text: str) -> Split:
        """`text` in runs by the font that draws each character."""
        fonts = [(font, font.stamp()) for font in self.fonts]
        picked: list[Stamped | None] = []
        for char in text:
            picked.append(_pick(char, fonts, picked[-1] if picked else None))
        notes: list[str] = []
        wanted = list(
            dict.fromkeys(
                char
                for char, font in zip(text, picked, strict=True)
                if font is None and unicodedata.category(char) not in NEVER_DRAWN
            )
        )
        if wanted:
            more, notes = _usable(machine_fonts(wanted[:FONTCONFIG_CHARS]), wanted, fonts)
            picked = [more.get(c) if f is None else f for c, f in zip(text, picked, strict=True)]
        missing = tuple(dict.fromkeys(c for c, f in zip(text, picked, strict=True) if f is None))
        return Split(_runs(text, picked, fonts[0]), fonts[0], missing, tuple(notes))


def _pick(char: str, fonts: list[Stamped], before: Stamped | None) -> Stamped | None:
    """The first font that has `char` (a combining mark: the font of the character
    before it, when that has it too), or None."""
    if unicodedata.category(char) in NEVER_DRAWN:
        return None
    mark = unicodedata.category(char).startswith("M")
    if before is not None and mark and before[0].has(char, before[1]):
        return before
    return next((font for font in fonts if font[0].has(char, font[1])), None)


def _runs(
    text: str, picked: list[Stamped | None], first: Stamped
) -> tuple[tuple[str, Stamped], ...]:
    """Characters side by side in one font joined into runs; the characters no font
    has in the first font (its box), controls as the box."""
    shown = [
        (ABSENT if unicodedata.category(char) in NEVER_DRAWN else char, font or first)
        for char, font in zip(text, picked, strict=True)
    ]
    return tuple(
        ("".join(char for char, _ in run), font)
        for font, run in itertools.groupby(shown, key=lambda item: item[1])
    )


def _usable(
    offered: Iterable[FontFile], chars: list[str], chain: list[Stamped]
) -> tuple[dict[str, Stamped], list[str]]:
    """Which of the machine's fonts `offered` draws each of `chars` (the first that has
    it), and a note for each font left out because it cannot be used."""
    found: dict[str, Stamped] = {}
    notes: list[str] = []
    known = {font.path for font, _ in chain}
    for font in offered:
        if font.path in known:
            continue
        try:
            stamped = font, font.stamp()
            for char in chars:
                if char not in found and font.has(char, stamped[1]):
                    found[char] = stamped
        except RenderError as exc:
            notes.append(f"{exc.message} (a font fontconfig offered; left out)")
        if len(found) == len(chars):
            break
    return found, notes


FONTCONFIG = PictureCache(1024, weight=lambda _: 1)
"""fc-match's answers by set of characters: fonts to try, best first."""
_FONTCONFIG_GAVE_UP = threading.Event()  # it timed out once: not asked again


def machine_fonts(chars: Iterable[str]) -> tuple[FontFile, ...]:
    """The fonts installed on this machine that fontconfig offers for `chars`, best
    first (none without fontconfig). Each may still lack some of them."""
    binary = shutil.which("fc-match")
    if binary is None or _FONTCONFIG_GAVE_UP.is_set():
        return ()
    wanted = "".join(sorted(set(chars)))
    return FONTCONFIG.get(wanted, lambda: _fc_match(binary, wanted))


def _fc_match(binary: str, chars: str) -> tuple[FontFile, ...]:
    pattern = "sans-serif:charset=" + " ".join(f"{ord(c):x}" for c in chars)
    try:
        done = subprocess.run(
            [binary, "-s", "-f", "%{file}\t%{index}\n", pattern],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FONTCONFIG_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _FONTCONFIG_GAVE_UP.set()
        return ()
    except OSError:
        return ()
    return _answer(done.stdout) if done.returncode == 0 else ()


def _answer(output: bytes) -> tuple[FontFile, ...]:
    """fc-match's lines (`file<TAB>index`) as fonts, the first FONTCONFIG_FONTS distinct."""
    fonts: dict[FontFile, None] = {}
    for line in os.fsdecode(output).splitlines():
        path, _, index = line.partition("\t")
        if not Path(path).is_absolute() or not index.isdigit():
            continue
        fonts[FontFile(path, int(index) & 0xFFFF)] = None  # the face, not a named instance
        if len(fonts) == FONTCONFIG_FONTS:
            break
    return tuple(fonts)


@functools.lru_cache(maxsize=1)
def cjk_font() -> FontFile | None:
    """Noto Sans CJK SC from the `cjk` extra (`noto-cjk[sans]`'s collection, its face
    found by name), or None when the extra is not installed."""
    try:
        path = str(importlib.import_module("noto_cjk").otc_path("sans"))
    except (ImportError, AttributeError, LookupError, RuntimeError, OSError, TypeError):
        return None
    for index in range(16):
        try:
            face = font_at(path, PROBE_PX, index=index)
        except RenderError:
            return None
        if face.getname()[0] == CJK_FACE:
            return FontFile(path, index)
    return None


@functools.lru_cache(maxsize=64)
def font_chain(font: str | None = None, where: str = "") -> FontChain:
    """The chain text is drawn in: the TTF/OTF file `font` (errors led by `where`) when
    given, DejaVu Sans, the `cjk` extra's font when installed, the machine's fonts."""
    fonts = [FontFile(font, 0, where)] if font is not None else []
    fonts.append(FontFile(STYLE_FONT))
    extra = cjk_font()
    if extra is not None:
        fonts.append(extra)
    return FontChain(tuple(fonts))


def line(text: str, size: int) -> Line:
    """`text` at `size` pixels in the chain with no layout font (previews' labels, tags
    and captions)."""
    return font_chain().line(text, size)


def how_to_draw(missing: Iterable[str]) -> str:
    """What to do about characters no font could draw: name a font that has them, or,
    for Chinese, Japanese and Korean without the `cjk` extra, install it."""
    fix = "name a font that has them with `font:` in the layout"
    if cjk_font() is None and any(_is_cjk(char) for char in missing):
        return f"for Chinese, Japanese and Korean, {CJK_EXTRA}, or {fix}"
    return fix


_CJK_NAMES = ("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC")


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(_CJK_NAMES)


def clear_font_caches() -> None:
    """Forget the faces opened, glyphs looked up, fontconfig's answers and the chains."""
    OPEN_FONTS.clear()
    _has_glyph.cache_clear()
    FONTCONFIG.clear()
    _FONTCONFIG_GAVE_UP.clear()
    cjk_font.cache_clear()
    font_chain.cache_clear()
