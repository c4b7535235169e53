"""The demo's risk signals (C6): clean, with the planted anomalies (PLANTED) among them, and the first
scoring run."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import CHANNELS, CHUNK, DEMO_ACTOR, PLANTED, SHORT_AUDIT_BODIES
from certhub.registry import actions
from certhub.registry.models import CccProduct, Certificate, CertificationBody, Lab, Organization
from certhub.risk.actions import do_record_certificate_uses, do_record_penalties, do_run_scoring
from certhub.risk.audit_time import qms_table


class Signals(ProvinceBase):
    def _lab_anomalies(self, labs: list[Lab]) -> None:
        """Planted test-report anomalies: reports with an item outside the lab's CMA scope (labs 0, 1), with
        an item outside the signatory's own scope (labs 2, 3), and one signatory signing 41 reports on one
        day (lab 4). Lab indexes wrap round when there are fewer labs."""
        if not labs:
            return
        client = Organization.objects.get(uscc=self.holder_usccs[0])
        day = self.today - datetime.timedelta(days=10)

        def report(lab: Lab, number: str, signatory: Any, item: tuple[str, str, str]) -> None:
            actions.do_create_test_report(
                lab=lab,
                number=f"{lab.cma_number[-6:]}-{self.today.year}-{number}",
                signatory=signatory,
                issue_date=day,
                conclusion="PASS",
                client=client,
                product=item[0],
                items=[{"parameter": item[1], "standard": item[2], "result": "符合"}],
                actor=DEMO_ACTOR,
            )

        for index in (0, 1):
            lab = labs[index % len(labs)]
            signatory = lab.signatories.order_by("id").first()
            report(lab, f"X{index}", signatory, ("瓶装饮用水", "溴酸盐", "GB 8538-2022"))  # no lab has it in scope
            self.planted["lab_outside_scope"].add(("lab", lab.pk))
            self.planted["signatory_outside_authorization"].add(("lab", lab.pk))  # outside the lab, outside them
        for index in (2, 3):
            lab = labs[index % len(labs)]
            for signatory in lab.signatories.order_by("id"):
                own = set(signatory.scope.values_list("id", flat=True))
                other = lab.scope.exclude(id__in=own).order_by("id").first()
                if other is not None:
                    report(lab, f"Y{index}", signatory, (other.object, other.parameter, other.standard))
                    self.planted["signatory_outside_authorization"].add(("lab", lab.pk))
                    break
        lab = labs[4 % len(labs)]
        signatory = lab.signatories.order_by("id").first()
        assert signatory is not None, "every demo lab has signatories (registries)"
        item = signatory.scope.order_by("id").first()
        assert item is not None, "every demo signatory is authorized for part of its lab's scope (registries)"
        for number in range(41):  # REPORTS_PER_SIGNATORY_DAY is 40
            report(lab, f"V{number:03d}", signatory, (item.object, item.parameter, item.standard))
        self.planted["signatory_volume"].add(("lab", lab.pk))

    def _signals(self, bodies: list[CertificationBody]) -> None:
        """What departments report besides the registries: certificates seen in use, the CCC products
        organizations make, the audits behind QMS certificates, penalties — clean, with the planted
        anomalies (PLANTED) among them."""
        rnd, today = self.random, self.today
        active = Certificate.objects.filter(status="ACTIVE", expiry_date__gte=today)
        # Certificates in use while valid: one in a hundred active ones, seen after their last status change.
        uses = []
        for pk, changed in active.order_by("id").values_list("id", "status_changed_on")[::100]:
            seen = changed + datetime.timedelta(days=rnd.randint(0, max((today - changed).days, 0)))
            uses.append(
                {
                    "certificate": pk,
                    "used_on": seen,
                    "channel": rnd.choice(CHANNELS),
                    "place": "演示：政府采购和市场检查中出示的证书",
                    "reported_by": "市场监管局",
                }
            )
        # Planted: certificates used after they were suspended or withdrawn, each of a different holder.
        holders: set[int] = set()
        for pk, holder, changed in (
            Certificate.objects.filter(status__in=["SUSPENDED", "WITHDRAWN"])
            .order_by("id")
            .values_list("id", "holder_id", "status_changed_on")
        ):
            if len(holders) == PLANTED["certificate_use_invalid"]:
                break
            if holder in holders:
                continue
            holders.add(holder)
            uses.append(
                {
                    "certificate": pk,
                    "used_on": min(today, changed + datetime.timedelta(days=5)),
                    "channel": "procurement",
                    "place": "演示：投标文件中出示已暂停或撤销的证书",
                    "reported_by": "县财政局",
                }
            )
            self.planted["certificate_use_invalid"].add(("organization", holder))
        for start in range(0, len(uses), CHUNK):
            do_record_certificate_uses(rows=uses[start : start + CHUNK], actor=DEMO_ACTOR)
        # What organizations make: every holder of an active CCC certificate makes its product (clean) …
        made: dict[tuple[str, str], datetime.date] = {}
        for uscc, code, issued in active.filter(scheme__code="CCC", ccc_product__isnull=False).values_list(
            "holder__uscc", "ccc_product__code", "issue_date"
        ):
            made.setdefault((uscc, code), issued)
        rows = [
            {"uscc": uscc, "ccc_product": code, "source": "licence", "recorded_on": day}
            for (uscc, code), day in sorted(made.items())
        ]
        # … and, planted, organizations with no CCC certificate at all make a product of the catalogue in force.
        products = list(
            CccProduct.objects.filter(effective_from__lte=today, mode="third_party")
            .exclude(effective_to__lt=today)
            .order_by("code")
            .values_list("code", flat=True)
        )
        certified = set(Certificate.objects.filter(scheme__code="CCC").values_list("holder_id", flat=True))
        makers = (
            Organization.objects.filter(uscc__in=self.holder_usccs[-500:])
            .exclude(id__in=certified)
            .order_by("id")
            .values_list("id", "uscc")
        )[: PLANTED["ccc_uncovered"]]
        for pk, uscc in makers:
            rows.append(
                {
                    "uscc": uscc,
                    "ccc_product": rnd.choice(products),
                    "source": "inspection",
                    "recorded_on": today - datetime.timedelta(days=rnd.randint(1, 60)),
                }
            )
            self.planted["ccc_uncovered"].add(("organization", pk))
        for start in range(0, len(rows), CHUNK):
            actions.do_record_manufactured_products(rows=rows[start : start + CHUNK], actor=DEMO_ACTOR)
        # The initial audit of every QMS certificate: at least IAF MD 5's minimum, except one certificate at
        # each body planted as auditing too briefly.
        table = qms_table()
        for index, body in enumerate(bodies):
            certificates = (
                Certificate.objects.filter(certification_body=body, scheme__code="QMS")
                .exclude(status="DRAFT")
                .order_by("id")
                .values_list("number", "issue_date")
            )
            audits = []
            for position, (number, issued) in enumerate(certificates.iterator(chunk_size=CHUNK)):
                personnel = rnd.choice([3, 8, 14, 20, 40, 60, 100, 150, 300, 700])
                least = table.minimum(personnel)
                assert least is not None, "every personnel count chosen above is within the table (1 … 10,700)"
                short = index in SHORT_AUDIT_BODIES and position == 0
                total = least * Decimal("0.6") if short else least * Decimal(rnd.choice(["1", "1.2", "1.43"]))
                total = (total * 2).to_integral_value(rounding=ROUND_DOWN if short else ROUND_UP) / 2
                stage1 = (total / 3 * 2).to_integral_value(rounding=ROUND_DOWN) / 2
                audits.append(
                    {
                        "certificate": number,
                        "kind": "initial",
                        "stage1_days": str(stage1),
                        "stage2_days": str(total - stage1),
                        "effective_personnel": personnel,
                        "end_date": issued - datetime.timedelta(days=rnd.randint(7, 40)),
                    }
                )
                if short:
                    self.planted["audit_time_short"].add(("certification_body", body.pk))
                if len(audits) == CHUNK:
                    actions.do_record_certification_audits(body=body, rows=audits, actor=DEMO_ACTOR)
                    audits = []
            if audits:
                actions.do_record_certification_audits(body=body, rows=audits, actor=DEMO_ACTOR)
        # Planted: penalties on two organizations.
        penalized = Organization.objects.filter(uscc__in=self.holder_usccs[:2]).order_by("id")
        do_record_penalties(
            rows=[
                {
                    "organization": organization.pk,
                    "decision_number": f"湘市监处罚〔{today.year}〕{10 + n}号",
                    "decided_on": today - datetime.timedelta(days=30 * (n + 1)),
                    "authority": "湖南省市场监督管理局",
                    "reason": "伪造、冒用认证证书（演示数据）",
                }
                for n, organization in enumerate(penalized)
            ],
            actor=DEMO_ACTOR,
        )
        self.planted["penalties"].update(("organization", o.pk) for o in penalized)

    def _score(self) -> Any:
        """The first scoring run: every subject graded, the planted anomalies warned about."""
        return do_run_scoring(actor=DEMO_ACTOR)
