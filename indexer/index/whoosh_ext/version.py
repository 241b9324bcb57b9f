"""The one Whoosh version this package's private-API code was written against.

Keep `WHOOSH_VERSION` and the `whoosh-reloaded==` pin in pyproject.toml equal; the
contract tests (tests/whoosh_ext/) fail when they are not, or when another version is
installed. At run time a mismatch is not an error: each private-API path checks
`supported()` and falls back to Whoosh's public API, and says so once.
"""
from __future__ import annotations

import threading
import warnings

import whoosh

WHOOSH_VERSION = (2, 7, 5)

_warned: set[str] = set()
_warned_lock = threading.Lock()


class WhooshVersionWarning(RuntimeWarning):
    """Whoosh is not the version whoosh_ext was written against: a private-API path is off."""


def installed_version() -> tuple[int, ...]:
    return tuple(whoosh.__version__[:3])


def supported() -> bool:
    """True when the installed Whoosh is exactly WHOOSH_VERSION."""
    return installed_version() == WHOOSH_VERSION


def warn_unsupported(what: str, instead: str = "uses Whoosh's public API instead (slower)") -> None:
    """Say once per process and feature that `what` falls back (`instead`)."""
    with _warned_lock:
        if what in _warned:
            return
        _warned.add(what)
    warnings.warn(
        f"Whoosh {'.'.join(map(str, installed_version()))} is installed, but indexer/index/whoosh_ext was written "
        f"against {'.'.join(map(str, WHOOSH_VERSION))}: {what} {instead}",
        WhooshVersionWarning, stacklevel=3)
