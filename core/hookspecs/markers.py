"""The markers: ``hookspec`` for a hook, ``eventspec`` for a domain event."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pluggy

hookspec = pluggy.HookspecMarker("trellis")

_Spec = TypeVar("_Spec", bound=Callable[..., object])


def eventspec(function: _Spec) -> _Spec:
    """Declare a domain event: a hookspec that :func:`core.api.emit` may name.

    An event fires after the transaction that made the change commits. Its
    subscribers are called through pluggy like any hook (``tryfirst``,
    ``trylast`` and wrappers mean what pluggy says), except that one failing
    subscriber is logged and the others still run: the change already stands.
    A plugin declares its own events the same way, in its ``hookspecs`` module.
    """
    function.trellis_event = True  # type: ignore[attr-defined]  # a marker on the function
    return hookspec(function)


def is_event(caller: pluggy.HookCaller) -> bool:
    """Whether a hook caller (``pm.hook.<name>``) is a declared domain event."""
    return caller.spec is not None and bool(getattr(caller.spec.function, "trellis_event", False))
