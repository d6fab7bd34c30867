from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from branches.tokens import api_token_expires_at, api_token_rotate


class Command(BaseCommand):
    help = ("Give a login (a channel system's or a staff member's) a new API token and print it; the old token "
            "stops working at once.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is inactive: activate the login first.")
        token = api_token_rotate(user=user)
        expires_at = api_token_expires_at(token)
        self.stdout.write(token.key)
        self.stderr.write(f"New API token for {username}; the old one no longer works. "
                          + (f"It expires {expires_at.isoformat(timespec='minutes')}." if expires_at
                             else "It does not expire (API_TOKEN_MAX_AGE_DAYS=0)."))
