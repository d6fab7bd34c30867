import pytest

from propensity.services import propensity_train

from .population import population_build


@pytest.fixture
def trained(branch):
    """800 customers of the `branch` persona's branch, a wealth product learned from their answers."""
    population = population_build(size=800, rule="mortgage", branch=branch, prefix="T")
    propensity_train(product=population.product)
    return population
