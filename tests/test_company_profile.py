"""公司信息: the company profile under the site settings — saved and audited
field by field, a bad taxpayer number, colour or logo refused by name with
nothing saved, read back by ``core.api.company_profile`` — and an instance's
own ``templates/`` folder replacing any template."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.api import CompanyProfile, company_profile
from core.extensions import db
from core.models import AuditEntry, SiteSetting

#: a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
USCC = "91110000600037341L"
PROFILE = {
    "name": "上海示例科技有限公司",
    "address": "上海市浦东新区世纪大道 100 号",
    "phone": "021-12345678",
    "email": "Sales@Example.cn",
    "website": "www.example.cn",
    "tax_number": "9111 0000 6000 3734 1l",
    "bank_name": "招商银行上海分行",
    "bank_account": "6225 8812 3456 7890",
    "accent_color": "#AA3300",
}


def token(client, path: str = "/admin/settings") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


def send(client, data: dict, logo: tuple[bytes, str] | None = None):
    """POST the company form as the browser does (multipart)."""
    body = {"csrf_token": token(client), **data}
    if logo is not None:
        body["logo"] = (io.BytesIO(logo[0]), logo[1])
    return client.post("/admin/settings/company", data=body, content_type="multipart/form-data")


def saved_settings() -> int:
    return db.session.scalar(
        select(func.count()).select_from(SiteSetting).where(SiteSetting.key.like("company.%"))
    )


def logo_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "uploads" / "core" / "company"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def admin_client(make_user, login_as):
    return login_as(make_user(role="admin", name="Ada Admin"))


def test_an_unsaved_profile_reads_as_trellis_in_trellis_green(app):
    profile = company_profile()
    assert isinstance(profile, CompanyProfile)
    assert (profile.name, profile.accent_color, profile.logo, profile.tax_number) == (
        "Trellis",
        "#2f6f4f",
        None,
        "",
    )
    with pytest.raises(AttributeError):  # frozen: a plugin cannot change it by accident
        profile.name = "x"  # type: ignore[misc]


def test_the_admin_saves_the_profile_and_each_value_is_audited(admin_client):
    answer = send(admin_client, PROFILE, (PNG, "logo.png"))
    assert answer.status_code == 302, answer.text
    profile = company_profile()
    assert profile.name == "上海示例科技有限公司"
    assert profile.tax_number == USCC  # spaces gone, capitals
    assert profile.email == "sales@example.cn"
    assert profile.accent_color == "#aa3300"
    assert profile.bank_account == "6225 8812 3456 7890"
    assert profile.logo == "data:image/png;base64," + base64.b64encode(PNG).decode()
    [stored] = logo_files()
    assert stored.suffix == ".png" and stored.read_bytes() == PNG
    keys = {
        next(iter(e.after))
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "site_setting"))
    }
    assert keys == {f"company.{k}" for k in [*PROFILE, "logo"]}
    audit_log = admin_client.get("/admin/audit?entity=site_setting").text
    assert "Taxpayer number" in audit_log and USCC in audit_log
    assert "company.tax_number" not in audit_log
    page = admin_client.get("/admin/settings").text
    assert 'value="上海示例科技有限公司"' in page and "data:image/png;base64," in page


def test_saving_the_same_profile_again_audits_nothing_new(admin_client):
    send(admin_client, PROFILE)
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert send(admin_client, PROFILE).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_a_new_logo_replaces_the_old_file_and_remove_takes_it_away(admin_client):
    send(admin_client, PROFILE, (PNG, "one.png"))
    [first] = logo_files()
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 64
    send(admin_client, PROFILE, (jpeg, "two.jpg"))
    [second] = logo_files()
    assert second != first and second.suffix == ".jpg"
    assert company_profile().logo.startswith("data:image/jpeg;base64,")
    assert send(admin_client, {**PROFILE, "remove_logo": "1"}).status_code == 302
    assert logo_files() == [] and company_profile().logo is None


@pytest.mark.parametrize(
    ("field", "value", "logo"),
    [
        ("tax_number", "91110000600037341X", None),  # wrong check character
        ("accent_color", "red", None),
        ("accent_color", "#12345", None),
        ("email", "not-an-address", None),
        ("bank_account", "IBAN 1234", None),
        ("logo", None, (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png")),
        ("logo", None, (b"GIF89a" + b"\0" * 32, "logo.gif")),
        ("logo", None, (PNG[:8] + b"\0" * (512 * 1024), "big.png")),
    ],
)
def test_a_bad_value_is_refused_by_name_and_nothing_is_saved(admin_client, field, value, logo):
    data = dict(PROFILE) if value is None else {**PROFILE, field: value}
    answer = send(admin_client, data, logo)
    assert answer.status_code == 422
    assert f'id="e-{field}"' in answer.text and f'id="f-{field}"' in answer.text
    if value is not None:  # the form keeps what was typed
        assert f'value="{value}"' in answer.text
    assert saved_settings() == 0 and logo_files() == []
    audited = select(func.count()).where(AuditEntry.entity == "site_setting")
    assert db.session.scalar(audited) == 0
    assert company_profile().name == "Trellis"


def test_every_bad_field_is_named_at_once(admin_client):
    answer = send(admin_client, {**PROFILE, "tax_number": "123", "accent_color": "green"})
    assert answer.status_code == 422
    assert 'id="e-tax_number"' in answer.text and 'id="e-accent_color"' in answer.text
    assert saved_settings() == 0


def test_outside_china_the_tax_number_is_free_text(make_app, make_user, login_as):
    make_app(TRELLIS_REGION="DE")
    client = login_as(make_user(role="admin"))
    assert send(client, {**PROFILE, "tax_number": "DE 123 456 789"}).status_code == 302
    assert company_profile().tax_number == "DE 123 456 789"


def test_only_who_manages_settings_may_save_the_profile(make_user, login_as):
    client = login_as(make_user(role="manager"))
    answer = client.post(
        "/admin/settings/company", data={"csrf_token": token(client, "/"), "name": "Mine"}
    )
    assert answer.status_code == 403
    assert saved_settings() == 0


def test_the_chinese_settings_page_shows_no_english(make_user, login_as):
    from core.testing.pages import english_words, untranslated

    client = login_as(make_user(role="admin", locale="zh_CN", name="王经理"))
    send(client, PROFILE, (PNG, "logo.png"))
    page = client.get("/admin/settings").text
    assert "公司信息" in page
    assert english_words(page) == set() and untranslated(page) == []
    refused = send(client, {**PROFILE, "accent_color": "red"}).text
    assert english_words(refused) == set()


def test_an_instance_template_replaces_the_core_one(app, make_user, login_as):
    client = login_as(make_user(role="admin"))
    assert "Instance's own page" not in client.get("/no-such-page").text
    folder = Path(app.instance_path) / "templates" / "core"
    folder.mkdir(parents=True)
    (folder / "error.html").write_text("<p>Instance's own page: {{ code }}</p>", encoding="utf-8")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Instance's own page: 404" in missing.text
    # a template the instance does not replace is still the theme's, the plugin's or core's
    assert "<main" in client.get("/admin/settings").text
