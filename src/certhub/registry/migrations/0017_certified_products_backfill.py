"""Certified products for the certificates registered before the registry kept them (C7): one row per
product line of every certificate, as registry.products writes them for a new certificate. The rules are
copied here as they stand today, so that this migration means the same thing whatever they become."""

import unicodedata

from django.db import migrations

BATCH = 5_000
LENGTH = 200
NOISE = frozenset(" -./_")


def fold_model(text):
    folded = unicodedata.normalize("NFKC", str(text or "")).upper()
    return "".join(ch for ch in folded if ch not in NOISE and not ch.isspace() and unicodedata.category(ch) != "Pd")


def factory_of(particulars):
    particulars = particulars if isinstance(particulars, dict) else {}
    for key in ("factory", "manufacturer"):
        value = str(particulars.get(key) or "").strip()
        if value:
            return value[:LENGTH]
    return ""


def text(product, key, length=LENGTH):
    value = product.get(key)
    return str(value).strip()[:length] if value is not None else ""


def backfill(apps, schema_editor):
    Certificate = apps.get_model("registry", "Certificate")
    CertifiedProduct = apps.get_model("registry", "CertifiedProduct")
    done = set(CertifiedProduct.objects.values_list("certificate_id", flat=True).distinct())
    rows = []
    certificates = Certificate.objects.order_by("id").values_list("id", "products", "particulars")
    for certificate_id, products, particulars in certificates.iterator(chunk_size=2_000):
        if not products or not isinstance(products, list) or certificate_id in done:
            continue
        factory = factory_of(particulars)
        for line, product in enumerate(products, start=1):
            if not isinstance(product, dict):
                continue
            model = text(product, "model")
            rows.append(
                CertifiedProduct(
                    certificate_id=certificate_id,
                    line=line,
                    name=text(product, "name"),
                    model=model,
                    model_key=fold_model(model)[:LENGTH],
                    trademark=text(product, "trademark"),
                    gtin=text(product, "gtin", 14),
                    factory=factory,
                )
            )
        if len(rows) >= BATCH:
            CertifiedProduct.objects.bulk_create(rows)
            rows = []
    if rows:
        CertifiedProduct.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0016_certified_products"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
