"""Kept for the documented import path `layoutkit.roles`:
the module is now `layoutkit.layout.roles`."""

from __future__ import annotations

from layoutkit.layout.roles import (
    MAX_COMBINED_ROLES,
    NO_VARIANT,
    branch_roles,
    check_role_names,
    describe_when,
    document_roles,
    join_words,
    known_roles,
    matches,
    no_variant_message,
    people_phrase,
    pick_variant,
    role_cases,
    runs,
    template_roles,
    unknown_role_message,
    when_text,
)

__all__ = [
    "MAX_COMBINED_ROLES",
    "NO_VARIANT",
    "branch_roles",
    "check_role_names",
    "describe_when",
    "document_roles",
    "join_words",
    "known_roles",
    "matches",
    "no_variant_message",
    "people_phrase",
    "pick_variant",
    "role_cases",
    "runs",
    "template_roles",
    "unknown_role_message",
    "when_text",
]
