from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import generators


class Command(BaseCommand):
    help = ("Load demo data: branches, staff, products, customers, accounts, cards, a year of transactions and a "
            "finished campaign.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=5000, help="how many customers (default 5000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any customer exists")

    def handle(self, *args, customers: int, seed: int, if_empty: bool, **options):
        # fake customers and staff logins with printed passwords: never in a database with real customers
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo refuses to run here: these settings do not allow demo data "
                               "(DEMO_DATA_ALLOWED is only set by crm_site.settings.dev and .test)")
        if customers < 0:
            raise CommandError("--customers must be 0 or more")
        result = generators.demo_seed(customers=customers, seed=seed, if_empty=if_empty)
        if result.present:
            self.stdout.write(f"Demo data present ({result.totals['customers']} customers): nothing to do.")
        else:
            created = ", ".join(f"{count} {name}" for name, count in result.created.items())
            self.stdout.write(f"New: {created}." if any(result.created.values()) else "Nothing new: all there already.")
        if result.staff_created:
            self.stdout.write(f"Demo logins (also in {result.logins_file}):")
            for login in result.logins:
                self.stdout.write(f"  {login.username:<12} {login.password or generators.NOT_KNOWN:<18} "
                                  f"{login.role:<8} {login.branch}")
        elif result.logins and not result.logins_file_written:
            self.stdout.write(f"Demo staff kept; their passwords are in {result.logins_file}.")
        if result.logins_file_written and result.passwords_unknown:
            self.stdout.write(self.style.WARNING(
                f"Passwords unknown for {', '.join(result.passwords_unknown)} (created by an earlier run); "
                "set one with: python manage.py changepassword USERNAME"))
        if result.scored:
            self.stdout.write(f"Scores computed for {result.scored} customers.")
        if result.offer_customer:
            self.stdout.write(f"A counter offer to pitch: customer {result.offer_customer} (the 360 page).")
        if not result.present:
            self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.1f} s."))
