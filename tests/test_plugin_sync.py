"""Enabling or upgrading a plugin on a running instance: its migrations, its
default permissions (granted once) and its ``trellis_plugin_synced`` hook."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from core.api import Permission, transaction
from core.extensions import db
from core.instance import sync_plugins
from core.models import PluginState, Role
from core.services.users import ensure_default_roles
from core.testing import plugin_module

VIEW = Permission("probe.view", "View probes", default_roles=("sales",))


def probe(synced: list, version: str = "1.0", fail: bool = False):
    def trellis_plugin_synced(previous_version):
        synced.append(previous_version)
        if fail:
            raise RuntimeError("probe refuses")

    module = plugin_module(
        "probe", trellis_permissions=lambda: [VIEW], trellis_plugin_synced=trellis_plugin_synced
    )
    module.manifest = dataclasses.replace(module.manifest, version=version)
    return module


def sales_permissions() -> list[str]:
    db.session.expire_all()
    return db.session.scalar(select(Role).where(Role.name == "sales")).permissions


@pytest.fixture
def instance_without_probe(make_app):
    make_app()
    ensure_default_roles()
    assert "probe.view" not in sales_permissions()


def test_a_plugin_enabled_later_gets_its_default_permissions_and_is_told(
    instance_without_probe, register_plugin
):
    synced: list = []
    register_plugin(probe(synced))
    done = sync_plugins()
    assert "probe.view" in sales_permissions()
    assert synced == [None]
    assert "probe: enabled at 1.0" in done
    state = db.session.scalar(select(PluginState).where(PluginState.name == "probe"))
    assert (state.version, state.granted) == ("1.0", ["probe.view"])


def test_sync_twice_changes_nothing_and_keeps_what_an_admin_took_away(
    instance_without_probe, register_plugin
):
    synced: list = []
    register_plugin(probe(synced))
    sync_plugins()
    with transaction():
        role = db.session.scalar(select(Role).where(Role.name == "sales"))
        role.permissions = [p for p in role.permissions if p != "probe.view"]
    assert len(sync_plugins()) == 1  # only the "Up to date: ..." line
    assert "probe.view" not in sales_permissions()
    assert synced == [None]


def test_an_upgraded_plugin_is_told_its_previous_version(instance_without_probe, register_plugin):
    synced: list = []
    register_plugin(probe(synced))
    sync_plugins()
    register_plugin(probe(synced, version="1.1"))
    assert "probe: upgraded from 1.0 at 1.1" in sync_plugins()
    assert synced == [None, "1.0"]


def test_a_plugin_that_refuses_keeps_nothing_of_the_sync(instance_without_probe, register_plugin):
    synced: list = []
    register_plugin(probe(synced, fail=True))
    with pytest.raises(RuntimeError, match="probe refuses"):
        sync_plugins()
    assert "probe.view" not in sales_permissions()
    assert db.session.scalar(select(PluginState).where(PluginState.name == "probe")) is None
