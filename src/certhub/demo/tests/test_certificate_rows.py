"""The demo's certificate rows keep the registry's rules whatever today's date is: a holder whose management-system
certificate is suspended at another body is not given a new one of that scheme (暂停期间不得转换认证机构), which the
registry would refuse and so stop `make run` on some days."""

import random

from certhub.demo import generator
from certhub.demo.generator.province import DemoProvince
from certhub.registry.models import Scheme
from certhub.registry.testing import make_uscc


def test_a_holder_suspended_at_another_body_is_drawn_again(db):
    province = DemoProvince(generator.SIZES["small"], seed=7)
    first, second = make_uscc(1), make_uscc(2)
    province.holder_usccs = [first, second]
    scheme = Scheme(  # unsaved: the row is built, not written
        code="QMS", name="质量管理体系认证", kind="MANAGEMENT_SYSTEM", validity_years=3, surveillance_months=12
    )
    body = type("Body", (), {"pk": 2, "approval_number": "CNCA-R-2002-001"})()
    rows = []
    for seed in range(40):
        province.random = random.Random(seed)
        province.suspended_at = {(first, "QMS"): {1: province.today.replace(year=province.today.year - 10)}}
        rows.append(province._certificate_row(seed, body, 0, ["QMS"], {"QMS": scheme}, []))
    # Every row went to the holder not suspended elsewhere; without the rule about half would name `first`.
    assert {row["holder_uscc"] for row in rows} == {second}
    # …and a row of the same body as the suspension may name it: the rule is about moving body.
    province.random = random.Random(1)
    province.suspended_at = {(first, "QMS"): {2: province.today.replace(year=province.today.year - 10)}}
    holders = set()
    for seed in range(40):
        province.random = random.Random(seed)
        holders.add(province._certificate_row(seed, body, 0, ["QMS"], {"QMS": scheme}, [])["holder_uscc"])
    assert holders == {first, second}
