"""Load ISO 18245 merchant category codes (transactions/data/mcc_codes.csv) with their spending category."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "mcc_codes.csv"

# (first, last, category): checked in order, first match wins; anything else is OTHER.
RANGES = [
    (3000, 3350, "TRAVEL"),        # airlines
    (3351, 3500, "TRAVEL"),        # car rental
    (3501, 3999, "TRAVEL"),        # hotels and lodging
    (4011, 4011, "TRAVEL"), (4111, 4131, "TRAVEL"), (4411, 4411, "TRAVEL"), (4457, 4457, "TRAVEL"),
    (4468, 4468, "TRAVEL"), (4511, 4582, "TRAVEL"), (4722, 4723, "TRAVEL"), (4784, 4784, "TRAVEL"),
    (7011, 7033, "TRAVEL"), (7511, 7519, "TRAVEL"),
    (4812, 4816, "UTILITIES"), (4821, 4821, "UTILITIES"), (4899, 4900, "UTILITIES"),
    (5411, 5411, "GROCERIES"), (5422, 5422, "GROCERIES"), (5441, 5451, "GROCERIES"),
    (5462, 5462, "GROCERIES"), (5499, 5499, "GROCERIES"), (5300, 5300, "GROCERIES"),
    (5541, 5542, "FUEL"), (5552, 5552, "FUEL"), (5983, 5983, "FUEL"), (5172, 5172, "FUEL"),
    (5811, 5814, "DINING"),
    (5122, 5122, "HEALTH"), (5912, 5912, "HEALTH"), (5975, 5976, "HEALTH"), (8011, 8099, "HEALTH"),
    (4119, 4119, "HEALTH"),
    (5942, 5943, "EDUCATION"), (8211, 8299, "EDUCATION"), (8351, 8351, "EDUCATION"),
    (5815, 5818, "ENTERTAINMENT"), (7829, 7841, "ENTERTAINMENT"), (7911, 7999, "ENTERTAINMENT"),
    (6010, 6011, "CASH"), (6050, 6051, "CASH"), (6540, 6540, "CASH"),
    (5200, 5999, "RETAIL"),
]


def category_for(mcc: int) -> str:
    for first, last, category in RANGES:
        if first <= mcc <= last:
            return category
    return "OTHER"


def forwards(apps, schema_editor):
    MerchantCategory = apps.get_model("transactions", "MerchantCategory")
    with open(DATA, encoding="utf-8-sig") as f:
        rows = [
            MerchantCategory(mcc=row["mcc"], description=row["edited_description"][:200],
                             category=category_for(int(row["mcc"])))
            for row in csv.DictReader(f)
        ]
    MerchantCategory.objects.bulk_create(rows, update_conflicts=True, unique_fields=["mcc"],
                                         update_fields=["description", "category"])


def backwards(apps, schema_editor):
    apps.get_model("transactions", "MerchantCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("transactions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
