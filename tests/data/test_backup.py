"""backup and restore: a PostgreSQL dump and the media, restored into an empty database.

The round trip needs PostgreSQL (the shop's production database) and ``pg_dump``; on
SQLite it is skipped, saying so: run it with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/chophien_<you> pytest tests/data``.
"""

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from cooperatives import statuses
from cooperatives.services.fulfillment import fulfilment_transition
from order.models import Order
from shop.backup import MANIFEST, backup_create
from shop.storage import private_storage
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

BASE_DIR = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SKIPPED LOUDLY: backup/restore round trip needs PostgreSQL; set DATABASE_URL",
)
RESTORE_DB = "chophien_data_restore"


def _orders_as_saved() -> dict:
    """Every order by number: totals, lines, parts, as the ORM reads them."""
    return {
        order.number: {
            "total": Decimal(order.total_incl_tax),
            "shipping": Decimal(order.shipping_incl_tax),
            "lines": sorted(
                (line.title, line.quantity, Decimal(line.line_price_incl_tax))
                for line in order.lines.all()
            ),
            "parts": sorted(
                (part.cooperative.name, part.status, Decimal(part.goods_total))
                for part in order.fulfilments.all()
            ),
        }
        for order in Order.objects.prefetch_related("lines", "fulfilments__cooperative")
    }


def _orders_as_restored(dbname: str) -> dict:
    """The same, read with plain SQL from the restored database."""
    params = connection.settings_dict
    with psycopg.connect(
        dbname=dbname, host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"]
    ) as restored:
        orders = restored.execute(
            "SELECT id, number, total_incl_tax, shipping_incl_tax FROM order_order"
        ).fetchall()
        lines = restored.execute(
            "SELECT order_id, title, quantity, line_price_incl_tax FROM order_line"
        ).fetchall()
        parts = restored.execute(
            "SELECT f.order_id, c.name, f.status, f.goods_total FROM cooperatives_fulfilment f "
            "JOIN cooperatives_cooperative c ON c.id = f.cooperative_id"
        ).fetchall()
    return {
        number: {
            "total": total,
            "shipping": shipping,
            "lines": sorted(row[1:] for row in lines if row[0] == pk),
            "parts": sorted(row[1:] for row in parts if row[0] == pk),
        }
        for pk, number, total, shipping in orders
    }


def _admin_sql(sql: str) -> None:
    params = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        autocommit=True,
    ) as admin:
        admin.execute(sql)


def _manage(*args: str, database: str, media: Path) -> subprocess.CompletedProcess:
    """Run manage.py as the operator would, against another database and media folders."""
    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.base",
        "DJANGO_SECRET_KEY": "restore-test",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media / "media"),
        "PRIVATE_MEDIA_ROOT": str(media / "private"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=BASE_DIR,
    )


@pytest.fixture
def restore_database():
    _admin_sql(f"DROP DATABASE IF EXISTS {RESTORE_DB}")
    _admin_sql(f"CREATE DATABASE {RESTORE_DB}")
    yield RESTORE_DB
    _admin_sql(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_into_an_empty_database_finds_every_order_and_file(tmp_path, restore_database):
    # Committed data (pg_dump is another session): two cooperatives, three shoppers' orders.
    tea, rice = CooperativeFactory(name="HTX Chè"), CooperativeFactory(name="HTX Gạo")
    manager = UserFactory()
    tea.partner.users.add(manager)
    for cooperative in (tea, rice):
        WeightBasedFactory(cooperative=cooperative)
    green_tea = ProductFactory(cooperative=tea, net_weight_grams=500)
    rice_bag = ProductFactory(cooperative=rice, net_weight_grams=1000)
    orders = [
        place_order((green_tea, 1), (rice_bag, 2), user=UserFactory()),
        place_order((green_tea, 3), payment_method="transfer" if tea.has_bank_account else "cod"),
        place_order((rice_bag, 1), user=UserFactory()),
    ]
    fulfilment_transition(
        fulfilment=orders[0].fulfilments.get(cooperative=tea),
        to_status=statuses.CONFIRMED,
        actor=manager,
    )
    photo = default_storage.save("products/che.jpg", ContentFile(b"\xff\xd8 a photo"))
    sheet = private_storage().save("imports/gia.csv", ContentFile("sku,price\nA,125000\n"))
    saved = _orders_as_saved()
    assert len(saved) == 3

    out = io.StringIO()
    call_command("backup", to=tmp_path / "backups", stdout=out)
    [folder] = (tmp_path / "backups").iterdir()
    assert "1/4" in out.getvalue() and "4/4" in out.getvalue()  # steps are printed
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["counts"]["orders"] == 3
    assert manifest["migrations"]["order"] == "0023_order_history_survives_deletes"
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}

    restored = _manage("restore", "--from", str(folder), database=restore_database, media=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "4/4" in restored.stdout

    assert _orders_as_restored(restore_database) == saved
    assert (tmp_path / "media" / photo).read_bytes() == b"\xff\xd8 a photo"
    assert (tmp_path / "private" / sheet).read_text() == "sku,price\nA,125000\n"

    # A second restore would overwrite the shop: refused unless --force.
    again = _manage("restore", "--from", str(folder), database=restore_database, media=tmp_path)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    forced = _manage(
        "restore", "--from", str(folder), "--force", database=restore_database, media=tmp_path
    )
    assert forced.returncode == 0, forced.stderr
    assert _orders_as_restored(restore_database) == saved


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    folder = backup_create(to=tmp_path)
    dump = next(path for path in folder.iterdir() if path.name.startswith("database."))
    with open(dump, "ab") as file:
        file.write(b"bit rot")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", source=folder, force=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_refuses_a_database_with_tables(tmp_path):
    folder = backup_create(to=tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", source=folder, stdout=io.StringIO())
    assert Order.objects.model._meta.db_table in connection.introspection.table_names()


def test_media_in_an_s3_bucket_are_left_to_the_bucket(tmp_path, settings):
    from shop.backup import _media_backup

    settings.AWS_STORAGE_BUCKET_NAME = "chophien-media"
    media = _media_backup(tmp_path / "media.tar.gz")
    assert media == {
        "storage": "s3",
        "bucket": "chophien-media",
        "copied": False,
        "why": media["why"],
    }
    assert not (tmp_path / "media.tar.gz").exists()
    assert settings.MEDIA_ROOT  # untouched
