"""Admin-managed definitions: custom fields, follow-up plans; and the audit log."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, VersionedMixin


class CustomFieldDefinition(TimestampMixin, VersionedMixin, Model):
    """自定义字段: an extra field on an entity (``customer``, ``contact``, or a
    plugin's table name such as ``sales_deal``), declared by an admin or a
    plugin. Values live in the record's ``custom_fields`` JSON, keyed by ``key``,
    and are validated against this definition on every write."""

    __tablename__ = "custom_field_definition"
    __table_args__ = (UniqueConstraint("entity", "key"),)

    entity: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(32))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # for choice types
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    declared_by: Mapped[str | None] = mapped_column(String(64))  # plugin name; None = admin


class FollowUpPlan(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """跟进计划: one configured use of a follow-up rule.

    ``rule`` names a rule registered by core or a plugin
    (``trellis_followup_rules``); ``params`` are that rule's settings, e.g.
    ``{"grade": "A", "every_days": 14}``.
    """

    __tablename__ = "followup_plan"

    name: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuditEntry(TimestampMixin, Model):
    """操作日志: who did what to which record, with the values before and after.

    Written in the same transaction as the change it records, so a change
    without its audit entry cannot exist.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class SiteSetting(TimestampMixin, Model):
    """A site-wide choice an admin makes in the web UI (for example ``theme``)."""

    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[str] = mapped_column(String(200))


class PluginState(TimestampMixin, Model):
    """What this instance has done for one enabled plugin (``trellis plugins sync``).

    ``version`` is the plugin version last synced, so an upgrade is noticed;
    ``granted`` lists the plugin's permissions already offered to their
    default roles, so each is granted once — an admin who later takes one
    away does not see it come back.
    """

    __tablename__ = "plugin_state"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str] = mapped_column(String(32))
    granted: Mapped[list[str]] = mapped_column(JSON, default=list)
