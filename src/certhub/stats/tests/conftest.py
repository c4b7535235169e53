"""Fixtures of the statistics tests: the small province of stats.testing, aggregated on its DAY (for the browser
tests, in a database the live server sees)."""

import pytest

from certhub.registry.testing import build_world
from certhub.stats import aggregate
from certhub.stats.testing import DAY, build_stats_world


@pytest.fixture
def stats_world(world):
    return build_stats_world(world)


@pytest.fixture
def aggregated(stats_world):
    aggregate.run(DAY)
    return stats_world


@pytest.fixture
def live_stats_world(transactional_db, live_server):
    """The aggregated province committed for a live server (the browser tests); returns the world."""
    world = build_world()
    build_stats_world(world)
    aggregate.run(DAY)
    return world
