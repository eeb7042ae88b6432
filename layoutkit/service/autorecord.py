"""Recording by itself: rules (the config file's `auto_record:`, docs/service.md) map
channel-name patterns to a layout and a start request. When a matching channel's first
host joins, the service starts a recording (its `transcodingConfig` compiled for the hosts
there) and attaches it; when the channel is destroyed or left without hosts, it detaches
and stops it. `env:NAME` values are read from the environment when a rule is loaded;
neither they nor the request are ever logged. Actions run on one worker thread, each call
taking a turn on the service's limiter."""

from __future__ import annotations

import copy
import fnmatch
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layoutkit.compile.compiler import compile_full
from layoutkit.errors import ApiError, LayoutkitError, safe_text
from layoutkit.live.scheduler import LimiterClosedError
from layoutkit.service.spec import AttachSpec, RequestError, load_spec_layout, parse_spec

if TYPE_CHECKING:
    from layoutkit.service.hub import DirectorHub

log = logging.getLogger("layoutkit.service.auto")
RETRY_AFTER = 30.0  # seconds before a failed start is tried again
_RULE_KEYS = {"channels", "preset", "file", "layout", "vars", "roles", "options", "uid", "request"}


class ConfigError(LayoutkitError):
    """The service's config file cannot be used; the message names the rule and field."""


@dataclass(frozen=True)
class AutoRule:
    channels: str
    spec: dict[str, Any]  # the attach request, less cname, resource id and sid
    request: dict[str, Any] = field(repr=False)  # holds storage keys: never shown

    def attach_spec(self, cname: str = "check") -> AttachSpec:
        """The rule's attach request for `cname`, checked, with stand-in ids."""
        return _spec_for(self.spec, cname)


def _spec_for(spec: dict[str, Any], cname: str) -> AttachSpec:
    return parse_spec({**spec, "cname": cname, "resource_id": "-", "sid": "-"})


def _env(value: Any, where: str) -> Any:
    """`env:NAME` values replaced from the environment, anywhere in `value`."""
    if isinstance(value, dict):
        return {k: _env(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_env(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise ConfigError(f"{where}: the environment variable {name} is not set")
        return os.environ[name]
    return value


def parse_rules(data: Any, source: str) -> list[AutoRule]:
    """`auto_record:` of a config file → rules; ConfigError names the rule and field."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{source}: auto_record: give a list of rules")
    rules = []
    for index, item in enumerate(data):
        where = f"{source}: auto_record[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: a rule is a mapping (channels, preset, uid, request)")
        unknown = sorted(set(item) - _RULE_KEYS)
        if unknown:
            known = ", ".join(sorted(_RULE_KEYS))
            raise ConfigError(f"{where}.{unknown[0]}: unknown field; the fields are {known}")
        channels = item.get("channels")
        if not isinstance(channels, str) or not channels:
            raise ConfigError(f'{where}.channels: give a channel-name pattern, e.g. "class-*"')
        request = item.get("request") or {}
        if not isinstance(request, dict) or "storageConfig" not in request:
            raise ConfigError(
                f"{where}.request: give the start clientRequest with its storageConfig"
            )
        spec = {k: v for k, v in item.items() if k not in ("channels", "request")}
        try:  # checked now with stand-in ids, so a bad rule fails at start-up
            _spec_for(spec, "check")
        except RequestError as exc:
            message = exc.message.removeprefix(f"{exc.field}: ")
            raise ConfigError(f"{where}.{exc.field or 'uid'}: {message}") from None
        request = _env(request, f"{where}.request")
        check_request(request, f"{where}.request")
        rules.append(AutoRule(channels, spec, request))
    return rules


def check_request(request: dict[str, Any], where: str) -> None:
    """ConfigError unless `request`, with the transcodingConfig the service adds, is a
    start clientRequest Agora takes."""
    from pydantic import ValidationError

    from layoutkit.wire.api import StartClientRequest

    trial = copy.deepcopy(request)
    config = trial.setdefault("recordingConfig", {})
    if isinstance(config, dict):
        config.setdefault("transcodingConfig", {"width": 640, "height": 360})
    try:
        StartClientRequest.model_validate(trial, context={"mode": "mix"})
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"{where}.{path}: {first['msg']}; this is the start clientRequest Agora is sent"
        ) from None


def check_rules(rules: list[AutoRule], layouts: Path | None) -> None:
    """Load each rule's layout now (ConfigError naming the rule): fail at start-up."""
    for index, rule in enumerate(rules):
        try:
            load_spec_layout(rule.attach_spec(), layouts)
        except RequestError as exc:
            message = exc.message.removeprefix(f"{exc.field}: ")
            raise ConfigError(
                f"auto_record[{index}] ({rule.channels}).{exc.field}: {message}"
            ) from None


class AutoRecorder:
    """Starts and stops recordings of channels that match a rule (see the module)."""

    def __init__(self, hub: DirectorHub, rules: list[AutoRule]) -> None:
        self.hub = hub
        self.rules = rules
        self._jobs: queue.Queue[tuple[str, Callable[[], None]] | None] = queue.Queue()
        self._started: dict[str, str] = {}  # channel -> sid of the recording we started
        self._failed: dict[str, float] = {}  # channel -> when a start last failed
        self._worker = threading.Thread(target=self._run, name="layoutkit-auto", daemon=True)
        self._worker.start()
        self.log: list[str] = []  # what it did, newest last (bounded)
        hub.on_change = self.observe
        hub.on_end = self.ended

    def rule_for(self, cname: str) -> AutoRule | None:
        return next((r for r in self.rules if fnmatch.fnmatchcase(cname, r.channels)), None)

    def observe(self, channel: str, hosts: list[str], destroyed: bool) -> None:
        """A channel changed (called by the hub after each callback's events)."""
        if self.rule_for(channel) is not None:
            self._jobs.put((channel, partial(self._step, channel, list(hosts), destroyed)))

    def ended(self, channel: str, sid: str) -> None:
        """Agora ended recording `sid`: if it was ours, the channel is recorded again
        while hosts remain."""
        if self.rule_for(channel) is not None:
            self._jobs.put((channel, partial(self._ended, channel, sid)))

    def adopt(self) -> None:
        """After a restart: the recordings the service started itself, by channel."""
        for sid in self.hub.sids():
            item = self.hub.attached(sid)
            if item is not None and item.auto:
                self._started[item.spec.cname] = sid

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            channel, task = job
            try:
                task()
            except LimiterClosedError:
                return
            except Exception as exc:  # one channel's failure never stops the others
                self._note(
                    f"auto-record {channel}: failed ({type(exc).__name__}: {exc})", failed=True
                )

    def _step(self, channel: str, hosts: list[str], destroyed: bool) -> None:
        sid = self._started.get(channel)
        if sid is not None and (destroyed or not hosts):
            self._stop(channel, sid)
        elif sid is None and hosts and not destroyed:
            failed = self._failed.get(channel)
            if failed is None or time.monotonic() - failed >= RETRY_AFTER:
                self._start(channel, hosts)

    def _ended(self, channel: str, sid: str) -> None:
        if self._started.get(channel) != sid:
            return
        del self._started[channel]
        self._note(f"auto-record {channel}: Agora ended {sid}")
        hosts = self.hub.hosts_of(channel, exclude=set())
        if hosts:  # still hosts there: record the channel again
            self._step(channel, hosts, False)

    def _note(self, text: str, *, failed: bool = False) -> None:
        (log.warning if failed else log.info)("%s", safe_text(text))
        self.log = [*self.log[-99:], text]

    def _start(self, channel: str, hosts: list[str]) -> None:
        rule = self.rule_for(channel)
        if rule is None:
            return
        client, limiter = self.hub.client, self.hub.limiter
        spec = rule.attach_spec(channel)
        try:
            layout = load_spec_layout(spec, self.hub.options.layouts)
            people = [h for h in hosts if h != spec.uid]
            transcoding = compile_full(layout, people, spec.roles).transcoding_json
            request = copy.deepcopy(rule.request)
            request.setdefault("recordingConfig", {})["transcodingConfig"] = transcoding
            self.hub.mark_recorder(channel, spec.uid)  # its recorder is never a host
            limiter.acquire(("auto", channel))
            resource = client.acquire(channel, spec.uid)
            limiter.acquire(("auto", channel))
            recording = client.start(resource, request, cname=channel, uid=spec.uid)
        except (LayoutkitError, ApiError) as exc:
            self._failed[channel] = time.monotonic()
            self._note(
                f"auto-record {channel}: start failed ({exc}); retried in {RETRY_AFTER:g}s",
                failed=True,
            )
            return
        self._failed.pop(channel, None)
        ids = {"cname": channel, "resource_id": recording.resource_id, "sid": recording.sid}
        try:
            self.hub.attach({**rule.spec, **ids}, auto=True)
        except RequestError as exc:
            self._note(
                f"auto-record {channel}: started {recording.sid} but cannot attach: {exc}",
                failed=True,
            )
        self._started[channel] = recording.sid
        self._note(f"auto-record {channel}: started {recording.sid} for {len(hosts)} hosts")

    def _stop(self, channel: str, sid: str) -> None:
        item = self.hub.attached(sid)
        self.hub.detach(sid)
        del self._started[channel]
        if item is None:
            return
        spec = item.spec
        try:
            self.hub.limiter.acquire(("auto", channel))
            self.hub.client.stop(spec.resource_id, sid, spec.cname, spec.uid)
        except ApiError as exc:
            self._note(f"auto-record {channel}: stop of {sid} failed: {exc}", failed=True)
            return
        self._note(f"auto-record {channel}: stopped {sid} (no hosts left)")

    def close(self) -> None:
        self._jobs.put(None)
        self._worker.join(timeout=5)
