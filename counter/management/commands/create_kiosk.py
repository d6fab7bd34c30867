from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from branches.models import Branch
from counter import services


class Command(BaseCommand):
    help = "Create a ticket kiosk's login (no password) bound to a branch, and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the kiosk device's login, e.g. kiosk_sh_1")
        parser.add_argument("branch", help="the branch code it issues tickets at, e.g. SH001")

    def handle(self, *args, username: str, branch: str, **options):
        found = Branch.objects.filter(code=branch).first()
        if found is None:
            raise CommandError(f"no branch {branch!r}")
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"the login {username!r} exists already")
        _user, token = services.kiosk_create(username=username, branch=found)
        self.stdout.write(f"Kiosk {username} at {found.code}: Authorization: Token {token.key}")
