"""Training on populations whose answer is known: learned when it depends on a feature, weak when it does not,
chance when the labels are shuffled, and blind to what happened after the contact."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from accounts.models import Account
from propensity import learning
from propensity.exceptions import NotEnoughHistory
from propensity.explain import reasons_text
from propensity.features import Points, features_frame
from propensity.models import PropensityModel, PropensityScore
from propensity.selectors import model_card
from propensity.services import propensity_score, propensity_train, training_examples

from .population import population_build

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each trains a model on a synthetic population

SIZE = 1600


@pytest.fixture
def learned():
    population = population_build(size=SIZE, rule="mortgage")
    return population, propensity_train(product=population.product)


def test_a_population_answering_by_a_known_feature_is_learned(learned):
    _population, result = learned
    metrics = result.model.metrics
    assert result.replaced and result.model.is_current
    assert metrics["auc"] >= 0.72  # the rule's own ceiling is about 0.8
    top_half = np.mean([d["actual"] for d in metrics["deciles"][:5]])
    bottom_half = np.mean([d["actual"] for d in metrics["deciles"][5:]])
    assert top_half > 3 * bottom_half
    assert np.mean([d["lift"] for d in metrics["deciles"][:3]]) > 1.4
    strongest = [s["feature"] for s in metrics["strongest"][:2]]
    assert "holds_MORTGAGE" in strongest or "loans" in strongest
    # calibrated: the average predicted probability of the held-out contacts is near their real rate
    predicted = np.mean([d["predicted"] * d["size"] for d in metrics["deciles"]]) * 10 / metrics["held_out_size"]
    assert abs(predicted - metrics["base_rate"]) < 0.05


def test_the_strong_feature_is_among_a_holders_reasons_in_both_languages(learned):
    population, _result = learned
    holder = Account.objects.filter(product=population.mortgage).values_list("customer_id", flat=True).first()
    score = PropensityScore.objects.get(customer_id=holder, product=population.product)
    assert {"f": "holds", "kind": "MORTGAGE"} in score.reasons
    assert score.decile <= 5
    with translation.override("zh-hans"):
        assert "持有住房贷款" in reasons_text(score.reasons)
    with translation.override("en"):
        assert "Holds: Mortgage" in reasons_text(score.reasons)


def test_scores_are_one_per_live_customer_without_the_product_with_deciles(learned):
    population, result = learned
    scores = PropensityScore.objects.filter(product=population.product)
    assert result.scored == scores.count() == SIZE
    assert set(scores.values_list("decile", flat=True)) == set(range(1, 11))
    assert all(0 <= p <= 1 for p in scores.values_list("probability", flat=True))
    assert propensity_score(product=population.product) == SIZE  # scoring again replaces, never adds
    assert scores.count() == SIZE


def test_random_answers_give_a_model_card_that_says_the_model_is_weak():
    population = population_build(size=SIZE, rule="random", prefix="RND")
    result = propensity_train(product=population.product)
    assert result.model.metrics["auc"] < 0.6
    card = model_card(product=population.product)
    assert card["weak"]
    assert any("weak" in warning for warning in card["warnings"])


def test_shuffled_labels_drop_the_auc_to_chance():
    population = population_build(size=SIZE, rule="mortgage", prefix="SHF")
    examples = training_examples(product=population.product)
    frame = features_frame(Points(customer_ids=examples["customer_id"].to_numpy(), moments=examples["at"]))
    labels = examples["converted"].to_numpy(dtype=int)
    customers = frame["customer_id"].to_numpy()
    _fitted, true_metrics, _held = learning.fit(frame, labels, customers)
    shuffled = np.random.default_rng(3).permutation(labels)
    _fitted, shuffled_metrics, _held = learning.fit(frame, shuffled, customers)
    assert true_metrics["auc"] > 0.72
    assert 0.38 < shuffled_metrics["auc"] < 0.62


def test_the_products_own_account_opened_after_the_contact_is_not_a_feature():
    population = population_build(size=SIZE, rule="random", leak=True, prefix="LEK")
    examples = training_examples(product=population.product)
    taker = examples[examples["converted"]].iloc[0]
    then = features_frame(Points(customer_ids=np.array([taker["customer_id"]]), moments=pd.Series([taker["at"]])))
    now = features_frame(Points(customer_ids=np.array([taker["customer_id"]]),
                                moments=pd.Series([timezone.now()]), current=True))
    assert then["holds_WEALTH"].iloc[0] == 0 and now["holds_WEALTH"].iloc[0] == 1
    result = propensity_train(product=population.product)
    assert result.model.metrics["auc"] < 0.6  # a leak would make this near 1
    # the takers now hold the product: they are not scored for it
    assert PropensityScore.objects.filter(product=population.product).count() == SIZE - population.takers


def test_a_new_version_replaces_the_current_one_only_if_it_does_at_least_as_well(learned):
    population, first = learned
    PropensityModel.objects.filter(pk=first.model.pk).update(metrics={**first.model.metrics, "auc": 0.99})
    second = propensity_train(product=population.product)
    assert second.model.version == 2 and not second.replaced
    assert PropensityModel.objects.get(product=population.product, is_current=True).pk == first.model.pk
    assert set(PropensityScore.objects.filter(product=population.product).values_list("model_id", flat=True)) == {
        first.model.pk}
    PropensityModel.objects.filter(pk=first.model.pk).update(metrics={**first.model.metrics, "auc": 0.5})
    third = propensity_train(product=population.product)
    assert third.replaced and third.model.version == 3


def test_a_product_with_too_little_history_gets_no_model():
    population = population_build(size=120, rule="mortgage", prefix="FEW")
    with pytest.raises(NotEnoughHistory):
        propensity_train(product=population.product)
    with pytest.raises(CommandError, match="needs at least"):
        call_command("train_propensity", "--product", population.product.code)
    card = model_card(product=population.product)
    assert card["model"] is None and any("Too little history" in w for w in card["warnings"])


def test_contacts_whose_conversion_window_is_open_are_not_yet_examples():
    population = population_build(size=50, rule="mortgage", prefix="WIN", now=timezone.now() - dt.timedelta(days=1))
    assert len(training_examples(product=population.product)) == 50
    assert len(training_examples(product=population.product, now=timezone.now() - dt.timedelta(days=90))) == 0


def test_train_propensity_prints_the_held_out_figures(capsys):
    population = population_build(size=SIZE, rule="mortgage", prefix="CMD")
    call_command("train_propensity", "--product", population.product.code)
    out = capsys.readouterr().out
    assert "held-out AUC" in out and "now current" in out and f"{SIZE} customers scored" in out
