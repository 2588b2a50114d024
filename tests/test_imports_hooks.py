"""``trellis_importers``: a plugin's records imported like core's customers
(the same mapping, preview, dedupe, batches, undo); a target declared twice
stops start-up. And ``trellis import`` on the command line."""

from __future__ import annotations

import io

import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import Importer, Tag, db
from core.errors import PluginError, ValidationError
from core.testing import plugin_module


class TagRow(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    color = fields.String(validate=validate.Length(max=16))


def _validate(payload, actor):
    try:
        return TagRow().load(payload)
    except Exception as exc:  # marshmallow's, as the plugin's own service would word it
        raise ValidationError(exc.messages) from None


def _create(values, actor):
    tag = Tag(**values)
    db.session.add(tag)
    return tag


def _update(tag, values, actor):
    for key, value in values.items():
        setattr(tag, key, value)
    return tag


TAGS = Importer(
    name="probe.tag",
    label="Tags",
    schema=TagRow,
    model=Tag,
    fields={"name": "Name", "color": "Colour"},
    aliases={"标签": "name", "颜色": "color"},
    validate=_validate,
    find=lambda values, actor: db.session.scalar(select(Tag).where(Tag.name == values["name"])),
    keys=lambda values: [f"name:{values['name']}"],
    create=_create,
    update=_update,
    delete=lambda tag, actor: db.session.delete(tag),
    visible=lambda tag, actor: True,
)


def test_hook_importers(register_plugin, make_user, as_user):
    register_plugin(plugin_module("probe", trellis_importers=lambda: [TAGS]))
    api = as_user(make_user(role="admin"))
    targets = {t["name"]: t for t in api.get("/api/v1/imports/targets").json}
    names = list(targets)  # the built-in plugins' importers come between, by their order
    assert names[:2] == ["customers", "contacts"] and names[-1] == "probe.tag"
    assert [f["name"] for f in targets["probe.tag"]["fields"]] == ["name", "color"]
    db.session.add(Tag(name="vip", color="red"))
    db.session.commit()
    job = api.post(
        "/api/v1/imports/jobs",
        data={
            "file": (io.BytesIO("标签,颜色\nvip,gold\nnew,blue\n".encode()), "t.csv"),
            "target": "probe.tag",
        },
        content_type="multipart/form-data",
    ).json
    assert job["mapping"] == {"标签": "name", "颜色": "color"}
    api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={"on_duplicate": "update"})
    api.post(f"/api/v1/imports/jobs/{job['id']}/run")
    done = api.get(f"/api/v1/imports/jobs/{job['id']}").json
    assert (done["created"], done["updated"]) == (1, 1)
    colors = dict(db.session.execute(select(Tag.name, Tag.color)).all())
    assert colors == {"vip": "gold", "new": "blue"}
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    db.session.expire_all()
    assert dict(db.session.execute(select(Tag.name, Tag.color)).all()) == {"vip": "red"}


def test_hook_importers_refuses_a_target_declared_twice(register_plugin):
    customers = Importer(**{**TAGS.__dict__, "name": "customers"})
    with pytest.raises(PluginError, match="customers"):
        register_plugin(plugin_module("probe", trellis_importers=lambda: [customers]))


def test_the_cli_imports_with_a_saved_mapping_and_a_dry_run_writes_nothing(
    trellis_cli, make_user, tmp_path
):
    from core.models import Customer, ImportJob, ImportMapping

    admin = make_user(role="admin", email="boss@example.com")
    db.session.add(
        ImportMapping(target="customers", name="crm", mapping={"N": "name", "P": "phones"})
    )
    db.session.commit()
    path = tmp_path / "c.csv"
    path.write_bytes("N,P\n甲公司,13800138090\n乙公司,1\n".encode("gbk"))
    cli = trellis_cli
    dry = cli("import", str(path), "--mapping", "crm", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "line 3: phones:" in dry.output and "1 to create" in dry.output
    assert db.session.scalar(select(ImportJob.id)) is None
    done = cli("import", str(path), "--target", "customers", "--mapping", "crm")
    assert done.exit_code == 0, done.output
    assert "1 created" in done.output and "1 failed" in done.output
    customer = db.session.scalar(select(Customer).where(Customer.name == "甲公司"))
    assert customer.owner_id == admin.id
    unknown = cli("import", str(path), "--mapping", "nope")
    assert unknown.exit_code == 1 and "nope" in unknown.output
    assert "Traceback" not in unknown.output
    bad = cli("import", str(path), "--target", "planets")
    assert bad.exit_code == 1 and "planets" in bad.output
    make_user(role="sales", email="rep@example.com")
    rep = cli("import", str(path), "--mapping", "crm", "--user", "rep@example.com")
    assert rep.exit_code == 1 and "may not import" in rep.output  # --user needs the right too
