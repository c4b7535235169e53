"""Fixtures of the statistics tests: the small province of stats.testing, aggregated on its DAY."""

import pytest

from certhub.stats import aggregate
from certhub.stats.testing import DAY, build_stats_world


@pytest.fixture
def stats_world(world):
    return build_stats_world(world)


@pytest.fixture
def aggregated(stats_world):
    aggregate.run(DAY)
    return stats_world
