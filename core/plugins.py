"""Finding, ordering and loading plugins — one plugin manager per app.

Built-in and third-party plugins alike are announced in the entry-point group
``trellis.plugins`` (the built-ins by Trellis's own ``pyproject.toml``, as
datasette registers its defaults) and loaded the same way: import the module,
read its ``manifest``, register it with pluggy. Anything wrong — an unknown
name, a missing or cyclic ``requires``, two plugins with one name, an import
that raises — raises
:class:`~core.errors.PluginError` naming the plugin, before the app exists, so
there is never a half-loaded application.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import cast

import pluggy

from core import __version__, hookspecs
from core.declarations import Manifest
from core.errors import PluginError

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "trellis.plugins"
#: the distribution whose plugins are the built-in ones (enabled by default)
DISTRIBUTION = "trellis-crm"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
#: names that would collide with core's tables, URLs or CLI commands
RESERVED_NAMES = frozenset(
    {
        "core",
        "api",
        "static",
        "auth",
        "admin",
        "user",
        "team",
        "role",
        "customer",
        "contact",
        "activity",
        "tag",
        "audit",
        "db",
        "users",
        "plugins",
        "jobs",
        "init",
        "run",
        "serve",
        # core's blueprints, URL prefixes and commands: a plugin of that name would clash at start
        "account",
        "activities",
        "approval",
        "approvals",
        "contacts",
        "customers",
        "directory",
        "meta",
        "pool",
        "records",
        "tasks",
        "theme",
        "login",
        "logout",
        "language",
        "healthz",
        "readyz",
        "metrics",
        "job",  # core's job_claim table
        "me",
        "roles",
        "tags",
        "teams",
        "worker",
    }
)


@dataclass(frozen=True)
class PluginInfo:
    """A discovered plugin: its manifest, module and where it came from."""

    manifest: Manifest | None
    module: ModuleType | None
    builtin: bool
    #: why a disabled plugin could not be read (it is listed, not loaded)
    error: str | None = None

    name: str = ""


@dataclass(frozen=True)
class Candidate:
    """A plugin found but not yet imported."""

    name: str
    builtin: bool
    load: Callable[[], ModuleType]  # the entry point's load()
    origin: str = ""  # the entry point's value, e.g. "plugins.sales"

    def import_module(self) -> ModuleType:
        try:
            return self.load()
        except Exception as exc:  # a plugin's import error must name the plugin
            raise PluginError(
                f"plugin {self.name!r} failed to import: {type(exc).__name__}: {exc}"
            ) from exc


def find_candidates() -> dict[str, Candidate]:
    """Every plugin installed on this system, by name.

    Built-in and third-party plugins are found the same way: through the
    entry-point group ``trellis.plugins``. The built-ins are those announced
    by Trellis's own distribution (``trellis-crm``, see ``pyproject.toml``).
    """
    found: dict[str, Candidate] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = getattr(ep, "dist", None)
        builtin = dist is not None and _canonical(dist.name) == DISTRIBUTION
        if ep.name in found:
            first, second = sorted((ep.value, found[ep.name].origin))
            raise PluginError(
                f"plugin {ep.name!r} is announced twice, by {first!r} and by "
                f"{second!r}; plugin names must be unique"
            )
        found[ep.name] = Candidate(ep.name, builtin, ep.load, ep.value)
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_plugins(
    enabled: list[str] | None, extra: Sequence[ModuleType] = ()
) -> tuple[list[PluginInfo], list[PluginInfo]]:
    """Import and check plugins; return ``(enabled in load order, disabled)``.

    ``enabled`` is ``TRELLIS_PLUGINS``: ``None`` means every built-in plugin,
    ``"all"`` in the list means every plugin found. ``extra`` are plugin
    modules registered directly (tests use this through ``register_plugin``).
    """
    candidates = find_candidates()
    if enabled is None:
        wanted = [n for n, c in candidates.items() if c.builtin]
    elif "all" in enabled:
        wanted = list(candidates)
    else:
        wanted = list(dict.fromkeys(enabled))
        for name in wanted:
            if name not in candidates:
                known = ", ".join(sorted(candidates)) or "none"
                raise PluginError(f"TRELLIS_PLUGINS: unknown plugin {name!r} (installed: {known})")

    infos: dict[str, PluginInfo] = {}
    for name in wanted:
        module = candidates[name].import_module()
        infos[name] = PluginInfo(
            _manifest(module, name), module, candidates[name].builtin, name=name
        )
    for module in extra:
        manifest = _manifest(module, getattr(getattr(module, "manifest", None), "name", "?"))
        installed = candidates.get(manifest.name)
        if installed is not None and installed.origin == module.__name__:
            if manifest.name not in infos:  # an installed plugin's own module: enable it
                infos[manifest.name] = PluginInfo(
                    manifest, module, installed.builtin, name=manifest.name
                )
                wanted.append(manifest.name)
            continue
        if manifest.name in infos or manifest.name in candidates:
            raise PluginError(f"plugin {manifest.name!r} is registered twice")
        infos[manifest.name] = PluginInfo(manifest, module, False, name=manifest.name)
        wanted.append(manifest.name)

    ordered = _load_order([infos[n] for n in wanted], set(candidates))
    disabled = [_read_disabled(c) for n, c in candidates.items() if n not in infos]
    return ordered, sorted(disabled, key=lambda p: p.name)


def _read_disabled(cand: Candidate) -> PluginInfo:
    """A disabled plugin is read for ``plugins list``; a broken one is reported, not fatal."""
    try:
        module = cand.import_module()
        return PluginInfo(_manifest(module, cand.name), module, cand.builtin, name=cand.name)
    except PluginError as exc:
        return PluginInfo(None, None, cand.builtin, error=str(exc), name=cand.name)


def _manifest(module: ModuleType, name: str) -> Manifest:
    manifest = getattr(module, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise PluginError(f"plugin {name!r} has no `manifest = Manifest(...)` in {module.__name__}")
    if manifest.name != name:
        raise PluginError(
            f"plugin {name!r}: its manifest says name={manifest.name!r}; the two must match"
        )
    if not NAME_RE.match(name) or name in RESERVED_NAMES:
        raise PluginError(
            f"plugin {name!r}: a name must be 2-31 lowercase letters, digits or _, "
            "and not one of core's reserved names"
        )
    if _version_tuple(manifest.min_core) > _version_tuple(__version__):
        raise PluginError(
            f"plugin {name!r} needs Trellis core >= {manifest.min_core}; this is {__version__}"
        )
    return manifest


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def _load_order(wanted: list[PluginInfo], installed: set[str]) -> list[PluginInfo]:
    """Order plugins so each comes after what it requires (depth-first)."""
    by_name = {p.name: p for p in wanted}
    order: list[PluginInfo] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(info: PluginInfo, path: list[str]) -> None:
        if state.get(info.name) == "done":
            return
        if state.get(info.name) == "visiting":
            cycle = " -> ".join(path[path.index(info.name) :] + [info.name])
            raise PluginError(f"plugin {info.name!r} has a cyclic requirement: {cycle}")
        state[info.name] = "visiting"
        for dep in cast(Manifest, info.manifest).requires:  # a plugin to load has one
            if dep not in by_name and dep not in installed:
                raise PluginError(f"plugin {info.name!r} requires {dep!r}, which is not installed")
            if dep not in by_name:
                raise PluginError(
                    f"plugin {info.name!r} requires {dep!r}, "
                    "which is not enabled in TRELLIS_PLUGINS"
                )
            visit(by_name[dep], path + [info.name])
        state[info.name] = "done"
        order.append(info)

    for info in sorted(wanted, key=lambda p: p.name):
        visit(info, [])
    return order


def make_plugin_manager(plugins: list[PluginInfo]) -> pluggy.PluginManager:
    """A fresh pluggy manager holding core's hookspecs, the event hookspecs
    plugins declare (a ``hookspecs`` attribute: a module or class of
    ``@eventspec`` functions, so other plugins can subscribe), and ``plugins``.

    One per application: a module-level manager would leak plugins between
    apps (and tests). A hook implementation that no spec declares stops
    start-up with the plugin's name (pluggy's ``check_pending``).
    """
    pm = pluggy.PluginManager("trellis")
    pm.add_hookspecs(hookspecs)
    for info in plugins:  # a plugin's own events (``hookspecs`` in its package) come first
        specs = getattr(info.module, "hookspecs", None)
        if specs is not None:
            try:
                pm.add_hookspecs(specs)
            except ValueError as exc:
                raise PluginError(f"plugin {info.name!r}: {exc}") from exc
    for info in plugins:
        try:
            pm.register(Guest(info.module, pm), name=info.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {info.name!r}: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from exc
    return pm


class Guest:
    """A plugin as the plugin manager sees it: the plugin's own hook
    implementations, except that each plain subscriber of a domain event is
    isolated — if it raises, the error is logged with the plugin's name and
    the other subscribers still run (the change they hear of has already
    committed).

    Everything else is the plugin's function itself, so pluggy's calling —
    ``tryfirst``/``trylast``, wrappers, ``firstresult`` — is untouched.
    Register a test helper with ``pm.register(Guest(obj, pm), name=...)`` to
    give it the same isolation.
    """

    def __init__(self, plugin: object, pm: pluggy.PluginManager) -> None:
        self.plugin = plugin
        for attr in dir(plugin):
            opts = pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            function = getattr(plugin, attr)
            hook = opts.get("specname") or attr
            caller = getattr(pm.hook, hook, None)
            if (
                not opts.get("wrapper")
                and not opts.get("hookwrapper")
                and caller is not None
                and hookspecs.is_event(caller)
            ):
                function = _isolated(function, pm, self, hook)
            setattr(self, attr, function)

    def __repr__(self) -> str:
        return f"<Guest {self.plugin!r}>"


def _isolated(function, pm: pluggy.PluginManager, guest: Guest, hook: str):
    @functools.wraps(function)
    def isolated(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception:
            log.exception("plugin %r failed handling event %s", pm.get_name(guest), hook[8:])
            return None

    return isolated
