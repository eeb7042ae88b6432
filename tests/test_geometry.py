from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layoutkit.geometry import (
    Length,
    Rect,
    crop_loss,
    parse_aspect,
    parse_color,
    parse_length,
    round6,
    round_span,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (0.25, Length(0.25)),
        (1, Length(1.0)),
        ("25%", Length(25.0, "%")),
        ("320px", Length(320.0, "px")),
        (" 12.5 px ", Length(12.5, "px")),
        ("0.5", Length(0.5)),
    ],
)
def test_parse_length_accepts_fraction_percent_pixels(text: object, expected: Length) -> None:
    assert parse_length(text) == expected


@pytest.mark.parametrize("bad", ["25 %%", "px", "ten", True, None, [1]])
def test_parse_length_rejects_with_the_accepted_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="write a fraction"):
        parse_length(bad)


def test_length_to_fraction_per_unit() -> None:
    assert Length(320, "px").to_fraction(1280) == 0.25
    assert Length(25, "%").to_fraction(999) == 0.25
    assert Length(0.3).to_fraction(100) == 0.3


def test_parse_color_expands_short_form_and_upper_cases() -> None:
    assert parse_color("#abc") == "#AABBCC"
    assert parse_color("#101820") == "#101820"
    with pytest.raises(ValueError, match="#RRGGBB"):
        parse_color("#12")


def test_parse_aspect() -> None:
    assert parse_aspect("16:9") == pytest.approx(16 / 9)
    assert parse_aspect("9/16") == pytest.approx(9 / 16)
    with pytest.raises(ValueError, match="W:H"):
        parse_aspect("0:9")


def test_round6_removes_float_noise() -> None:
    assert round6(1 - 24 / 720 - 0.25) == 0.716667
    assert round6(0.012 + 3 * 0.247) == 0.753


def test_round_span_never_pushes_past_one() -> None:
    # a span that ends at the edge within float noise, whose ends both round up:
    # 0.12345650001 -> 0.123457 and 0.8765435 -> 0.876544 (half-even) would end at 1.000001
    start, size = 0.12345650001, 0.8765435
    assert start + size <= 1 + 1e-9
    assert Decimal(repr(round6(start))) + Decimal(repr(round6(size))) > 1  # plain rounding
    assert round_span(start, size) == (0.123456, 0.876544)  # moved left by the excess
    assert round_span(0.5, 0.6) == (0.5, 0.6)  # a span past the edge is not moved


@given(
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_round_span_property(start: float, size: float) -> None:
    if start + size > 1:
        size = 1 - start
    x, w = round_span(start, size)
    assert Decimal(repr(x)) + Decimal(repr(w)) <= 1
    assert abs(x - start) <= 2e-6 and abs(w - size) <= 2e-6
    assert Decimal(repr(x)).as_tuple().exponent >= -6  # type: ignore[operator]


def test_rect_contains_and_pixels() -> None:
    outer = Rect(0, 0, 1, 1)
    inner = Rect(0.25, 0.25, 0.5, 0.5)
    assert outer.contains(inner) and not inner.contains(outer)
    assert inner.to_pixels(100, 200) == (25, 50, 75, 150)


def test_crop_loss() -> None:
    assert crop_loss(16 / 9, 16 / 9) == 0
    assert crop_loss(1.0, 16 / 9) == pytest.approx(1 - 9 / 16)


@given(st.floats(min_value=-2, max_value=2, allow_nan=False))
def test_round6_matches_decimal_rounding_of_the_written_number(value: float) -> None:
    from decimal import ROUND_HALF_EVEN

    expected = float(Decimal(repr(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))
    assert round6(value) == expected + 0.0


def test_round6_half_cases() -> None:
    assert round6(0.2515625) == 0.251562
    assert round6(0.2421875) == 0.242188
