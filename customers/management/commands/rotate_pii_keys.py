"""python manage.py rotate_pii_keys: re-encrypt stored ID numbers under the newest PII key."""

from django.core.management.base import BaseCommand, CommandError

from customers.services import customers_rotate_pii


class Command(BaseCommand):
    help = ("Re-encrypt every customer ID number (and its history) under the first key of "
            "PII_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run this, "
            "then drop the old keys.")

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=1000,
                            help="rows per committed chunk (default 1000)")

    def handle(self, *args, chunk_size: int, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        try:
            rotated = customers_rotate_pii(chunk_size=chunk_size)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} ID numbers under the newest key."))
