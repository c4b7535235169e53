"""Fixtures of the inspection tests: an inspection world built in the past, so that draws and inspections
lie behind today."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from certhub.inspections.testing import build_inspection_world


@pytest.fixture
def started():
    """When the inspection world was built: 60 days ago, so that draws and inspections lie in the past."""
    return timezone.now() - datetime.timedelta(days=60)


@pytest.fixture
def inspection(world, started):
    with time_machine.travel(started, tick=False):
        return build_inspection_world(world.PASSWORD)
