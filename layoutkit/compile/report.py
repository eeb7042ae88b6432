"""`validate_layout`: a layout compiled at every count, with no role bound and with each
case of the roles its variants or template branches depend on (bound to made-up uids among
the made-up participants; every combination of up to `MAX_COMBINED_ROLES` roles, else each
alone and all together), gathered into every distinct issue with where it occurs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from layoutkit.compile.compiler import (
    InMemory,
    check_roles,
    choose_participants,
    compile_full,
    declared_counts,
    issue_order,
    stand_in_uids,
    strict_issue,
)
from layoutkit.errors import Issue, LayoutError, LayoutValidationError
from layoutkit.layout.loader import Layout, ParsedLayout
from layoutkit.layout.roles import (
    MAX_COMBINED_ROLES,
    NO_VARIANT,
    branch_roles,
    join_words,
    matches,
    people_phrase,
    pick_variant,
    role_cases,
    runs,
    when_text,
)
from layoutkit.layout.templating import command_budget

Case = tuple[str, ...]
"""The roles bound to made-up uids in one validation case (() for none)."""
At = tuple[tuple[Case, tuple[int, ...]], ...]
"""Where something happens: (roles bound, counts) pairs, in the order of the cases."""


@dataclass(frozen=True)
class Finding:
    """One distinct issue and where it occurs; `at` is empty for an issue about the
    layout as a whole (a variant that is never used)."""

    issue: Issue
    at: At = ()


@dataclass(frozen=True)
class ValidationReport:
    """`validate_layout`'s answer: every distinct issue with where it occurs.

    `counts` are the counts checked, `checked` the role cases with their counts (the
    first is the one with no role bound beyond `roles`), `failing` every count that fails
    in some case and `failing_at` the same by case. `limited`: there were more than
    MAX_COMBINED_ROLES branch roles, so not every combination was checked.
    """

    source: str
    counts: tuple[int, ...]
    findings: list[Finding]
    failing: tuple[int, ...]
    checked: At = ()
    failing_at: At = ()
    roles: tuple[str, ...] = ()
    limited: bool = False

    @property
    def issues(self) -> list[Issue]:
        """The distinct issues; each one's `counts` are the counts it occurs at in any case."""
        return [f.issue for f in self.findings]

    def without_warnings(self) -> ValidationReport:
        """The report with its warnings left out (what `validate -q` prints)."""
        kept = [f for f in self.findings if f.issue.severity != "warning"]
        return replace(self, findings=kept)

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(case for case, _ in self.checked)

    @property
    def ok(self) -> bool:
        return not self.failing and not any(i.severity == "error" for i in self.issues)

    def where(self, at: At) -> str | None:
        """`counts 2-9 with screen` (cases joined by "; "), `counts 2-9` when the same
        counts in every case, None when everywhere checked (or `at` is empty)."""
        if not at:
            return None
        got = dict(at)
        if all(got.get(case) == counts for case, counts in self.checked):
            return None
        shapes = set(got.values())
        if len(got) == len(self.checked) and len(shapes) == 1:
            return count_ranges(next(iter(shapes)))
        return "; ".join(count_ranges(counts) + _with(case) for case, counts in at)

    def scope(self) -> str:
        """What was checked: `counts 1-17`, or `counts 1-17, with no role and with screen`."""
        text = count_ranges(self.counts)
        if len(self.checked) <= 1:
            return text
        first = "with the roles given" if self.roles else "with no role"
        rest = [join_words(case) for case in self.cases[1:]]
        text += f", {first} and with {'; '.join(rest)}"
        if self.limited:
            text += " (each role alone and all together: too many roles to combine)"
        return text


def count_ranges(counts: Iterable[int]) -> str:
    """`count 3`, `counts 1-3, 5`, `no count`."""
    values = sorted(set(counts))
    if not values:
        return "no count"
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in runs(values)]
    return f"{'count' if len(values) == 1 else 'counts'} {', '.join(parts)}"


def _with(case: Case) -> str:
    return f" with {join_words(case)}" if case else ""


def validate_layout(
    layout: Layout,
    counts: Iterable[int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    strict: bool = False,
) -> ValidationReport:
    """Compile at every count, with no role bound and with each case of the roles the
    layout's branches depend on (see the module docstring), and gather the distinct
    issues with where they hit. `roles` are bound in every case.

    Without `counts`: the counts the layout declares (`counts: 2-6`), else 1..17. When
    validate picks the counts and roles itself (neither is given), it also warns about
    variants that no checked case selects.
    """
    with command_budget():
        given = check_roles(roles)
        wanted = tuple(counts) if counts is not None else declared_counts(layout.document)
        branch = [r for r in branch_roles(layout) if r not in given]
        made_up = stand_in_uids(layout.document, branch, given.values())
        findings = _Findings()
        use = _VariantUse()
        checked: list[tuple[Case, tuple[int, ...]]] = []
        failing: list[tuple[Case, tuple[int, ...]]] = []
        for case in role_cases(branch):
            case_counts = tuple(n for n in wanted if n >= len(case))
            if not case_counts:
                continue
            checked.append((case, case_counts))
            bound = {**{r: made_up[r] for r in case}, **given}
            failed: list[int] = []
            for n in case_counts:
                found = _compile_issues(layout, bound, n, strict)
                if any(i.severity == "error" for i in found):
                    failed.append(n)
                findings.add(case, n, found)
                use.note(layout, bound, n)
            if failed:
                failing.append((case, tuple(failed)))
    limited = len(branch) > MAX_COMBINED_ROLES
    if counts is None and not given:
        for issue in use.unused(skip_roles=limited):
            findings.whole.append(strict_issue(issue) if strict else issue)
    return ValidationReport(
        layout.source,
        wanted,
        findings.result(),
        tuple(sorted({n for _, ns in failing for n in ns})),
        tuple(checked),
        tuple(failing),
        tuple(given),
        limited,
    )


def _compile_issues(layout: Layout, roles: dict[str, str], n: int, strict: bool) -> list[Issue]:
    try:
        # the images drawn (their problems found), not published: validating publishes nothing
        return compile_full(layout, None, roles, count=n, strict=strict, assets=InMemory()).issues
    except LayoutValidationError as exc:
        return exc.issues
    except LayoutError as exc:
        return getattr(exc, "issues", None) or [
            Issue(
                "error",
                exc.message,
                source=exc.source or layout.source,
                line=exc.line,
                column=exc.column,
            )
        ]


_Key = tuple[object, ...]


@dataclass
class _Findings:
    """Distinct issues with the cases and counts they occur at. "No variant matches N
    people" at several counts is one issue naming them all."""

    seen: dict[_Key, tuple[Issue, dict[Case, list[int]], str | None]] = field(default_factory=dict)
    whole: list[Issue] = field(default_factory=list)

    def add(self, case: Case, n: int, found: Sequence[Issue]) -> None:
        for issue in found:
            tail = _no_variant_tail(issue, n)
            message = issue.message if tail is None else (NO_VARIANT, tail)
            key = (issue.severity, issue.source, issue.line, issue.column, issue.field, message)
            entry = self.seen.setdefault(key, (issue, {}, tail))
            entry[1].setdefault(case, []).append(n)

    def result(self) -> list[Finding]:
        found: list[Finding] = []
        for issue, where, tail in self.seen.values():
            every = tuple(sorted({n for ns in where.values() for n in ns}))
            message = issue.message if tail is None else NO_VARIANT + people_phrase(every) + tail
            merged = replace(issue, message=message, counts=every)
            found.append(Finding(merged, tuple((case, tuple(ns)) for case, ns in where.items())))
        found.extend(Finding(issue) for issue in self.whole)
        found.sort(key=lambda f: issue_order(f.issue))
        return found


def _no_variant_tail(issue: Issue, n: int) -> str | None:
    """What follows "no variant matches N people" in the compiler's message, if it is one."""
    head = NO_VARIANT + people_phrase([n])
    if issue.field == "variants" and issue.message.startswith(head):
        return issue.message[len(head) :]
    return None


@dataclass
class _VariantUse:
    """Which variants the checked cases select, and which match but are never chosen
    (an earlier variant matches whenever they do)."""

    first: dict[_Key, tuple[ParsedLayout, int]] = field(default_factory=dict)
    chosen: set[_Key] = field(default_factory=set)
    shadows: dict[_Key, set[int]] = field(default_factory=dict)

    def note(self, layout: Layout, roles: dict[str, str], n: int) -> None:
        try:
            people = choose_participants(layout, None, roles, n)
            parsed = layout.parse(people, roles)
        except LayoutError:
            return  # reported by the compilation
        variants = parsed.document.variants or []
        present = {r for r, uid in roles.items() if uid in people}
        picked = pick_variant(variants, n, present)
        for index, variant in enumerate(variants):
            if not matches(variant.when, n, present):
                continue
            key = (index, when_text(variant.when))
            self.first.setdefault(key, (parsed, index))
            if index == picked:
                self.chosen.add(key)
            elif picked is not None:
                self.shadows.setdefault(key, set()).add(picked)

    def unused(self, *, skip_roles: bool) -> list[Issue]:
        """A warning for each variant some case matches but none selects. With
        `skip_roles` (not every combination was checked), variants with roles are left
        out: an unchecked combination might select them."""
        issues: list[Issue] = []
        for key, (parsed, index) in self.first.items():
            if key in self.chosen:
                continue
            variants = parsed.document.variants or []
            if skip_roles and variants[index].when.roles:
                continue
            earlier = sorted(self.shadows.get(key, ()))
            if len(earlier) == 1:
                who = f"variant {earlier[0] + 1} ({when_text(variants[earlier[0]].when)}) comes"
                fix = f"variant {earlier[0] + 1}"
            else:
                who = f"variants {join_words([str(i + 1) for i in earlier])} come"
                fix = "them"
            issues.append(
                parsed.marks.issue(
                    "warning",
                    ("variants", index, "when"),
                    f"variant {index + 1} ({key[1]}) is never used: {who} first and "
                    f"{'matches' if len(earlier) == 1 else 'match'} whenever it does; move "
                    f"it up, or narrow {fix}",
                )
            )
        return issues
