"""Backup and restore as the operator runs it (crm_site/backup.py, behind make backup / make restore).

A database is dumped with pg_dump, restored into a fresh database with pg_restore, and a customer's
ID number is read back and decrypted there with the application's keys, with the profile's history.
"""

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from crm_site import pii
from customers import services
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BACKUP_SCRIPT = Path(__file__).resolve().parent.parent / "crm_site" / "backup.py"


def _url(database: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"] or "localhost"
    if host.startswith("/"):  # a socket directory (the embedded server)
        return f"postgresql://{auth}@/{database}?host={host}&port={s['PORT'] or 5432}"
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{database}"


def _backup(command: str, database: str, path: Path) -> None:
    subprocess.run([sys.executable, str(BACKUP_SCRIPT), command, str(path)], check=True,  # noqa: S603 - our script
                   env={**os.environ, "DATABASE_URL": _url(database)}, capture_output=True, timeout=120)


def test_a_restored_backup_gives_back_the_decrypted_id_number_and_the_history(tmp_path, reference_data, teller):
    number = resident_id(dt.date(1979, 3, 14), sequence=77)
    customer = CustomerFactory(full_name="季淑珍", date_of_birth=dt.date(1979, 3, 14), id_number=number,
                               email="before@example.com")
    services.customer_update(customer=customer, changed_by=teller, data={"email": "after@example.com"},
                             change_reason="customer asked at the counter")
    archive = tmp_path / "crm.dump"
    _backup("dump", connection.settings_dict["NAME"], archive)
    assert archive.stat().st_size > 0
    assert number.encode() not in archive.read_bytes()  # encrypted at rest, in the backup too

    fresh = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        _backup("restore", fresh, archive)
        with psycopg2.connect(_url(fresh)) as restored, restored.cursor() as cursor:
            cursor.execute("SELECT id, full_name, id_number FROM customers_customer WHERE customer_no = %s",
                           [customer.customer_no])
            pk, name, stored = cursor.fetchone()
            cursor.execute("SELECT email, history_type, history_user_id, history_change_reason "
                           "FROM customers_historicalcustomer WHERE id = %s ORDER BY history_id", [pk])
            history = cursor.fetchall()
        restored.close()
        assert name == "季淑珍"
        assert stored != number
        assert pii.decrypt(stored) == number
        assert history == [("before@example.com", "+", None, ""),
                           ("after@example.com", "~", teller.pk, "customer asked at the counter")]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
