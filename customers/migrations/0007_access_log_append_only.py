"""The access record is append-only in the database itself, not only in the model (DESIGN §4, issue 11 §4).

A trigger refuses every UPDATE and DELETE of a row, whoever sends it: a queryset's .update() or .delete(),
raw SQL, the admin, a merge. TRUNCATE is left to the owner of the database (test flushes use it).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION customers_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the customer access log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER customers_access_log_append_only
    BEFORE UPDATE OR DELETE ON customers_customeraccesslog
    FOR EACH ROW EXECUTE FUNCTION customers_access_log_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS customers_access_log_append_only ON customers_customeraccesslog;
DROP FUNCTION IF EXISTS customers_access_log_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_tombstone_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
