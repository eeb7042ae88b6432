"""The `update` request and its rules, from Agora's current update reference: a subscribe
or an unsubscribe list per media given, not both (nor one list in both spellings); 1 to
32 uid strings or "#allstream#"; streamSubscribe in mix and individual recording only,
the web page recording settings (checked) in web only, storageConfig checked as at start
in every mode; never an empty request, unknown keys passed through but counting for
nothing. Both validation paths: a caller's values, and raw JSON as it crosses the wire."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from emulator_helpers import STORAGE
from pydantic import ValidationError

from layoutkit.wire import UpdateClientRequest, UpdateRequest, validate_update
from layoutkit.wire.api import MAX_SUBSCRIBE

# a body of the current reference's shape (docs.agora.io/en/cloud-recording/rest-api/update)
REFERENCE: dict[str, Any] = {
    "cname": "httpClient463224",
    "uid": "527841",
    "clientRequest": {
        "streamSubscribe": {
            "audioUidList": {"subscribeAudioUids": ["#allstream#"]},
            "videoUidList": {"unsubscribeVideoUids": ["444", "555", "666"]},
        }
    },
}


def with_lists(**lists: Any) -> dict[str, Any]:
    body = copy.deepcopy(REFERENCE)
    body["clientRequest"]["streamSubscribe"] = lists
    return body


def both_paths(body: dict[str, Any], mode: str = "mix") -> list[UpdateRequest]:
    """The body checked as a caller's values and as raw JSON."""
    return [
        validate_update(body, mode),  # type: ignore[arg-type]
        validate_update(json.loads(json.dumps(body)), mode, json_types=True),  # type: ignore[arg-type]
    ]


def refused(body: dict[str, Any], mode: str = "mix", *, json_only: bool = False) -> str:
    """The error text of a body both paths (or the JSON path) refuse."""
    texts = []
    for json_types in (True,) if json_only else (True, False):
        with pytest.raises(ValidationError) as info:
            validate_update(body, mode, json_types=json_types)  # type: ignore[arg-type]
        texts.append(str(info.value))
    return texts[0]


@pytest.mark.parametrize("mode", ["mix", "individual"])
def test_the_reference_body_is_accepted_and_sent_as_given(mode: str) -> None:
    for request in both_paths(REFERENCE, mode):
        assert request.to_wire() == REFERENCE


def test_the_earlier_unsubscribe_spelling_is_read_and_the_current_one_sent() -> None:
    body = with_lists(
        audioUidList={"unSubscribeAudioUids": ["1001"]},
        videoUidList={"unSubscribeVideoUids": ["1002"]},
    )
    for request in both_paths(body):
        assert request.to_wire()["clientRequest"]["streamSubscribe"] == {
            "audioUidList": {"unsubscribeAudioUids": ["1001"]},
            "videoUidList": {"unsubscribeVideoUids": ["1002"]},
        }


@pytest.mark.parametrize("media", ["audio", "video"])
def test_a_subscribe_and_an_unsubscribe_list_for_one_media_are_refused(media: str) -> None:
    kind = media.capitalize()
    body = with_lists(
        **{f"{media}UidList": {f"subscribe{kind}Uids": ["1"], f"unsubscribe{kind}Uids": ["2"]}}
    )
    text = refused(body)
    assert f"clientRequest.streamSubscribe.{media}UidList" in text
    assert f"subscribe{kind}Uids and unsubscribe{kind}Uids cannot both be set" in text


def test_lists_for_different_media_may_differ_in_kind() -> None:
    body = with_lists(
        audioUidList={"subscribeAudioUids": ["1"]}, videoUidList={"unsubscribeVideoUids": ["1"]}
    )
    assert all(both_paths(body))


@pytest.mark.parametrize(
    ("lists", "message"),
    [
        ({"audioUidList": {"subscribeAudioUids": []}}, "at least 1 item"),
        ({"videoUidList": {}}, "give subscribeVideoUids (only these users' video) or"),
        ({}, "give audioUidList or videoUidList (or both)"),
    ],
)
def test_a_list_that_says_nothing_is_refused(lists: dict[str, Any], message: str) -> None:
    assert message in refused(with_lists(**lists))


def test_an_empty_request_is_refused() -> None:
    text = refused({"cname": "c", "uid": "1", "clientRequest": {}})
    assert "give streamSubscribe (the subscription lists" in text


def test_at_most_32_uids_per_list() -> None:
    most = [str(uid) for uid in range(1, MAX_SUBSCRIBE + 1)]
    assert all(both_paths(with_lists(audioUidList={"subscribeAudioUids": most})))
    text = refused(with_lists(videoUidList={"unsubscribeVideoUids": [*most, "33"]}))
    assert "videoUidList.unsubscribeVideoUids" in text and "at most 32" in text


@pytest.mark.parametrize("uid", ["0", "4294967296", "-1", " 12", "12a", "#allstreams#", ""])
def test_a_list_entry_must_be_a_uid_string_or_allstream(uid: str) -> None:
    text = refused(with_lists(audioUidList={"subscribeAudioUids": ["1001", uid]}))
    assert f"{uid!r} is not a uid string (1..4294967295) or '#allstream#'" in text


def test_uids_are_json_strings_on_the_wire() -> None:
    text = refused(with_lists(audioUidList={"subscribeAudioUids": [1001]}), json_only=True)
    assert "audioUidList.subscribeAudioUids.0" in text


def test_stream_subscribe_is_refused_in_web_page_recording() -> None:
    text = refused(REFERENCE, "web")
    assert "clientRequest.streamSubscribe" in text
    assert "for mix and individual recording only, not web" in text


WEB_SETTINGS = {
    "webRecordingConfig": {"onhold": True},
    "rtmpPublishConfig": {"outputs": [{"rtmpUrl": "rtmp://cdn.example.com/live/1"}]},
}


@pytest.mark.parametrize("name", list(WEB_SETTINGS))
def test_the_web_page_recording_settings_are_for_web_only(name: str) -> None:
    body = {"cname": "a label", "uid": "1", "clientRequest": {name: WEB_SETTINGS[name]}}
    for request in both_paths(body, "web"):
        assert request.to_wire() == body
    for mode in ("mix", "individual"):
        text = refused(body, mode)
        assert f"clientRequest.{name}" in text
        assert f"for web page recording only, not {mode}" in text


@pytest.mark.parametrize(
    ("client", "field", "json_only"),
    [
        ({"webRecordingConfig": {"onhold": "yes"}}, "webRecordingConfig.onhold", True),
        ({"webRecordingConfig": []}, "clientRequest.webRecordingConfig", False),
        ({"rtmpPublishConfig": {}}, "rtmpPublishConfig.outputs", False),
        ({"rtmpPublishConfig": {"outputs": [{}]}}, "outputs.0.rtmpUrl", False),
        ({"rtmpPublishConfig": {"outputs": [{"rtmpUrl": 7}]}}, "outputs.0.rtmpUrl", False),
    ],
)
def test_the_web_page_recording_settings_are_checked(
    client: dict[str, Any], field: str, json_only: bool
) -> None:
    body = {"cname": "a label", "uid": "1", "clientRequest": client}
    assert field in refused(body, "web", json_only=json_only)


@pytest.mark.parametrize("mode", ["mix", "individual", "web"])
def test_a_storage_config_is_checked_as_at_start_in_every_mode(mode: str) -> None:
    body = {"cname": "room", "uid": "1", "clientRequest": {"storageConfig": STORAGE}}
    for request in both_paths(body, mode):
        assert request.client_request.given() == ["storageConfig"]
        assert request.to_wire() == body
    wrong = {
        "cname": "room",
        "uid": "1",
        "clientRequest": {"storageConfig": {**STORAGE, "vendor": 0}},
    }
    text = refused(wrong, mode)
    assert "clientRequest.storageConfig.vendor" in text
    assert STORAGE["secretKey"] not in text and STORAGE["accessKey"] not in text


def test_unknown_keys_pass_through_but_count_for_nothing() -> None:
    body = copy.deepcopy(REFERENCE)
    body["clientRequest"]["futureSetting"] = {"on": True}
    for request in both_paths(body):
        assert request.to_wire() == body
        assert request.client_request.given() == ["streamSubscribe"]
    text = refused({"cname": "c", "uid": "1", "clientRequest": {"futureSetting": {"on": True}}})
    assert "give streamSubscribe" in text


def test_a_null_field_is_one_not_given() -> None:
    client: dict[str, Any] = {"streamSubscribe": None}
    assert "give streamSubscribe" in refused({"cname": "c", "uid": "1", "clientRequest": client})
    body = {"cname": "c", "uid": "1", "clientRequest": {**client, "storageConfig": STORAGE}}
    for request in both_paths(body, "web"):  # streamSubscribe: null is no list in web
        assert request.client_request.given() == ["storageConfig"]


@pytest.mark.parametrize("media", ["audio", "video"])
def test_one_unsubscribe_list_in_both_spellings_is_refused(media: str) -> None:
    kind = media.capitalize()
    lists = {f"unsubscribe{kind}Uids": ["1"], f"unSubscribe{kind}Uids": ["2"]}
    text = refused(with_lists(**{f"{media}UidList": lists}))
    assert f"clientRequest.streamSubscribe.{media}UidList" in text
    assert f"unsubscribe{kind}Uids and unSubscribe{kind}Uids cannot both be set" in text


def test_the_ids_and_the_mode_are_checked() -> None:
    assert "cname" in refused({**REFERENCE, "cname": "bad/name"})
    assert "uid" in refused({**REFERENCE, "uid": "0"})
    assert "clientRequest" in refused({"cname": "c", "uid": "1"})
    with pytest.raises(ValueError, match="not a recording mode"):
        validate_update(REFERENCE, "composite")  # type: ignore[arg-type]


def test_lists_builds_the_nested_request_from_uids() -> None:
    built = UpdateClientRequest.lists(subscribe_audio=[1001, "1002"], unsubscribe_video="1003")
    assert built.to_wire() == {
        "streamSubscribe": {
            "audioUidList": {"subscribeAudioUids": ["1001", "1002"]},
            "videoUidList": {"unsubscribeVideoUids": ["1003"]},
        }
    }
    only_video = UpdateClientRequest.lists(subscribe_video=["#allstream#"])
    assert only_video.to_wire() == {
        "streamSubscribe": {"videoUidList": {"subscribeVideoUids": ["#allstream#"]}}
    }
    with pytest.raises(ValidationError, match="cannot both be set"):
        UpdateClientRequest.lists(subscribe_audio=[1], unsubscribe_audio=[2])
    with pytest.raises(ValidationError, match="give audioUidList or videoUidList"):
        UpdateClientRequest.lists()
