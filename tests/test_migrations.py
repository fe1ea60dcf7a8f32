"""The migration chain builds exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from helpdesk import create_app
from helpdesk.extensions import db
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    schema = f"migtest_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def app_on(database_url: str):
    """The app on ``database_url``, its schema left to the test's migrations."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    return create_app(Config)


def test_upgrade_builds_the_models_schema_with_reference_data(empty_database_url):
    app = app_on(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            states = conn.execute(sa.text("SELECT count(*) FROM states")).scalar()
            categories = conn.execute(sa.text("SELECT count(*) FROM categories")).scalar()
        db.engine.dispose()
    assert differences == []
    assert states == 36 and categories == 15


def test_the_hindi_category_name_migration_goes_down_and_up_again(empty_database_url):
    """0017 adds categories.name_hi (existing rows NULL: the catalogue still translates
    them); its downgrade drops the column and keeps the categories."""

    app = app_on(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            names_hi = conn.execute(sa.text("SELECT name_hi FROM categories")).scalars().all()
        downgrade(revision="0016")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("categories")}
        with db.engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT count(*) FROM categories")).scalar()
        upgrade()
        again = {c["name"] for c in sa.inspect(db.engine).get_columns("categories")}
        db.engine.dispose()
    assert names_hi == [None] * 15
    assert "name_hi" not in columns and kept == 15 and "name_hi" in again
