import pytest


@pytest.fixture(autouse=True)
def _no_advisory_lock_leak(db):
    """Each test starts with the refresh lock free (a failing test must not block the next)."""
    from django.db import connection

    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock_all()")
