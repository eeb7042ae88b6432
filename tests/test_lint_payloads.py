"""`layoutkit lint`: Agora payloads (JSON) as users send them, each silent failure found
and located at its JSON value, the wire models' rules in words, and never a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from layoutkit.cli import cli
from layoutkit.errors import Issue
from layoutkit.jsonmarks import decode_json
from layoutkit.payload_lint import (
    MAX_PAYLOAD_BYTES,
    QUOTE_WIDTH,
    Shape,
    check_payload,
    format_issue,
    lint_payload,
)

ROOT = Path(__file__).resolve().parent.parent
MISTAKES = ROOT / "examples" / "import" / "agora-mistakes.json"
STORAGE = '{"vendor": 1, "region": 0, "bucket": "b", "accessKey": "<key>", "secretKey": "<secret>"}'


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def only(text: str, needle: str) -> Issue:
    """The one issue whose message holds `needle`."""
    found = [i for i in lint_payload(text, source="p.json") if needle in i.message]
    assert len(found) == 1, [i.headline() for i in lint_payload(text, source="p.json")]
    return found[0]


def place(issue: Issue) -> tuple[str, int | None, int | None]:
    return issue.severity, issue.line, issue.column


def lint(*args: str, stdin: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, ["lint", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


# -- the silent failures, each with its message and its place ----------------------------


def test_a_string_user_account_as_a_uid() -> None:
    text = lines(
        "[",
        '  {"uid": "alice", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}',
        "]",
    )
    issue = only(text, "user account")
    assert place(issue) == ("error", 2, 11)
    assert issue.field == "[0].uid"
    assert issue.message.startswith(
        '"alice" is a string user account, not a numeric uid: Agora matches layouts to '
        "numeric uids only, so this region shows nobody (use the numeric uid"
    )
    assert len(lint_payload(text)) == 1  # the wire model's own error is replaced


def test_transcoding_config_beside_recording_config() -> None:
    text = lines(
        "{",
        '  "recordingConfig": {"channelType": 1},',
        '  "transcodingConfig": {"width": 1280, "height": 720, "mixedVideoLayout": 1}',
        "}",
    )
    issue = only(text, "beside recordingConfig")
    assert place(issue) == ("error", 3, 3)  # the key
    assert issue.field == "transcodingConfig"
    assert issue.message == (
        "transcodingConfig is beside recordingConfig instead of inside it: Agora ignores it "
        "there and records with its defaults, a 360×640 canvas in the floating mode (move it "
        "into recordingConfig)"
    )
    assert check_payload(text).shape == Shape.START_CLIENT


def test_a_misplaced_transcoding_config_is_linted_too() -> None:
    text = lines(
        '{"cname": "c", "uid": "9", "clientRequest": {',
        '  "transcodingConfig": {"mixedVideoLayout": 3, "layoutConfig": [',
        '    {"uid": "bob", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}]}}}',
    )
    assert [place(i) for i in lint_payload(text)] == [("error", 2, 3), ("error", 3, 13)]


LANDSCAPE = lines(
    "{",
    '  "mixedVideoLayout": 3,',
    '  "layoutConfig": [',
    '    {"uid": "1", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 1},',
    '    {"uid": "2", "x_axis": 0.5, "y_axis": 0, "width": 0.5, "height": 1}',
    "  ],",
    '  "fps": 15',
    "}",
)


def test_a_landscape_layout_on_the_default_portrait_canvas() -> None:
    issue = only(LANDSCAPE, "portrait")
    assert place(issue) == ("warning", 1, 1)  # the transcodingConfig, where width goes
    assert issue.message == (
        "no width or height, so Agora records its default 360×640 canvas, which is "
        "portrait, but the regions are laid out for a landscape one: layoutConfig[0] is "
        "180×640 px there, narrower than a 9:16 phone picture, and so is 1 more (on "
        '1280×720 it would be 640×720 px) (add "width": 1280, "height": 720, or the canvas '
        "the layout was made for)"
    )
    assert check_payload(LANDSCAPE).shape == Shape.TRANSCODING


@pytest.mark.parametrize(
    "change",
    [
        ('"fps": 15', '"fps": 15, "width": 1280, "height": 720'),  # the canvas is given
        ('"width": 0.5, "height": 1}', '"width": 0.5, "height": 0.5}'),  # 2×2: ambiguous
    ],
)
def test_the_landscape_heuristic_stays_quiet_when_unsure(change: tuple[str, str]) -> None:
    text = LANDSCAPE.replace(*change)
    assert not [i for i in lint_payload(text) if "portrait" in i.message]


def test_regions_sent_with_a_built_in_mode() -> None:
    text = lines(
        "{",
        '  "mixedVideoLayout": 1,',
        '  "layoutConfig": [{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}]',
        "}",
    )
    issue = only(text, "built-in mode")
    assert place(issue) == ("error", 2, 23)
    assert issue.message == (
        "layoutConfig is sent with mixedVideoLayout 1 (adaptive), a built-in mode: Agora "
        'ignores the regions and lays everyone out itself (send "mixedVideoLayout": 3 to '
        "use these regions, or leave layoutConfig out)"
    )
    assert len(lint_payload(text)) == 1  # the wire model's error is replaced
    without = text.replace('  "mixedVideoLayout": 1,\n', "")
    issue = only(without, "without mixedVideoLayout")
    assert place(issue) == ("error", 2, 3)  # the layoutConfig key
    assert "defaults to 0 (floating)" in issue.message


def test_a_region_off_the_canvas() -> None:
    text = lines(
        "[",
        '  {"uid": "1", "x_axis": 0.75, "y_axis": 0, "width": 0.5, "height": 1},',
        '  {"uid": "2", "x_axis": 0, "y_axis": 1, "width": 0.5, "height": 0.5}',
        "]",
    )
    right = only(text, "right edge")
    assert place(right) == ("warning", 2, 54)
    assert right.message == (
        "x_axis + width = 0.75 + 0.5 = 1.25: the region runs 0.25 past the right edge of the "
        "canvas, and Agora's reference requires x_axis + width <= 1 (keep x_axis + width "
        "within 1: width at most 0.25, or x_axis at most 0.5)"
    )
    bottom = only(text, "bottom edge")
    assert place(bottom) == ("warning", 3, 66)
    assert "the region starts at the bottom edge of the canvas, so Agora draws nothing" in (
        bottom.message
    )


def test_a_region_past_the_edge_by_rounding_is_accepted() -> None:
    # thirds rounded to 6 decimals end 1e-6 past the edge: Agora takes them, and so does
    # `layoutkit import agora`; a real overhang is still reported
    text = lines(
        "[",
        '  {"uid": "1", "x_axis": 0.666667, "y_axis": 0, "width": 0.333334, "height": 1},',
        '  {"uid": "2", "x_axis": 0.9, "y_axis": 0.9, "width": 0.1000001, "height": 0.1},',
        '  {"uid": "3", "x_axis": 0.5, "y_axis": 0.666667, "width": 0.5, "height": 0.33335}',
        "]",
    )
    issues = lint_payload(text)
    assert [(i.line, i.field) for i in issues] == [(4, "[2].height")]
    assert "runs 1.7e-05 past the bottom edge" in issues[0].message


def test_bound_and_unbound_regions_mixed() -> None:
    text = lines(
        "[",
        '  {"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 0.5},',
        '  {"x_axis": 0, "y_axis": 0.5, "width": 1, "height": 0.5},',
        '  {"uid": "", "x_axis": 0, "y_axis": 0.5, "width": 0.5, "height": 0.5}',
        "]",
    )
    issue = only(text, "mixes")
    assert place(issue) == ("warning", 3, 3)  # the first region without a uid
    assert issue.message.startswith(
        "layoutConfig mixes 1 region with a uid and 2 without: Agora gives the uid-less "
        "regions to the users that no region names, in the order they joined "
        "(docs/agora.md#who-goes-where), so who shows here depends on who joined first"
    )
    unbound = text.replace('"uid": "1", ', "")
    assert not [i for i in lint_payload(unbound) if "mixes" in i.message]


def test_png_and_http_background_images() -> None:
    text = lines(
        "{",
        '  "mixedVideoLayout": 1,',
        '  "backgroundImage": "https://cdn.example.com/bg.png",',
        '  "defaultUserBackgroundImage": "http://cdn.example.com/card.jpg",',
        '  "backgroundConfig": [{"uid": "1", "image_url": "https://cdn.example.com/a.JPG"}]',
        "}",
    )
    png, http = lint_payload(text)
    assert place(png) == ("warning", 3, 22)
    assert png.message == (
        "Agora loads background images only over HTTPS, as JPG or BMP, at most 6 MB; this "
        "URL does not end in .jpg, .jpeg or .bmp, so Agora will not show this picture (serve "
        "it over https:// as a .jpg or .bmp file)"
    )
    assert place(http) == ("warning", 4, 33)
    assert "this URL is not an https:// URL, so Agora will not show this picture" in (http.message)


def test_allstream_as_a_uid() -> None:
    text = lines(
        "[",
        '  {"uid": "#allstream#", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}',
        "]",
    )
    issue = only(text, "allstream")
    assert place(issue) == ("error", 2, 11)
    assert issue.message == (
        '"#allstream#" is not a user: it stands for every stream in the subscribe lists '
        "(subscribeVideoUids, subscribeAudioUids), while Agora gives a uid here to one user, "
        "so this region shows nobody (name one user's uid, or leave uid out)"
    )
    assert len(lint_payload(text)) == 1


def regions_text(count: int) -> str:
    rows = [
        f'  {{"uid": "{1000 + i}", "x_axis": 0, "y_axis": 0, "width": 0.1, "height": 0.1}}'
        for i in range(count)
    ]
    return "[\n" + ",\n".join(rows) + "\n]\n"


@pytest.mark.parametrize("count", [18, 100])
def test_more_regions_than_agora_draws(count: int) -> None:
    issue = only(regions_text(count), "regions, and Agora draws")
    assert place(issue) == ("error", 19, 3)  # the 18th region
    assert issue.message == (
        f"layoutConfig has {count} regions, and Agora draws at most 17: this region and "
        f"the {count - 18} after it would never show anyone, and Agora refuses the request "
        "(keep at most 17 regions)"
    )
    assert lint_payload(regions_text(17)) == []


def test_the_same_uid_twice() -> None:
    text = lines(
        "[",
        '  {"uid": "1", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 1},',
        '  {"uid": "01", "x_axis": 0.5, "y_axis": 0, "width": 0.5, "height": 1}',
        "]",
    )
    issue = only(text, "already the uid")
    assert place(issue) == ("warning", 3, 11)
    assert issue.message == (
        "uid 1 is already the uid of layoutConfig[0]: Agora documents one region per user, "
        "and which of the two shows them is not documented (give each region its own uid)"
    )


# -- more that Agora takes without a word --------------------------------------------------


def test_misspelt_keys_and_duplicated_keys() -> None:
    text = lines(
        "[",
        '  {"uid": "1", "x": 0, "y_axis": 0, "width": 1, "height": 1, "renderMode": 1,',
        '   "zOrder": 2, "height": 0.5}',
        "]",
    )
    issues = lint_payload(text)
    assert [(i.line, i.column, i.severity) for i in issues] == [
        (2, 16, "error"),
        (2, 62, "warning"),
        (3, 4, "warning"),
        (3, 17, "warning"),
    ]
    assert issues[0].message == (
        'Agora knows no key "x" here and ignores it; did you mean "x_axis"? ("x_axis" is '
        "required and missing)"
    )
    assert 'did you mean "render_mode"?' in issues[1].message
    assert "Agora paints the regions in list order" in issues[2].message
    assert issues[3].message.startswith('"height" appears more than once in this object')


def test_fields_where_agora_never_reads_them() -> None:
    text = lines(
        '{"cname": "c", "uid": "9",',
        ' "clientRequest": {"recordingConfig": {"mixedVideoLayout": 3, "width": 1280},',
        f'  "storageConfig": {STORAGE}}},',
        ' "recordingFileConfig": {"avFileType": ["hls"]}}',
    )
    inner, outer = lint_payload(text)
    assert place(inner) == ("error", 2, 40)
    assert inner.message == (
        "mixedVideoLayout, width belong in transcodingConfig: Agora ignores them here "
        "(move them there)"
    )
    assert place(outer) == ("error", 4, 2)
    assert outer.message.startswith("recordingFileConfig belongs inside clientRequest")


def test_recording_settings_of_a_transcoding_config() -> None:
    text = '{"width": 1920, "height": 1080, "fps": 25, "mixedVideoLayout": 1}'
    bitrate, fps = lint_payload(text)
    assert place(fps) == ("warning", 1, 40)
    assert "25 falls back to 15" in fps.message
    assert place(bitrate) == ("warning", 1, 1)
    assert bitrate.message.startswith(
        "bitrate is left out, so Agora records at its default 500 Kbps, far below Agora's "
        "recommendation for 1920×1080 at 15 fps (2080 Kbps)"
    )
    half = lint_payload('{"width": 640, "mixedVideoLayout": 1}')
    assert [(i.field, i.message) for i in half] == [
        (
            "width",
            "width is given without height, so Agora takes its default height of 640: the "
            "canvas is 640×640 (give both width and height)",
        )
    ]


def test_a_fully_transparent_region() -> None:
    # Agora's Go client sends alpha 0 when the caller sets none
    text = (
        '{"cname":"chan","uid":"123","clientRequest":{"mixedVideoLayout":3,"layoutConfig":'
        '[{"uid":"1","x_axis":0.1,"y_axis":0.1,"width":0.3,"height":0.3,"alpha":0,'
        '"render_mode":0}]}}'
    )
    issue = only(text, "transparent")
    assert place(issue) == ("warning", 1, 153)
    assert issue.message.startswith("alpha 0 makes this region fully transparent")


# -- the wire models' rules, located and in words ------------------------------------------


def test_wire_errors_are_located_and_readable() -> None:
    text = lines(
        '{"cname": "c", "uid": 9, "clientRequest": {',
        '  "mixedVideoLayout": 3,',
        '  "layoutConfig": [',
        '    {"uid": 1001, "x_axis": 320, "y_axis": 0, "width": 0.5, "height": 0.5, "alpha": 2},',
        '    {"uid": "1002", "y_axis": 0, "width": 0.5, "height": 0.5}',
        "  ]}}",
    )
    issues = lint_payload(text)
    assert [(i.field, i.line, i.column, i.message) for i in issues] == [
        ("uid", 1, 23, 'a uid is a JSON string of digits, e.g. "527841", not an integer'),
        (
            "clientRequest.layoutConfig[0].uid",
            4,
            13,
            'a uid is a JSON string of digits, e.g. "527841", not an integer',
        ),
        (
            "clientRequest.layoutConfig[0].x_axis",
            4,
            29,
            "320 is more than 1: positions and sizes are fractions of the canvas (0..1), not "
            "pixels (divide by the canvas width or height)",
        ),
        (
            "clientRequest.layoutConfig[0].alpha",
            4,
            85,
            "2 is not an opacity: alpha goes from 0 (transparent) to 1 (opaque)",
        ),
        (
            "clientRequest.layoutConfig[1]",
            5,
            5,
            '"x_axis" is missing: Agora requires it (add it: the left edge, a fraction of the '
            "canvas width from 0 to 1)",
        ),
    ]
    assert all(i.severity == "error" for i in issues)


def test_start_body_rules_of_the_wire_models() -> None:
    text = lines(
        '{"cname": "c", "uid": "9", "clientRequest": {',
        '  "recordingConfig": {"maxIdleTime": 1, "transcodingConfig": {',
        '    "width": 4000, "height": 720, "mixedVideoLayout": 7}},',
        '  "storageConfig": {"vendor": 99}}}',
    )
    found = [(i.line, i.column, i.message.split(":")[0]) for i in lint_payload(text)]
    assert found == [
        (2, 38, "1"),
        (3, 14, "4000"),
        (3, 55, "7"),
        (4, 20, '"region" is missing'),
        (4, 20, '"bucket" is missing'),
        (4, 20, '"accessKey" is missing'),
        (4, 20, '"secretKey" is missing'),
        (4, 31, "vendor 99 is not a storage vendor of Agora; use one of"),
    ]
    messages = [i.message for i in lint_payload(text)]
    assert messages[:3] == [
        "1: must be at least 5",
        "4000: must be at most 1920",
        "7: must be 0, 1, 2 or 3",
    ]


def test_storage_errors_are_each_at_their_value_and_none_hides_another() -> None:
    text = lines(
        '{"cname": "c", "uid": "9", "clientRequest": {',
        '  "recordingConfig": {"transcodingConfig": {"width": 640, "height": 360,',
        '    "bitrate": 400, "mixedVideoLayout": 1}},',
        '  "storageConfig": {',
        '    "vendor": 1,',
        '    "region": 17,',
        '    "bucket": "b",',
        '    "accessKey": "ak",',
        '    "secretKey": "",',
        '    "fileNamePrefix": ["ok", "my dir", "a/b"]}}}',
    )
    found = [(i.line, i.column, i.field, i.message) for i in lint_payload(text)]
    storage = "clientRequest.storageConfig"
    assert [(line, column, field) for line, column, field, _ in found] == [
        (6, 15, f"{storage}.region"),
        (9, 18, f"{storage}.secretKey"),
        (10, 30, f"{storage}.fileNamePrefix[1]"),
        (10, 40, f"{storage}.fileNamePrefix[2]"),
    ]
    messages = [message for *_, message in found]
    assert messages[0].startswith("region 17 is not a region of vendor 1 (AMAZON_S3)")
    assert messages[1] == (
        '"secretKey" is empty: Agora requires a value here (write the secret key of the '
        "storage account)"
    )
    assert "String should have" not in "".join(messages)
    assert messages[2].startswith("fileNamePrefix entry 'my dir' may only hold")
    assert messages[3].startswith("fileNamePrefix entry 'a/b' may only hold")


def test_storage_endpoint_and_prefix_length_are_located() -> None:
    text = lines(
        '{"cname": "c", "uid": "9", "clientRequest": {',
        '  "recordingConfig": {"transcodingConfig": {"width": 640, "height": 360,',
        '    "bitrate": 400, "mixedVideoLayout": 1}},',
        '  "storageConfig": {"vendor": 11, "region": 0, "bucket": "b", "accessKey": "a",',
        '    "secretKey": "s", "fileNamePrefix": ["' + "a" * 100 + '", "' + "b" * 40 + '"],',
        '    "extensionParams": {"endpoint": "https://x.example.com", "sse": "kms"}}}}',
    )
    found = [(i.line, i.column, i.field, i.message) for i in lint_payload(text)]
    assert [(line, column, field) for line, column, field, _ in found] == [
        (5, 41, "clientRequest.storageConfig.fileNamePrefix"),
        (6, 37, "clientRequest.storageConfig.extensionParams.endpoint"),
    ]
    assert found[0][3].startswith("fileNamePrefix is 142 characters")
    assert found[1][3].startswith("extensionParams.endpoint is the domain name")
    # a vendor 11 store without extensionParams: the error stays on the object
    bare = text.replace(
        ',\n    "extensionParams": {"endpoint": "https://x.example.com", "sse": "kms"}', ""
    )
    issue = only(bare, "needs extensionParams.endpoint")
    assert (issue.line, issue.column) == (4, 20)


def test_nan_and_infinity() -> None:
    issues = lint_payload('[{"x_axis": NaN, "y_axis": 0, "width": 1e999, "height": 1}]')
    assert [(i.field, *place(i)) for i in issues] == [
        ("[0].x_axis", "error", 1, 13),
        ("[0].width", "error", 1, 40),
    ]
    assert issues[0].message == (
        "not a finite number (NaN, Infinity, or too large): JSON has finite numbers only, "
        "and Agora refuses the body (write a number)"
    )


# -- shapes ------------------------------------------------------------------------------

REGION = '{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}'
LAYOUT = f'"mixedVideoLayout": 3, "backgroundColor": "#000000", "layoutConfig": [{REGION}]'
TRANSCODING = f'{{"width": 1280, "height": 720, "fps": 15, "bitrate": 1130, {LAYOUT}}}'
START_CLIENT = (
    f'{{"recordingConfig": {{"channelType": 1, "transcodingConfig": {TRANSCODING}}}, '
    f'"storageConfig": {STORAGE}}}'
)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (f'{{"cname": "c", "uid": "9", "clientRequest": {START_CLIENT}}}', Shape.START_BODY),
        (START_CLIENT, Shape.START_CLIENT),
        (f'{{"cname": "c", "uid": "9", "clientRequest": {{{LAYOUT}}}}}', Shape.UPDATE_BODY),
        (f"{{{LAYOUT}}}", Shape.UPDATE_CLIENT),
        (TRANSCODING, Shape.TRANSCODING),
        (f"[{REGION}]", Shape.LAYOUT_CONFIG),
    ],
    ids=lambda value: value.name if isinstance(value, Shape) else "",
)
def test_each_shape_is_detected_and_lints_clean(text: str, shape: Shape) -> None:
    report = check_payload(text, "p.json")
    assert (report.shape, report.issues) == (shape, [])
    assert report.summary() == f"p.json: ok, {shape}"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('"hello"', "a string is not a payload; lint takes a start or updateLayout request"),
        ("42", "an integer is not a payload"),
        ('{"colour": "red"}', "an object with colour is not a payload lint knows"),
        (REGION, "this is one region, not a payload: a layoutConfig array holds regions, so"),
        (
            '{"cname": "c", "uid": "1", "clientRequest": {"scene": 0}}',
            "a request body whose clientRequest holds no layout (scene; an acquire or stop",
        ),
    ],
)
def test_json_of_the_wrong_shape(text: str, words: str) -> None:
    (issue,) = lint_payload(text)
    assert (issue.line, issue.column, issue.severity) == (1, 1, "error")
    assert issue.message.startswith(words)
    assert issue.message.endswith(
        "a start or updateLayout request body ({cname, uid, clientRequest}), its "
        "clientRequest, a transcodingConfig, or a layoutConfig array"
    )


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ('{"a": 1,\n "b": [1, 2,]\n}', "a comma before ]: JSON allows no trailing comma"),
        ('{\n  "a": 1,\n}', "a comma before }: JSON allows no trailing comma"),
        ("{'a': 1}", "JSON quotes strings and keys with double quotes"),
        ('{"a": 1 "b": 2}', "a comma is missing between two items"),
        ('{"a": True}', "JSON writes true, false and null"),
        ("[1, 2\n", "the text ends before the JSON is complete"),
        ('{"a": 1} // note', "JSON has no comments"),
        ('{"a": 1}\n{"b": 2}', "more text after the JSON value"),
    ],
)
def test_not_json_is_located_where_the_decoder_stops(text: str, advice: str) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    (issue,) = lint_payload(text, source="p.json")
    assert (issue.line, issue.column) == (caught.value.lineno, caught.value.colno)
    assert issue.message.startswith(f"not JSON: {advice}")
    assert issue.message.endswith(f"(the JSON decoder says: {caught.value.msg})")


def test_the_locator_knows_every_value_and_key() -> None:
    text = '{\n  "a\\u005fb": [1, {"c": "x,y:[]{}"}, []],\n  "d": null, "d": {"e": 2}\n}'
    decoded = decode_json(text)
    assert not isinstance(decoded, Issue)
    data, jmap = decoded
    assert data == {"a_b": [1, {"c": "x,y:[]{}"}, []], "d": {"e": 2}}
    at = {path: jmap.position(offset) for path, offset in jmap.values.items()}
    assert at == {
        (): (1, 1),
        ("a_b",): (2, 15),
        ("a_b", 0): (2, 16),
        ("a_b", 1): (2, 19),
        ("a_b", 1, "c"): (2, 25),
        ("a_b", 2): (2, 38),
        ("d",): (3, 19),
        ("d", "e"): (3, 25),
    }
    assert jmap.position(jmap.keys[("d",)]) == (3, 14)  # the later "d", which wins
    assert [path for path, _ in jmap.duplicates] == [("d",)]


def every_path(data: object, path: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    found = {path}
    if isinstance(data, dict):
        for key, value in data.items():
            found |= every_path(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found |= every_path(value, (*path, index))
    return found


def test_a_key_given_again_forgets_what_its_earlier_value_held() -> None:
    text = '{"d": {"x": {"y": 1}, "z": [2]}, "d": {"x": 5}, "e": [{"f": [], "f": {"g": 0}}]}'
    decoded = decode_json(text)
    assert not isinstance(decoded, Issue)
    data, jmap = decoded
    assert set(jmap.values) == every_path(data)
    assert set(jmap.keys) == every_path(data) - {(), ("e", 0)}
    decoder = json.JSONDecoder()
    for path, offset in jmap.values.items():
        value: object = data
        for part in path:
            value = value[part]  # type: ignore[index]
        assert decoder.raw_decode(text, offset)[0] == value
    assert [path for path, _ in jmap.duplicates] == [("d",), ("e", 0, "f")]
    assert [jmap.position(at) for _, at in jmap.duplicates] == [(1, 2), (1, 56)]


def test_many_keys_given_again_are_read_at_once() -> None:
    """Forgetting what a replaced value held costs one pass, not one per repeated key."""
    text = '{"v": [' + ",".join(["0"] * 60_000) + "], " + ", ".join(['"a": []'] * 60_000) + "}"
    started = time.process_time()
    decoded = decode_json(text)
    assert not isinstance(decoded, Issue)
    assert len(decoded[1].duplicates) == 60_000 - 1
    # CPU time, whatever else the machine runs: the scan that forgot key by key took minutes
    assert time.process_time() - started < 10


# -- the command ---------------------------------------------------------------------------


def test_the_example_of_mistakes(tmp_path: Path) -> None:
    result = lint(str(MISTAKES))
    assert result.exit_code == 1
    heads = [
        line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line
    ]
    assert [h.split(": ")[0:2] for h in heads] == [
        [f"{MISTAKES}:13:5", "error"],
        [f"{MISTAKES}:13:26", "warning"],
        [f"{MISTAKES}:16:26", "warning"],
        [f"{MISTAKES}:19:17", "error"],
        [f"{MISTAKES}:20:9", "warning"],
        [f"{MISTAKES}:20:50", "warning"],
        [f"{MISTAKES}:20:83", "warning"],
    ]
    assert result.output.splitlines()[-1] == (
        f"{MISTAKES}: fails, a start request body (2 errors, 5 warnings)"
    )


def compiled(*extra: str) -> str:
    result = CliRunner().invoke(
        cli,
        [
            "compile",
            str(ROOT / "examples" / "speaker-strip.yaml"),
            "--participants",
            "1001,1002,1003",
            "--role",
            "speaker=1001",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_what_layoutkit_compile_emits_lints_clean(tmp_path: Path) -> None:
    update, start = compiled(), compiled("--as", "start")
    bodies = {
        "update.json": update,
        "start.json": start,
        "layout-config.json": compiled("--as", "layout-config"),
        "update-body.json": f'{{"cname": "c", "uid": "9", "clientRequest": {update}}}',
        "start-body.json": (
            f'{{"cname": "c", "uid": "9", "clientRequest": {{"recordingConfig": '
            f'{{"transcodingConfig": {start}}}, "storageConfig": {STORAGE}}}}}'
        ),
    }
    for name, text in bodies.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = lint(*(str(tmp_path / name) for name in bodies))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{tmp_path / 'update.json'}: ok, an updateLayout clientRequest",
        f"{tmp_path / 'start.json'}: ok, a transcodingConfig",
        f"{tmp_path / 'layout-config.json'}: ok, a layoutConfig array",
        f"{tmp_path / 'update-body.json'}: ok, an updateLayout request body",
        f"{tmp_path / 'start-body.json'}: ok, a start request body",
    ]


def test_standard_input() -> None:
    result = lint("-", stdin=f"[{REGION}]")
    assert (result.exit_code, result.output) == (0, "<stdin>: ok, a layoutConfig array\n")
    result = lint(
        "-", stdin='[{"uid": "alice", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}]'
    )
    assert result.exit_code == 1
    assert result.output.startswith('<stdin>:1:10: error: [0].uid: "alice" is a string user')
    assert lint("-", "-", stdin="[]").exit_code == 2  # standard input can be read once


def test_several_files_and_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(f"[{REGION}]", encoding="utf-8")
    warned = tmp_path / "warned.json"
    warned.write_text(LANDSCAPE, encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert lint(str(clean)).exit_code == 0
    result = lint(str(clean), str(warned))
    assert result.exit_code == 0  # warnings only
    assert result.output.splitlines()[-1] == f"{warned}: ok, a transcodingConfig (1 warning)"
    assert lint("--strict", str(warned)).exit_code == 1
    result = lint(str(broken), str(clean), str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{broken}:1:2: error: not JSON: the text ends before the JSON is complete (a "
        "closing ] or } is missing) (the JSON decoder says: Expecting property name "
        "enclosed in double quotes)",
        " 1 | {",
        "   |  ^",
        f"{broken}: fails (1 error)",
        f"{clean}: ok, a layoutConfig array",
        f"{tmp_path / 'missing.json'}: error: no such file; check the path, or run from its folder",
        f"{tmp_path / 'missing.json'}: fails (1 error)",
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe[]", "1:1: error: the text is not UTF-8"),
        (b'[\n  "a\x00"]', "2:5: error: a NUL byte"),
        (b"", "error: the file is empty"),
        (b"[" * 100_000, "error: not JSON a payload can be: nested too deeply"),
        (b"[" + b"9" * 5000 + b"]", "1:2: error: not JSON a payload can be: a number of"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), "error: the payload file is over 1 MiB"),
    ],
)
def test_files_that_cannot_be_linted_fail_without_a_traceback(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    result = lint(str(path))
    assert result.exit_code == 1
    assert words in result.output
    folder = lint(str(tmp_path))
    assert folder.exit_code == 1  # a folder: a located error, not a usage error
    assert f"{tmp_path}: error: is a folder, not a payload file" in folder.output


def test_help() -> None:
    result = lint("--help")
    assert result.exit_code == 0
    assert "Usage: cli lint [OPTIONS] FILES..." in result.output
    assert "--strict" in result.output


def test_standard_input_is_limited_too() -> None:
    result = lint("-", stdin=b" " * (MAX_PAYLOAD_BYTES + 1))
    assert result.exit_code == 1
    assert "<stdin>: error: standard input is over 1 MiB" in result.output


def test_long_lines_are_quoted_around_the_column() -> None:
    regions = [REGION.replace('"1"', f'"{uid}"') for uid in range(1, 6)]
    text = "[" + ", ".join([*regions, REGION.replace('"1"', '"alice"')]) + "]"
    (issue,) = lint_payload(text, source="p.json")
    head, quoted, caret = format_issue(issue).splitlines()
    assert head == issue.headline()
    assert len(quoted) < QUOTE_WIDTH + 20 and '"alice"' in quoted
    assert quoted.index('"alice"') == caret.index("^")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["1001", "alice", "#allstream#", "", "https://a.example/b.png"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "uid",
                    "x_axis",
                    "y_axis",
                    "width",
                    "height",
                    "alpha",
                    "render_mode",
                    "mixedVideoLayout",
                    "layoutConfig",
                    "backgroundConfig",
                    "maxResolutionUid",
                    "backgroundImage",
                    "image_url",
                    "fps",
                    "bitrate",
                    "cname",
                    "clientRequest",
                    "recordingConfig",
                    "transcodingConfig",
                    "storageConfig",
                    "renderMode",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_any_json_lints_without_an_exception(value: object, indent: bool) -> None:
    text = json.dumps(value, indent=2 if indent else None)
    for issue in lint_payload(text, source="p.json"):
        assert issue.line is not None and issue.column is not None
        assert issue.snippet is not None
        assert issue.severity in ("error", "warning")
