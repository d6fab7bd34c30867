"""python manage.py import_records KIND FILE: load a master-data CSV file (DESIGN §5)."""

from contextlib import nullcontext

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.imports import IMPORT_KINDS, records_import
from crm_site.csv_import import DEFAULT_CHUNK_SIZE, ImportFileError, format_report, write_rejects

REPORTED_REJECTS = 50


class Command(BaseCommand):
    help = ("Load branches, products, customers, accounts or campaign responses from a CSV file "
            "(UTF-8, header row), inserting new "
            "records and updating changed ones by their natural key. Rejected rows are reported with every "
            "reason; the others load. Exits non-zero only when the file as a whole cannot be read.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORT_KINDS), help="what the file holds")
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--rejects", metavar="FILE",
                            help="write every rejected row, with its row number and reasons, to this CSV file")
        parser.add_argument("--user", metavar="USERNAME",
                            help="the member of staff the changes are recorded against (profile history, consent)")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                            help=f"rows per committed chunk (default {DEFAULT_CHUNK_SIZE})")

    def handle(self, *args, kind: str, file: str, rejects: str | None, user: str | None, chunk_size: int,
               **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        changed_by = None
        if user:
            try:
                changed_by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user is called {user!r}.") from exc
        # open the rejects file first: a path that cannot be written fails before anything loads
        try:
            rejects_file = open(rejects, "w", encoding="utf-8-sig", newline="") if rejects else nullcontext()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{rejects}: {exc.strerror}") from exc
        with rejects_file as target:
            try:
                result = records_import(kind=kind, file=file, changed_by=changed_by, chunk_size=chunk_size)
            except ImportFileError as exc:
                raise CommandError(f"{file}: {exc.message} Nothing was loaded.") from exc
            self.stdout.write(format_report(result, IMPORT_KINDS[kind].spec, limit=REPORTED_REJECTS))
            if target:
                write_rejects(result, target)
                self.stdout.write(f"{result.rejected} rejected rows written to {rejects}")
