"""A small declarative validator for the authoring model (`layout.model`).

Each field of a model (a frozen dataclass) is declared once, with `field` or `optional`:
its `Kind` (how a value is read: the converter, its bounds, and the JSON Schema fragment
of what it takes; the kinds of plain values are in `layout.kinds`), its default, and the
other names it is read under (`w` for `width`). `read_document` reads plain data (from
`layout.yaml`) into the model and gives every problem at once, each with its place in the
data (`Problem.loc`); `layout.loader` turns them into located issues and `layout.schema`
builds the JSON Schema from the same declarations.

The kinds are plain classes with `__slots__` rather than dataclasses: every command that
reads a layout imports them, and making a dataclass costs a few hundred microseconds.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

Loc = tuple[str | int, ...]
JsonSchema = dict[str, Any]
_SPEC = "layoutkit.field"


class Problem(NamedTuple):
    """One thing wrong with a document. `loc` is the path through the data as read (for
    a value given in another form, such as `canvas: 1280x0`, it goes on into the form it
    was read as, `canvas.height`; the loader follows it back through the data). `key`:
    the problem is the key itself (an unknown key); `missing`: a required key is absent
    (`loc` ends with it)."""

    loc: Loc
    message: str
    key: bool = False
    missing: bool = False


class _Bad:
    """What a value that could not be read becomes (its problems are recorded)."""

    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()


def kind_name(value: object) -> str:
    """What a value is, for "expected a list, got ..." messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


class Kind:
    """How one value is read. `read` gives the value, or BAD after recording why in
    `problems`; `schema` is the JSON Schema fragment of what it takes (keys in sorted
    order, as editors see them); `titled`: whether a property of this kind is given a
    title in the schema (not when its schema stands for a type of its own)."""

    __slots__ = ("titled",)

    def __init__(self, *, titled: bool = True) -> None:
        self.titled = titled

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        raise NotImplementedError

    def schema(self) -> JsonSchema:
        raise NotImplementedError

    def models(self) -> Iterator[type]:
        """The models this kind refers to by `$ref` (for the schema's `$defs`)."""
        return iter(())


def fail(problems: list[Problem], loc: Loc, message: str) -> Any:
    problems.append(Problem(loc, message))
    return BAD


def mapping_expected(value: Any, loc: Loc, problems: list[Problem]) -> Any:
    return fail(problems, loc, f"expected a mapping (key: value lines), got {kind_name(value)}")


class Nested(Kind):
    """A mapping read into a model. `before` turns another way of writing it into the
    mapping (`canvas: 1280x720`); `fragment` replaces the `$ref` to the model's schema
    (for a model the schema describes inline)."""

    __slots__ = ("before", "example", "fragment", "model")

    def __init__(
        self,
        model: type,
        before: Callable[[Any], Any] | None = None,
        fragment: JsonSchema | None = None,
        example: str | None = None,
    ) -> None:
        super().__init__(titled=False)
        self.model, self.before, self.fragment = model, before, fragment
        self.example = example  # how the mapping is written, for a value that is not one

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if self.before is not None:
            try:
                value = self.before(value)
            except ValueError as exc:
                return fail(problems, loc, str(exc))
        if self.example is not None and not isinstance(value, dict):
            return fail(
                problems,
                loc,
                f"expected a mapping, got {kind_name(value)}; write it as {self.example}",
            )
        return read_model(self.model, value, loc, problems)

    def schema(self) -> JsonSchema:
        return self.fragment if self.fragment is not None else ref(self.model)

    def models(self) -> Iterator[type]:
        if self.fragment is None:
            yield self.model


class Either(Kind):
    """`second` for a mapping that has the key `tag`, else `first`."""

    __slots__ = ("first", "second", "tag")

    def __init__(self, first: Nested, second: Nested, tag: str) -> None:
        super().__init__()
        self.first, self.second, self.tag = first, second, tag

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        chosen = self.second if isinstance(value, dict) and self.tag in value else self.first
        return chosen.read(value, loc, problems)

    def schema(self) -> JsonSchema:
        return {"oneOf": [self.first.schema(), self.second.schema()]}

    def models(self) -> Iterator[type]:
        yield from self.first.models()
        yield from self.second.models()


def ref(model: type) -> JsonSchema:
    return {"$ref": f"#/$defs/{model.__name__}"}


class FieldSpec(NamedTuple):
    """A field's declaration: its kind, whether null means "not given" (the default
    None), the other names it is read under, and a description for the schema."""

    kind: Kind
    nullable: bool = False
    aliases: tuple[str, ...] = ()
    description: str | None = None


def field(
    kind: Kind,
    *,
    default: Any = dataclasses.MISSING,
    factory: Callable[[], Any] | None = None,
    aliases: tuple[str, ...] = (),
    description: str | None = None,
) -> Any:
    """A model field of `kind`: required unless it has a `default` (or a `factory`)."""
    metadata = {_SPEC: FieldSpec(kind, False, aliases, description)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def optional(kind: Kind, *, aliases: tuple[str, ...] = ()) -> Any:
    """A model field of `kind` that may be left out or null (None)."""
    return dataclasses.field(default=None, metadata={_SPEC: FieldSpec(kind, True, aliases)})


class Declared(NamedTuple):
    """A model field as declared: its name, declaration and default, and the names it
    is read under (its own first)."""

    name: str
    spec: FieldSpec
    default: Any  # dataclasses.MISSING: none (required, or a factory)
    required: bool
    names: tuple[str, ...]


@functools.cache
def declared(model: type) -> tuple[Declared, ...]:
    """The declared fields of a model, in order."""
    found = []
    for item in dataclasses.fields(model):
        spec = item.metadata[_SPEC]
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        found.append(Declared(item.name, spec, item.default, required, (item.name, *spec.aliases)))
    return tuple(found)


def known_keys(model: type) -> list[str]:
    """Every key a model reads, and the names "did you mean" offers for it
    (`HINT_KEYS` of the model: a region names `grid` for a grid entry)."""
    names = {name for item in declared(model) for name in item.names}
    return sorted(names | set(getattr(model, "HINT_KEYS", ())))


def read_model(model: type, value: Any, loc: Loc, problems: list[Problem]) -> Any:
    """Read a mapping into `model`: every field (by its first name given), then the keys
    nobody reads. Every problem is recorded; BAD when there was one."""
    if not isinstance(value, dict):
        return mapping_expected(value, loc, problems)
    values: dict[str, Any] = {}
    used: dict[str, Declared] = {}
    ok = True
    for item in declared(model):
        name = next((n for n in item.names if n in value), None)
        if name is None:
            if item.required:
                message = f"missing required key {item.name!r}"
                problems.append(Problem((*loc, item.name), message, missing=True))
                ok = False
            continue
        used[name] = item
        raw = value[name]
        got = (
            None
            if raw is None and item.spec.nullable
            else item.spec.kind.read(raw, (*loc, name), problems)
        )
        ok = ok and got is not BAD
        values[item.name] = got
    for name in value:
        if name not in used:
            problems.append(Problem((*loc, name), _unknown(model, name, used), key=True))
            ok = False
    return model(**values) if ok else BAD


def _unknown(model: type, name: str, used: dict[str, Declared]) -> str:
    """Why a key is refused: the same key twice under two names; what the model says
    of keys it never takes (`ONLY_KEYS_HINT`); else the key meant, when it looks like a
    typo, or every key known."""
    twin = next((item for item in used.values() if name in item.names), None)
    if twin is not None:
        given = next(n for n in twin.names if n in used and used[n] is twin)
        return f"{given} and {name} are the same key; give one of them"
    only = getattr(model, "ONLY_KEYS_HINT", None)
    if only is not None:
        return f"unknown key {name!r}; {only.format(name=name)}"
    known = known_keys(model)
    close = closest(name, known)
    hint = f"did you mean {close!r}?" if close else f"known keys: {', '.join(known)}"
    return f"unknown key {name!r}; {hint}"


def closest(word: object, known: Sequence[str]) -> str | None:
    """The one of `known` that `word` looks like a typo of (the "did you mean" of keys
    and of choices), or None."""
    if not isinstance(word, str):
        return None
    import difflib  # only for a document with a mistake

    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return close[0] if close else None


def read_document(model: type, data: Any) -> tuple[Any, list[Problem]]:
    """`data` read into `model`, or None, and every problem found."""
    problems: list[Problem] = []
    document = read_model(model, data, (), problems)
    return (None if document is BAD else document), problems


def models_of(root: type) -> dict[str, type]:
    """Every model reachable from `root` by `$ref`, by name, `root` first."""
    found: dict[str, type] = {}
    stack = [root]
    while stack:
        model = stack.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        for item in declared(model):
            stack.extend(item.spec.kind.models())
    return found


__all__ = [
    "BAD",
    "Declared",
    "Either",
    "FieldSpec",
    "JsonSchema",
    "Kind",
    "Loc",
    "Nested",
    "Problem",
    "closest",
    "declared",
    "fail",
    "field",
    "kind_name",
    "known_keys",
    "mapping_expected",
    "models_of",
    "optional",
    "read_document",
    "read_model",
    "ref",
]
