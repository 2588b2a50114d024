"""The Flask extensions Trellis shares, created unbound and attached by the
app factory (so tests can build many apps in one process)."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Constraint names are fixed from the first migration on, so that Alembic can
#: later alter or drop a constraint by name on SQLite (batch mode) and
#: PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        """``db.Model`` as the type checker sees it: ``Base`` with Flask-SQLAlchemy's
        ``query``. (It cannot take a base class from an object's attribute.)"""

        __abstract__ = True
else:
    #: ``db.Model`` — the base class of every model — under a name core's models can
    #: subclass in a way the type checker follows; it is the very same class.
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
