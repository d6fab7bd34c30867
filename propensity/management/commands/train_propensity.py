"""python manage.py train_propensity [--product CODE]: train (and score with) the next-best-offer models."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Product
from propensity.exceptions import NotEnoughHistory
from propensity.services import propensity_train, propensity_train_all


class Command(BaseCommand):
    help = ("Train a new propensity model version for one product (--product) or every active product with enough "
            "campaign history, keep it if its held-out AUC is at least the current version's, and score every live "
            "customer who does not hold the product.")

    def add_arguments(self, parser):
        parser.add_argument("--product", metavar="CODE", help="one product's code (default: every eligible product)")

    def handle(self, *args, product: str | None, **options):
        if not product:
            for code, outcome in propensity_train_all().items():
                self.stdout.write(f"{code}: {outcome}")
            return
        found = Product.objects.filter(code=product.strip().upper()).first()
        if found is None:
            raise CommandError(f"No product has the code {product!r}.")
        try:
            result = propensity_train(product=found)
        except NotEnoughHistory as exc:
            raise CommandError(exc.message) from exc
        metrics = result.model.metrics
        self.stdout.write(
            f"{found.code} v{result.model.version}: {result.model.training_size} contacts, {result.model.positives} "
            f"conversions; held-out AUC {metrics['auc']:.3f}, Brier {metrics['brier']:.4f}, top-decile lift "
            f"{metrics['deciles'][0]['lift']}; " + ("now current" if result.replaced else
                                                   "kept the current version (it does better)")
            + f"; {result.scored} customers scored")
