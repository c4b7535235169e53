"""`certhub load_reference`: load the regions file and the scheme/CCC reference data (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from certhub.core.actors import SYSTEM
from certhub.registry.actions import do_load_reference_data, do_load_regions


class Command(BaseCommand):
    help = "Load administrative regions, certification schemes and the CCC catalogue (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--regions", default=settings.CERTHUB_REGION_FILE, help="GB/T 2260 region file")

    def handle(self, *args: Any, **options: Any) -> None:
        regions = do_load_regions(path=options["regions"], actor=SYSTEM)
        counts = do_load_reference_data(actor=SYSTEM)
        self.stdout.write(f"regions changed: {regions}; " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
