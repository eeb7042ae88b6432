"""After a restart: the service rebuilt from its store.

The kept callbacks are replayed to rebuild each channel, each channel with an attached
recording is resynchronised from Agora's user list (the recorders known first, so none
is taken for a host), then every recording's Director starts, in the join order it last
had, and pushes the layout for who is there. A stored recording that cannot be read (a
row that is not JSON, a request that no longer validates) is skipped and named with the
database and its sid; one whose layout cannot be loaded any more stays attached,
`broken`, with the reason among its errors. Neither stops the service from starting.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from layoutkit.errors import NotificationError
from layoutkit.live.notifications import parse_notification
from layoutkit.service.recordings import Attached
from layoutkit.service.spec import AttachSpec, RequestError, load_spec_layout, parse_spec
from layoutkit.service.store import StoredRecording

if TYPE_CHECKING:
    from layoutkit.service.hub import DirectorHub

log = logging.getLogger("layoutkit.service")


def resume(hub: DirectorHub) -> int:
    """Rebuild `hub` from its store (see the module); the number of recordings resumed."""
    replayed = _replay(hub)
    rows = [(row, _stored_spec(hub, row)) for row in hub.store.recordings()]
    usable = [(row, spec) for row, spec in rows if spec is not None]
    for row, spec in usable:  # the recorders are known before any user list is read
        hub.keep_stored(Attached(spec, None, row.auto, row.attached_at))
    if hub.options.resync:
        for cname in sorted({spec.cname for _, spec in usable}):
            hub.resync(cname)
    for row, spec in usable:
        _restart(hub, row.sid, spec)
    log.info("resumed %d recordings (%d notifications replayed)", len(usable), replayed)
    return len(usable)


def _replay(hub: DirectorHub) -> int:
    replayed = 0
    for kept in hub.store.notifications():
        try:
            notification = parse_notification(kept.body)
        except NotificationError:
            continue
        hub.replay(notification)
        replayed += 1
    return replayed


def _stored_spec(hub: DirectorHub, row: StoredRecording) -> AttachSpec | None:
    problem = row.problem
    if problem is None:
        try:
            return parse_spec(row.spec)
        except RequestError as exc:
            where = hub.store.path or "the in-memory database"
            problem = f"{where}: recording {row.sid}: {exc.message}"
    log.error("skipped a stored recording: %s; detach it with DELETE /recordings/SID", problem)
    return None


def _restart(hub: DirectorHub, sid: str, spec: AttachSpec) -> None:
    item = hub.attached(sid)
    if item is None:
        return
    try:
        layout = load_spec_layout(spec, hub.options.layouts)
    except RequestError as exc:
        item.fail(f"after a restart: {exc.message}")
        log.error("recording %s not resumed: %s", sid, exc.message)
        return
    hub.restart(item, layout)


__all__ = ["resume"]
