"""Demo data for development and tests (DESIGN §1): `manage.py seed_demo` and its generators.

A dev-only app: crm_site.settings.dev and .test install it, production does not, and the packages it
needs (Faker) are in requirements-dev.txt only. The generators are in demo/generators/.
"""
