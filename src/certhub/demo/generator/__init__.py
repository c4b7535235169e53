"""The synthetic province: organizations with valid credit codes, certification bodies, labs with CMA
scope and signatories, and certificates across every scheme with a realistic mix of statuses and dates.

Everything is written through the registry actions (bulk ones for organizations and certificates), so
the demo data has the same audit trail and public records as real data.

Risk signals (C6) are clean except for a known number of planted anomalies of each kind
(PLANTED): every risk detector must find exactly those, and nothing on the clean records
(demo/tests/test_anomalies.py). The generator records what it planted in `self.planted`. Memory stays bounded: rows are
generated and written in chunks; only the holders' credit codes are kept for the whole run."""

from certhub.demo.generator.province import DemoProvince
from certhub.demo.generator.sizes import DEMO_ACTOR, DEMO_PASSWORD, PLANTED, SIZES, Size
from certhub.demo.generator.users import iter_logins

__all__ = ["DEMO_ACTOR", "DEMO_PASSWORD", "PLANTED", "SIZES", "DemoProvince", "Size", "iter_logins"]
