"""What every part of the demo generator shares: the province being built, its random source and its clock."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from faker import Faker

from certhub.core.models import Region
from certhub.demo.generator.sizes import PLANTED, Size
from certhub.demo.generator.words import BRANDS_A, BRANDS_B


class ProvinceBase:
    """The state of one demo province being generated, reproducibly from a seed."""

    special_usccs: list[str]
    logins: list[tuple[str, str]]

    def __init__(self, size: Size, *, seed: int = 2018, progress: Callable[..., Any] | None = None) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.progress = progress or (lambda iterable, **_: iterable)
        self.today = timezone.localdate()
        self.holder_usccs: list[str] = []
        # (holder's credit code, scheme code) → {body id: suspended since} of the certificates made so far.
        self.suspended_at: dict[tuple[str, str], dict[int, datetime.date]] = {}
        self.counties: list[Region] = []
        # detector → {(subject type, subject id)} planted; see PLANTED.
        self.planted: dict[str, set[tuple[str, int]]] = {detector: set() for detector in PLANTED}

    def brand(self) -> str:
        return self.random.choice(BRANDS_A) + self.random.choice(BRANDS_B)
