"""Branches' staff (through branches.services.staff_create) and the product catalogue."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from faker import Faker

from accounts.models import Product
from branches import services as branch_services
from branches.models import Branch, StaffProfile

from .logins import DemoLogin
from .reference import BRANCHES, PRODUCTS, STAFF_ROLES, _launch_date

User = get_user_model()


def _staff_usernames() -> list[str]:
    return [f"{role}_{b.suffix}" for b in BRANCHES for role in STAFF_ROLES]


def _staff_present() -> list[DemoLogin]:
    profiles = StaffProfile.objects.filter(user__username__in=_staff_usernames()).select_related("user", "branch")
    order = {username: i for i, username in enumerate(_staff_usernames())}
    return sorted((DemoLogin(username=p.user.username, role=p.role, branch=p.branch.code, password=None)
                   for p in profiles), key=lambda login: order[login.username])


def _staff_ensure(*, branches: dict[str, Branch], seed: int) -> list[DemoLogin]:
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:staff")
    existing = set(User.objects.filter(username__in=_staff_usernames()).values_list("username", flat=True))
    logins = []
    for b in BRANCHES:
        for role in STAFF_ROLES:
            username = f"{role}_{b.suffix}"
            last_name, first_name = fake.last_name(), fake.first_name()  # drawn always, so names stay put
            password = None
            if username not in existing:
                password = secrets.token_urlsafe(12)
                branch_services.staff_create(username=username, password=password, branch=branches[b.code],
                                             role=role, first_name=first_name, last_name=last_name,
                                             email=f"{username}@bank.example")
            logins.append(DemoLogin(username=username, role=role, branch=b.code, password=password,
                                    created=password is not None))
    return logins


def _products_ensure(*, today: dt.date) -> None:
    Product.objects.bulk_create([
        Product(code=code, kind=kind, name=name, name_en=name_en, launched_at=_launch_date(launched, today))
        for code, kind, name, name_en, launched, _share in PRODUCTS
    ], ignore_conflicts=True)
