"""The catalogue's pages: carriers (list, new, edit, delete), products (list,
new) and a product's page — its terms and covers, its premium table and a
"try a price" form. Reading needs ``insurance.policy.read``, writing
``insurance.admin``; a refused input is shown by its field, nothing saved."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    instance_currency,
    list_page,
    list_sort,
    require,
    translator,
)

from ..models import FREQUENCIES, LINES, PRICINGS, Carrier, InsuranceProduct
from ..models.catalogue import CHARGE_CATEGORIES
from ..services import catalogue, rates
from ..services.pricing import price_product
from .blueprint import bp

_, _l = translator("insurance")
LIST_SIZE = 50
READ, ADMIN = "insurance.policy.read", "insurance.admin"
COVER_FIELDS = ("code", "name", "min_sum_insured", "max_sum_insured", "default_deductible")
RATE_FIELDS = (
    "cover_code",
    "age_from",
    "age_to",
    "sum_from",
    "sum_to",
    "vehicle_class",
    "annual_premium",
    "rate_per_mille",
)
SPARE_ROWS = 5
NULLABLE = (
    "fixed_premium",
    "effective_to",
    "norm_sum_insured",
    "outpatient_copay_percent",
    "outpatient_limit",
)
STALE = _l(
    "Someone else changed this record while you were editing. Your input is kept below; "
    "check it and save again."
)
CARRIER_SORTS = {"code": Carrier.code, "name": Carrier.name}
PRODUCT_SORTS = {
    "code": InsuranceProduct.code,
    "name": InsuranceProduct.name,
    "line": InsuranceProduct.line,
}


def line_labels() -> dict[str, str]:
    """Each line of business (险种) as the reader's language names it."""
    names = {
        "life": _("Life"),
        "health": _("Health"),
        "accident": _("Accident"),
        "motor": _("Motor"),
        "property": _("Property"),
    }
    return {line: names[line] for line in LINES}


def pricing_labels() -> dict[str, str]:
    names = {"fixed": _("One premium"), "table": _("From the premium table")}
    return {pricing: names[pricing] for pricing in PRICINGS}


def frequency_labels() -> dict[str, str]:
    """Each payment frequency (缴费频率)."""
    names = {
        "annual": _("Annual"),
        "semiannual": _("Semi-annual"),
        "quarterly": _("Quarterly"),
        "monthly": _("Monthly"),
    }
    return {frequency: names[frequency] for frequency in FREQUENCIES}


def charge_category_labels() -> dict[str, str]:
    """Each hospital charge category an outpatient cover may cover."""
    names = {
        "registration": _("Registration"),
        "consultation": _("Consultation"),
        "drug": _("Drugs"),
        "lab": _("Laboratory tests"),
        "imaging": _("Imaging"),
        "procedure": _("Procedures"),
        "material": _("Medical materials"),
        "other": _("Other charges"),
    }
    return {category: names[category] for category in CHARGE_CATEGORIES}


def _live_carrier(carrier_id: int) -> Carrier:
    carrier = catalogue.live_carrier(carrier_id)
    if carrier is None:
        abort(404)
    return carrier


def _live_product(product_id: int) -> InsuranceProduct:
    product = catalogue.live_product(product_id)
    if product is None:
        abort(404)
    return product


def _page(query, sortable, default, tiebreak):
    sort, order = list_sort(sortable, default, tiebreak)
    page = list_page()
    rows = db.session.scalars(
        query.order_by(*order).offset((page - 1) * LIST_SIZE).limit(LIST_SIZE + 1)
    ).all()
    return {"rows": rows[:LIST_SIZE], "sort": sort, "page": page, "more": len(rows) > LIST_SIZE}


@bp.route("/carriers", methods=["GET", "POST"])
@login_required
def carriers():
    """保险公司: the carriers, by name; an administrator adds one below."""
    require(READ)
    values, errors, status = {"active": True}, {}, 200
    if request.method == "POST":
        require(ADMIN)
        values = form_payload(catalogue.CarrierInput(), only=("code", "name", "active"))
        try:
            carrier = catalogue.create_carrier(values, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            flash(_("Carrier %(name)s added.", name=carrier.name), "success")
            return redirect(url_for(".carriers"))
    listed = _page(
        catalogue.carriers_query(), CARRIER_SORTS, (Carrier.name, Carrier.id), Carrier.id
    )
    return render_template(
        "insurance/carriers.html", values=values, errors=errors, **listed
    ), status


@bp.route("/carriers/<int:carrier_id>", methods=["GET", "POST"])
@login_required
def carrier(carrier_id: int):
    """A carrier's details and its products; an administrator edits them."""
    require(READ)
    record = _live_carrier(carrier_id)
    values, errors, status = {**vars(record)}, {}, 200
    if request.method == "POST":
        require(ADMIN)
        values = form_payload(catalogue.CarrierChange(), only=("code", "name", "active"))
        try:
            catalogue.update_carrier(record, dict(values), current_user, form_version())
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        except StaleVersionError:
            db.session.rollback()
            flash(str(STALE), "error")
            status = 409
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".carrier", carrier_id=record.id))
    products = db.session.scalars(
        catalogue.products_query(carrier_id=record.id).order_by(InsuranceProduct.name)
    ).all()
    return render_template(
        "insurance/carrier.html",
        carrier=record,
        values=values,
        errors=errors,
        products=products,
        lines=line_labels(),
        version=record.version,
    ), status


@bp.route("/carriers/<int:carrier_id>/delete", methods=["POST"])
@login_required
def delete_carrier(carrier_id: int):
    require(ADMIN)
    record = _live_carrier(carrier_id)
    try:
        catalogue.delete_carrier(record, current_user, form_version())
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return redirect(url_for(".carrier", carrier_id=record.id))
    flash(_("Carrier %(name)s deleted.", name=record.name), "success")
    return redirect(url_for(".carriers"))


@bp.route("/products")
@login_required
def products():
    """The products of every carrier, by name; narrowed by carrier or line."""
    require(READ)
    carrier_id = request.args.get("carrier_id", type=int)
    line = request.args.get("line") if request.args.get("line") in LINES else None
    q = request.args.get("q", "").strip()[:100]
    query = catalogue.products_query(q or None, carrier_id, line)
    filters = {k: v for k, v in {"q": q, "carrier_id": carrier_id, "line": line}.items() if v}
    listed = _page(
        query, PRODUCT_SORTS, (InsuranceProduct.name, InsuranceProduct.id), InsuranceProduct.id
    )
    return render_template(
        "insurance/products.html",
        carriers=db.session.scalars(catalogue.carriers_query().order_by(Carrier.name)).all(),
        lines=line_labels(),
        filters=filters,
        q=q,
        **listed,
    )


def _product_form(product, values, errors, status=200, **extra):
    carriers_list = db.session.scalars(catalogue.carriers_query().order_by(Carrier.name)).all()
    covers = values.get("covers") or []
    return render_template(
        "insurance/product.html" if product else "insurance/product_new.html",
        product=product,
        values=values,
        errors=errors,
        carriers=[(c.id, f"{c.name} ({c.code})") for c in carriers_list],
        lines=list(line_labels().items()),
        pricings=list(pricing_labels().items()),
        frequency_choices=frequency_labels(),
        category_choices=charge_category_labels(),
        covers=covers,
        cover_rows=len(covers) + SPARE_ROWS,
        **extra,
    ), status


def posted_rows(prefix: str, names: tuple[str, ...], flags: tuple[str, ...] = ()) -> list[dict]:
    """The form's rows (``<prefix>.<n>.<field>``) with anything typed in
    them and not marked for removal, as the service reads them."""
    rows = []
    for n in range(rates.MAX_RATES):
        if f"{prefix}.{n}.{names[0]}" not in request.form:
            break
        if request.form.get(f"{prefix}.{n}.remove"):
            continue
        row = {f: request.form.get(f"{prefix}.{n}.{f}", "").strip() or None for f in names}
        if any(row.values()):
            rows.append(row | {f: bool(request.form.get(f"{prefix}.{n}.{f}")) for f in flags})
    return rows


def _product_values() -> dict:
    """The product form as the service reads it: a blank field that may be
    empty empties it; another blank one keeps its value (or its default)."""
    values = {
        k: v
        for k, v in form_payload(catalogue.InsuranceProductInput()).items()
        if v is not None or k in NULLABLE
    }
    values["frequencies"] = request.form.getlist("frequencies")
    values["outpatient_categories"] = request.form.getlist("outpatient_categories")
    values["covers"] = posted_rows("covers", COVER_FIELDS, ("mandatory",))
    values["covers"] = [{k: v for k, v in row.items() if v is not None} for row in values["covers"]]
    return values


@bp.route("/products/new", methods=["GET", "POST"])
@login_required
def new_product():
    require(ADMIN)
    values: dict = {
        "currency": instance_currency(),
        "pricing": "fixed",
        "frequencies": ["annual"],
        "carrier_id": request.args.get("carrier_id", type=int),
        "active": True,
    }
    if request.method == "GET":
        return _product_form(None, values, {})
    values = _product_values()
    try:
        record = catalogue.create_product(values, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _product_form(None, values, exc.errors, exc.status)
    flash(_("Product %(name)s added.", name=record.name), "success")
    return redirect(url_for(".product", product_id=record.id))


def _stored(product: InsuranceProduct) -> dict:
    values = {c.key: getattr(product, c.key) for c in InsuranceProduct.__table__.columns}
    values["covers"] = [
        {f: getattr(c, f) for f in (*COVER_FIELDS, "mandatory")} for c in product.covers
    ]
    return values


def _rate_rows(product: InsuranceProduct) -> list[dict]:
    return [{f: getattr(r, f) for f in RATE_FIELDS} for r in rates.product_rates(product)]


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def product(product_id: int):
    """A product: its terms and covers (an administrator edits them), its
    premium table and a form to try a price."""
    require(READ)
    record = _live_product(product_id)
    extra: dict = {"rates": _rate_rows(record), "rate_errors": {}, "price": None, "price_input": {}}
    if request.method == "GET":
        return _product_form(record, _stored(record), {}, **extra)
    require(ADMIN)
    values = _product_values()
    try:
        catalogue.update_product(record, dict(values), current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _product_form(record, values, exc.errors, exc.status, **extra)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return _product_form(record, values, {}, 409, **extra)
    flash(_("Saved."), "success")
    return redirect(url_for(".product", product_id=record.id))


@bp.route("/products/<int:product_id>/rates", methods=["POST"])
@login_required
def product_rates(product_id: int):
    """Replace the premium table with the rows of the form."""
    require(ADMIN)
    record = _live_product(product_id)
    rows = posted_rows("rates", RATE_FIELDS)
    extra: dict = {"rates": rows, "rate_errors": {}, "price": None, "price_input": {}}
    try:
        rates.set_rates(record, rows, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        extra["rate_errors"] = exc.errors
        return _product_form(record, _stored(record), {}, exc.status, **extra)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return _product_form(record, _stored(record), {}, 409, **extra)
    flash(_("Premium table saved."), "success")
    return redirect(url_for(".product", product_id=record.id) + "#rates")


@bp.route("/products/<int:product_id>/price", methods=["POST"])
@login_required
def try_price(product_id: int):
    """The premium of the inputs typed, shown on the product's page."""
    require(READ)
    record = _live_product(product_id)
    names = ("start_date", "birth_date", "sum_insured", "vehicle_class")
    typed = {n: request.form.get(n, "").strip() or None for n in names}
    extra: dict = {"rates": _rate_rows(record), "rate_errors": {}, "price": None}
    extra["price_input"] = typed
    try:
        extra["price"] = price_product(record, typed)
    except ValidationError as exc:
        extra["price_errors"] = exc.errors
        return _product_form(record, _stored(record), {}, exc.status, **extra)
    return _product_form(record, _stored(record), {}, **extra)
