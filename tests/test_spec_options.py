"""The Director options of an attach request (`service.spec`): the speaker's hysteresis
(`speaker_hold`, `speaker_interval`) checked field by field, and handed to the Director."""

from __future__ import annotations

from typing import Any

import pytest

from layoutkit.service.spec import RequestError, parse_spec

BASE: dict[str, Any] = {
    "cname": "room",
    "uid": "99",
    "resource_id": "res-1",
    "sid": "sid-1",
    "preset": "speaker-strip",
}


def test_speaker_options_reach_the_director() -> None:
    spec = parse_spec(BASE | {"options": {"speaker_hold": 1, "speaker_interval": 2.5}})
    assert spec.options == {"speaker_hold": 1.0, "speaker_interval": 2.5}
    options = spec.director_options()
    assert (options.speaker_hold, options.speaker_interval) == (1.0, 2.5)
    default = parse_spec(BASE).director_options()
    assert (default.speaker_hold, default.speaker_interval) == (2.0, 4.0)


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"speaker_hold": -0.5}, "options.speaker_hold", "must be 0..60 seconds"),
        ({"speaker_hold": 61}, "options.speaker_hold", "must be 0..60 seconds"),
        ({"speaker_interval": 601}, "options.speaker_interval", "must be 0..600 seconds"),
        ({"speaker_interval": "4s"}, "options.speaker_interval", "a number of seconds"),
        ({"speaker_hold": True}, "options.speaker_hold", "a number of seconds"),
        ({"speaker_hold": float("nan")}, "options.speaker_hold", "must be 0..60"),
        ({"debounce": 86_401}, "options.debounce", "must be 0..86400 seconds"),
    ],
)
def test_bad_speaker_options_name_the_field(
    options: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RequestError) as caught:
        parse_spec(BASE | {"options": options})
    assert caught.value.status == 400 and caught.value.field == field
    assert words in caught.value.message
