"""The demo registries (C1): organizations with valid credit codes, certification bodies, labs with CMA
scope and signatories, and certificates across every scheme with a realistic mix of statuses and dates, all
written through the registry actions (bulk ones for organizations and certificates)."""

from __future__ import annotations

import datetime
from typing import Any

from stdnum import ean

from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import CHUNK, DEMO_ACTOR, LATE_BODIES, OVERDUE_BODIES
from certhub.demo.generator.words import BODY_NAMES, INDUSTRY_DIVISION, INDUSTRY_WORDS, REASONS, SCOPE_TEMPLATES
from certhub.registry import actions, numbering
from certhub.registry.certificate_rules import moves_with_suspension
from certhub.registry.dates import add_months
from certhub.registry.models import CccProduct, CertificationBody, Lab, Organization, Scheme
from certhub.registry.testing import make_uscc


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


class Registries(ProvinceBase):
    def _organization_row(self, serial: int) -> dict[str, Any]:
        county = self.random.choice(self.counties)
        prefecture = county.parent
        assert prefecture is not None, "a county always lies in a prefecture (core/data/regions)"
        section = self.random.choices(list(INDUSTRY_WORDS), weights=[55, 8, 10, 5, 6, 6, 5, 5])[0]
        low, high = INDUSTRY_DIVISION[section]
        city = prefecture.name.removesuffix("市").removesuffix("土家族苗族自治州")
        name = f"{city}{self.brand()}{self.random.choice(INDUSTRY_WORDS[section])}有限公司"
        return {
            "uscc": make_uscc(serial, county.code),
            "name": name,
            "region": county.code,
            "address": f"{prefecture.name}{county.name}{self.faker.street_address()}",
            "industry_section": section,
            "industry_division": f"{self.random.randint(low, high):02d}",
            "above_designated_size": section == "C" and self.random.random() < 0.18,
        }

    def _organizations(self, special: int) -> None:
        total = special + self.size.organizations
        bar = self.progress(range(0, total, CHUNK), desc=f"organizations (×{CHUNK:,})")
        for start in bar:
            rows = [self._organization_row(serial) for serial in range(start + 1, min(start + CHUNK, total) + 1)]
            actions.do_bulk_create_organizations(rows=rows, actor=DEMO_ACTOR)
            self.holder_usccs.extend(r["uscc"] for r in rows)
        # The first organizations become bodies and labs; the rest hold certificates.
        self.special_usccs = self.holder_usccs[:special]
        self.holder_usccs = self.holder_usccs[special:]

    def _bodies(self) -> list[CertificationBody]:
        schemes = list(Scheme.objects.order_by("code").values_list("code", flat=True))
        voluntary = [s for s in schemes if s != "CCC"]
        bodies = []
        for index in range(self.size.bodies):
            organization = Organization.objects.get(uscc=self.special_usccs[index])
            chosen = {voluntary[index % len(voluntary)], "QMS"}
            chosen.update(self.random.sample(voluntary, 3))
            if index < 6:
                chosen.add("CCC")
            word = self.brand()
            body = actions.do_create_certification_body(
                organization=organization,
                name=BODY_NAMES[index % len(BODY_NAMES)].format(word),
                approval_number=f"CNCA-R-{2003 + index % 20}-{100 + index:03d}",
                accreditation=f"CNAS C{100 + index:03d}-M",
                scheme_codes=sorted(chosen),
                actor=DEMO_ACTOR,
            )
            for _auditor in range(3):
                person = actions.do_create_person(name=self.faker.name(), roles=["AUDITOR"], actor=DEMO_ACTOR)
                actions.do_add_affiliation(
                    person=person,
                    organization=organization,
                    role="AUDITOR",
                    start=datetime.date(2015 + index % 8, 3, 1),
                    actor=DEMO_ACTOR,
                )
            bodies.append(body)
        return bodies

    def _labs(self) -> list[Lab]:
        labs = []
        clients = list(Organization.objects.filter(uscc__in=self.holder_usccs[:1000]).order_by("id"))
        for index in self.progress(range(self.size.labs), desc="labs"):
            organization = Organization.objects.get(uscc=self.special_usccs[self.size.bodies + index])
            issued = datetime.date(2020 + index % 6, 1 + index % 12, 1 + index % 28)
            # The qualification decision the lab's record rests on (资质认定决定书), as the province numbers them.
            decision = f"湘市监资认〔{issued.year}〕{100 + index}号"
            lab = actions.do_create_lab(
                decision=decision,
                organization=organization,
                name=f"{organization.name.removesuffix('有限公司')}检测中心",
                cma_number=f"{18 + index % 8:02d}18{12000000 + index * 37:08d}"[:12],
                cma_valid_from=issued,
                cma_valid_until=add_years(issued, 6) - datetime.timedelta(days=1),
                actor=DEMO_ACTOR,
            )
            rows = self.random.sample(SCOPE_TEMPLATES, self.random.randint(5, 12))
            scope = [
                actions.do_add_lab_scope(
                    decision=decision,
                    lab=lab,
                    field=f,
                    object=o,
                    parameter=p,
                    standard=s,
                    valid_from=issued,
                    actor=DEMO_ACTOR,
                )
                for f, o, p, s in rows
            ]
            signatories = []
            for _n in range(self.random.randint(1, 3)):
                person = actions.do_create_person(name=self.faker.name(), roles=["SIGNATORY"], actor=DEMO_ACTOR)
                actions.do_add_affiliation(
                    person=person, organization=organization, role="SIGNATORY", start=issued, actor=DEMO_ACTOR
                )
                signatories.append(
                    actions.do_authorize_signatory(
                        decision=decision,
                        lab=lab,
                        person=person,
                        scope=self.random.sample(scope, max(1, len(scope) // 2)),
                        valid_from=issued,
                        actor=DEMO_ACTOR,
                    )
                )
            # Clean reports: within the lab's CMA validity (the 300 days before today or before it ended) and
            # the signatory's own scope, a few a day at most (C6 detectors).
            last = min(self.today - datetime.timedelta(days=1), lab.cma_valid_until)
            first = max(issued, last - datetime.timedelta(days=300))
            span = max((last - first).days, 0)
            scopes = {signatory.pk: list(signatory.scope.all()) for signatory in signatories}
            reports: list[dict[str, Any]] = []
            for number in range(self.size.reports_per_lab):
                signatory = self.random.choice(signatories)
                item = self.random.choice(scopes[signatory.pk])
                reports.append(
                    {
                        "number": f"{lab.cma_number[-6:]}-{self.today.year}-{number + 1:05d}",
                        "signatory": signatory,
                        "issue_date": first + datetime.timedelta(days=self.random.randint(0, span)),
                        "conclusion": self.random.choice(["PASS", "PASS", "PASS", "FAIL"]),
                        "client": self.random.choice(clients),
                        "product": item.object,
                        "items": [{"parameter": item.parameter, "standard": item.standard, "result": "符合"}],
                    }
                )
            actions.do_bulk_create_test_reports(lab=lab, rows=reports, actor=DEMO_ACTOR)
            labs.append(lab)
        return labs

    def _certificates(self, bodies: list[CertificationBody]) -> int:
        schemes = {s.code: s for s in Scheme.objects.all()}
        body_schemes = {b.pk: sorted(b.schemes.values_list("code", flat=True)) for b in bodies}
        ccc_products = list(CccProduct.objects.filter(effective_from__lte=self.today).order_by("code"))
        total = self.size.certificates
        # Chunks no larger than a body's share, so that every body issues certificates even in a small province.
        size = max(1, min(CHUNK, -(-total // len(bodies))))
        chunks = -(-total // size)
        serial = 0
        for chunk_index in self.progress(range(chunks), desc=f"certificates (×{size:,})"):
            body = bodies[chunk_index % len(bodies)]
            count = min(size, total - chunk_index * size)
            rows = []
            for _ in range(count):
                rows.append(
                    self._certificate_row(
                        serial, body, bodies.index(body), body_schemes[body.pk], schemes, ccc_products
                    )
                )
                serial += 1
            actions.do_bulk_create_certificates(body=body, rows=rows, actor=DEMO_ACTOR)
        return total

    def _certificate_row(
        self,
        serial: int,
        body: CertificationBody,
        body_index: int,
        allowed: list[str],
        schemes: dict[str, Scheme],
        ccc_products: list[CccProduct],
    ) -> dict[str, Any]:
        rnd = self.random
        code = rnd.choice(allowed)
        scheme = schemes[code]
        years = scheme.validity_years or 3
        issue = self.today - datetime.timedelta(days=rnd.randint(0, 365 * min(years + 1, 6)))
        expiry = add_years(issue, years) - datetime.timedelta(days=1)
        renewals = rnd.choice([0, 0, 0, 1, 1, 2])
        holder = self.holder_usccs[rnd.randrange(len(self.holder_usccs))]
        # A holder whose certificate of this management system is suspended at another body since before this
        # issue date may not move body (暂停期间不得转换认证机构, registry.certificate_rules): the registry would
        # refuse the row, so such a holder is drawn again. Whether it happens depends on today's date.
        suspended = self.suspended_at
        while any(b != body.pk and since <= issue for b, since in suspended.get((holder, code), {}).items()):
            holder = self.holder_usccs[rnd.randrange(len(self.holder_usccs))]
        row: dict[str, Any] = {
            "holder_uscc": holder,
            "scheme": code,
            "issue_date": issue,
            "expiry_date": expiry,
            "original_issue_date": add_years(issue, -years * renewals),
            "sites": [{"address": self.faker.street_address()}],
            # When the body reported it: within 30 days (C2), except at the bodies planted as late reporters
            # (C6 late_reporting), where one certificate in forty came 45–90 days after issue.
            "reported_on": min(self.today, issue + datetime.timedelta(days=(serial * 37) % 31)),
        }
        if body_index in LATE_BODIES and serial % 40 == 0 and issue + datetime.timedelta(days=90) <= self.today:
            row["reported_on"] = issue + datetime.timedelta(days=45 + serial % 46)
            self.planted["late_reporting"].add(("certification_body", body.pk))
        if code == "CCC" and ccc_products:
            product = rnd.choice(ccc_products)
            model = f"{self.faker.lexify('??').upper()}-{rnd.randint(100, 999)}"
            item: dict[str, str] = {"name": product.name, "model": model, "trademark": self.brand()}
            if rnd.random() < 0.4:
                digits = f"69{rnd.randint(0, 10**10 - 1):010d}"
                item["gtin"] = digits + ean.calc_check_digit(digits)
            if rnd.random() < 0.2:
                item["batch"] = f"{issue:%Y%m}{rnd.randint(1, 99):02d}"
            # CCC numbers are 16 digits: year, body, product code, serial.
            number = f"{issue.year}{body_index:02d}{product.code}{serial:06d}"
            row.update(
                ccc_product=product.code, products=[item], scope=product.name, standards="GB 4706.1-2005", number=number
            )
        else:
            # The national numbering rule (registry/numbering.py): the body's code from its approval number,
            # the year, the scheme's letter, a serial, recertifications and M (several sites).
            prefix = numbering.body_code(body.approval_number) or f"{body_index + 1:03d}"
            number = f"{prefix}{issue.year % 100:02d}{code[0]}{serial:07d}R{renewals}M"
            scope = f"{scheme.name}：{self.brand()}相关产品的设计、生产和服务"
            row.update(scope=scope, standards=scheme.standard[:300], number=number)
        overdue = body_index in OVERDUE_BODIES and serial % 25 == 0
        row.update(self._lifecycle(issue, expiry, scheme, overdue=overdue))
        if overdue and row.get("overdue"):
            self.planted["surveillance_overdue"].add(("certification_body", body.pk))
        row.pop("overdue", None)
        history = row.get("history") or []
        if history and history[-1]["status"] == "SUSPENDED" and moves_with_suspension(scheme):
            at = suspended.setdefault((row["holder_uscc"], code), {})
            at[body.pk] = min(history[-1]["date"], at.get(body.pk, history[-1]["date"]))
        return row

    def _lifecycle(
        self, issue: datetime.date, expiry: datetime.date, scheme: Scheme, *, overdue: bool = False
    ) -> dict[str, Any]:
        """A realistic status: most active, some suspended, withdrawn, cancelled, expired, a few drafts.
        Surveillance is kept on time, unless `overdue` (planted): then the last audit is one period behind
        and the result says so with "overdue"."""
        rnd = self.random

        def between(start: datetime.date, end: datetime.date) -> datetime.date:
            span = max((end - start).days, 0)
            return start + datetime.timedelta(days=rnd.randint(0, span))

        def step(status: str, day: datetime.date) -> dict[str, Any]:
            return {"status": status, "date": day, "reason": rnd.choice(REASONS[status])}

        end = min(self.today, expiry)
        if expiry < self.today:
            if rnd.random() < 0.8:
                return {"history": [step("EXPIRED", expiry + datetime.timedelta(days=1))]}
            return {"history": [step("CANCELLED", between(issue, expiry))]}
        draw = rnd.random()
        result: dict[str, Any] = {}
        if draw < 0.02:
            return {"status": "DRAFT"}
        if draw < 0.09:
            result["history"] = [step("SUSPENDED", between(issue, end))]
        elif draw < 0.13:
            suspended = between(issue, end)
            result["history"] = [step("SUSPENDED", suspended), step("WITHDRAWN", between(suspended, end))]
        elif draw < 0.19:
            result["history"] = [step("CANCELLED", between(issue, end))]
        elif draw < 0.21:
            suspended = between(issue, end)
            result["history"] = [step("SUSPENDED", suspended), step("ACTIVE", between(suspended, end))]
        months = scheme.surveillance_months
        if (months and "history" not in result) or (
            result.get("history") and result["history"][-1]["status"] == "ACTIVE"
        ):
            last, due = None, add_months(issue, months or 12)
            while due <= self.today:
                last, due = due, add_months(due, months or 12)
            if last and overdue:
                last = add_months(last, -(months or 12)) if add_months(last, -(months or 12)) > issue else None
                result["overdue"] = True
            result["last_surveillance_date"] = last
        return result
