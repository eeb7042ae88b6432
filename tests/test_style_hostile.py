"""Names, frames and logos against hostile and careless input, each kept fixed: a FIFO as a
logo, label expressions that give no text, `{{ name }}` in a templated file, template
variables in expressions, decor under the video, the bare layoutConfig of a styled
layout, credentials and signatures in asset URLs, sample names only for stand-ins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit import parse_layout
from layoutkit.assets import FolderPublisher
from layoutkit.cli import cli
from layoutkit.compile.compiler import InMemory, compile_full
from layoutkit.errors import AssetError, LayoutError, LayoutValidationError, mask_urls
from layoutkit.library import presets
from layoutkit.preview import compile_preview

REGION = "regions:\n  - {uid: 7, x: 0, y: 50px, width: 50%, height: 300px, LABEL}\n"


def layout_text(label: str = "label: {height: 30px}", extra: str = "") -> str:
    return "canvas: 640x360\n" + REGION.replace("LABEL", label) + extra


def messages(text: str) -> list[str]:
    try:
        compiled = compile_full(parse_layout(text), ["7"], assets=InMemory())
    except LayoutError as exc:
        return [str(exc)]
    return [issue.format() for issue in compiled.issues]


def test_a_fifo_as_a_logo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "logo.png"
    os.mkfifo(fifo)
    decor = f"decor:\n  - {{image: {fifo}, x: 400px, y: 0, width: 90px, height: 30px}}\n"
    (message,) = messages(layout_text(extra=decor))
    assert "is a FIFO (named pipe), not an image" in message and "decor[0].image" in message


@pytest.mark.parametrize("expression", ["name.upper", "range", "[name]"])
def test_an_expression_that_gives_no_text_is_an_error(expression: str) -> None:
    (message,) = messages(layout_text(f'label: {{height: 30px, text: "{expression}"}}'))
    assert "not text" in message and "regions[0].label.text" in message


def test_braces_in_a_templated_label_say_that_texts_are_expressions() -> None:
    text = layout_text('label: {height: 30px, text: "{{ name }}"}')
    with pytest.raises(LayoutError) as caught:
        parse_layout(text)
    assert "expression without braces" in str(caught.value.hint)


def test_expressions_see_the_variables_given_not_their_documentation() -> None:
    text = 'variables: {show: "the title of the show"}\n' + layout_text(
        "label: {height: 30px, text: \"show ~ ': ' ~ name\"}"
    )
    layout = parse_layout(text, vars={"show": "Night Owls"})
    compiled = compile_full(layout, ["7"], names={7: "Ada"}, assets=InMemory())
    assert compiled.style is not None
    assert [getattr(m, "text", None) for m in compiled.style.marks] == ["Night Owls: Ada"]
    (message,) = messages(text)  # without --var, the name is unknown
    assert "'show' is undefined" in message


def test_decor_under_the_video_is_a_warning() -> None:
    decor = "decor:\n  - {text: Title, x: 10px, y: 60px, width: 200px, height: 30px}\n"
    (message,) = messages(layout_text(extra=decor))
    assert "lies under the video of uid 7" in message and "decor[0]" in message
    beside = "decor:\n  - {text: Title, x: 400px, y: 10px, width: 200px, height: 30px}\n"
    assert messages(layout_text(extra=beside)) == []


def test_the_bare_layout_config_of_a_styled_layout_warns(tmp_path: Path) -> None:
    layout = tmp_path / "show.yaml"
    layout.write_text(layout_text())
    args = ["compile", str(layout), "--participants", "7", "--as", "layout-config"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "bare layoutConfig leaves out the images" in result.stderr
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1
    regions = CliRunner().invoke(cli, ["regions", str(layout), "--participants", "7"])
    assert regions.exit_code == 0 and "publish" not in regions.stderr  # nothing to publish


def test_asset_urls_carry_no_credentials_and_messages_no_signatures(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="holds a user name or password") as caught:
        FolderPublisher(tmp_path, "https://user:hunter2@cdn.example.com/show")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(AssetError) as signed:
        FolderPublisher(tmp_path, "https://cdn.example.com/show?X-Amz-Signature=abc123")
    assert "abc123" not in str(signed.value)
    assert mask_urls("at https://a:b@h/x?sig=1 and s3://k@b/y") == (
        "at https://***@h/x?*** and s3://***@b/y"
    )


def test_sample_names_are_for_stand_ins_only() -> None:
    layout = presets.load("talk-show")
    stand_ins = compile_preview(layout, count=2)
    real = compile_preview(layout, ["7", "8"], {"host": "7"})
    assert stand_ins.style is not None and real.style is not None
    texts = [getattr(m, "text", None) for m in stand_ins.style.marks]
    assert "Ada Lovelace" in texts
    assert "Ada Lovelace" not in [getattr(m, "text", None) for m in real.style.marks]


def test_play_says_what_drawing_found_once(tmp_path: Path) -> None:
    (tmp_path / "show.yaml").write_text(layout_text())
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        'layout: show.yaml\nnames: {"7": "Zoë \u0378"}\nevents:\n'
        '  - {at: 0s, join: "7"}\n  - {at: 5s, join: "8"}\n'
    )
    result = CliRunner().invoke(cli, ["play", str(scenario), "--no-pictures"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("cannot draw") == 1


def test_a_name_change_without_a_uid_says_how_to_write_one(tmp_path: Path) -> None:
    from layoutkit.live.scenario import load_scenario

    scenario = tmp_path / "s.yaml"
    scenario.write_text('events:\n  - {at: 0s, name: "1002", to: Grace}\n')
    with pytest.raises(LayoutValidationError) as caught:
        load_scenario(scenario)
    assert "names its person with uid" in str(caught.value)


# --- what a first-time user tries ------------------------------------------------------------


def test_an_aspect_is_the_videos_inside_the_frame_and_beside_the_label() -> None:
    text = (
        "canvas: 1280x720\nregions:\n  - grid: {columns: 2, aspect: '16:9', "
        "frame: {width: 4px}, label: {height: 8%}}\n"
    )
    compiled = compile_full(parse_layout(text), ["1", "2"], assets=InMemory())
    for _, cell in compiled.cells:
        assert abs(cell.video.width / cell.video.height - 16 / 9) < 0.01


def test_a_cards_initials_are_the_persons_whatever_its_text() -> None:
    text = "canvas: 640x360\ncard: {text: \"'Speaker'\"}\nmode: adaptive\n"
    compiled = compile_full(parse_layout(text), ["7"], names={7: "Ada Lovelace"}, assets=InMemory())
    assert compiled.style is not None
    (card,) = compiled.style.cards
    assert (card.text, card.initials) == ("Speaker", "AL")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("frame: 6px", 'write it as {width: 6px, color: "#FFCC00"}'),
        ("label: true", "write it as {}"),
        ("label: {size: 20px}", "a size in pixels is a number: 20"),
        ("frame: {color: yellow}", "colour names are not read"),
        ("frame: {color: '#000000AA'}", "Agora draws no transparency"),
        ("label: {text: Guest}", "for fixed text, quote it"),
    ],
)
def test_a_newcomers_mistakes_say_how_to_write_it(value: str, words: str) -> None:
    (message,) = messages(layout_text(value))
    assert words in message


def test_a_decor_item_needs_its_size() -> None:
    (message,) = messages(layout_text(extra="decor:\n  - {text: Hi, x: 0, y: 0, height: 9px}\n"))
    assert "missing required key 'width'" in message


def test_long_text_shrinks_no_further_than_legible() -> None:
    compiled = compile_full(
        parse_layout(layout_text("label: {height: 16px, size: 11}")), ["7"], assets=InMemory()
    )
    assert compiled.style is not None
    (strip,) = compiled.style.marks
    assert getattr(strip, "min_size", 0) == 9


def test_preview_takes_video_off_uids_with_commas_and_warns_of_strangers(tmp_path: Path) -> None:
    layout = tmp_path / "show.yaml"
    layout.write_text(
        "canvas: 640x360\ncard: {}\nregions:\n  - grid: {columns: 2}\n", encoding="utf-8"
    )
    out = tmp_path / "p.png"
    args = ["preview", str(layout), "--participants", "7,8", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--video-off", "7,8,99", "--name", "42=Nobody"])
    assert result.exit_code == 0, result.output
    assert "--video-off 99: not among the participants (7, 8)" in result.stderr
    assert "--name 42: not among the participants" in result.stderr
