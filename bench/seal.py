"""Signed seals (C3, docs/seals.md): seals made and verified per second on one core, each beside
its baseline measured in the same run — the raw Ed25519 signature over the same bytes, and the raw
verification of it — so that what CBOR, zlib and Base45 add is visible. Also the QR code as SVG (what the
certificate page's image costs).

Pure CPU work, no database: `certhub.seal.cose` and `certhub.seal.trust` on claims like a real
certificate's, each seal for a different certificate number. The process is pinned to one core where the
OS allows. `python -m bench.seal` prints the figures alone."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

SECONDS = 2.0
ROUNDS = 3
SAMPLE = 1_000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
    import django

    django.setup()


def _rate(work: Callable[[int], Any], seconds: float) -> float:
    """Operations per second of `work(i)` over about `seconds` (the median of ROUNDS rounds)."""
    rates = []
    for _round in range(ROUNDS):
        done, started = 0, time.perf_counter()
        while True:
            for _ in range(100):
                work(done)
                done += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
        rates.append(done / elapsed)
    return statistics.median(rates)


def measure(seconds: float = SECONDS) -> dict[str, Any]:
    """The figures, measured with the process pinned to one core (its cores are given back afterwards)."""
    _setup()
    pinned, cores = None, None
    if hasattr(os, "sched_setaffinity"):
        cores = os.sched_getaffinity(0)
        pinned = min(cores)
        os.sched_setaffinity(0, {pinned})
    try:
        return _measure(seconds, pinned)
    finally:
        if cores is not None:
            os.sched_setaffinity(0, cores)


def _measure(seconds: float, pinned: int | None) -> dict[str, Any]:
    import cbor2
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certhub.seal import qr
    from certhub.seal.cose import ALGORITHM_EDDSA, HEADER_ALGORITHM, HEADER_KID, key_id, sig_structure, sign, wrap
    from certhub.seal.docs import EXAMPLE_CLAIMS
    from certhub.seal.trust import TrustedKey, verify_seal

    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key()
    raw_public = public_key.public_bytes_raw()
    kid = key_id(raw_public)
    now = datetime.datetime.now(datetime.UTC)
    # The documented example's claims (docs/data-formats.md), valid from a day ago for three years.
    template = dataclasses.replace(
        EXAMPLE_CLAIMS,
        issued_at=int(now.timestamp()) - 86_400,
        expires_at=int(now.timestamp()) + 3 * 365 * 86_400,
    )
    claims = [
        dataclasses.replace(template, number=f"CNCA-QMS-2025-{i:06d}", ledger_index=1_000_000 + i)
        for i in range(SAMPLE)
    ]
    payloads = [c.to_payload() for c in claims]
    protected = cbor2.dumps({HEADER_ALGORITHM: ALGORITHM_EDDSA, HEADER_KID: kid})  # as cose.sign writes it
    to_sign = [sig_structure(protected, p) for p in payloads]
    signatures = [private_key.sign(m) for m in to_sign]
    texts = [wrap(sign(p, private_key)) for p in payloads]
    keys = {kid: TrustedKey(kid, raw_public, now - datetime.timedelta(days=2))}
    assert verify_seal(texts[0], keys, now=now).claims == claims[0]
    assert sign(payloads[0], private_key).endswith(signatures[0])  # the baseline signs the seal's own bytes

    figures = {
        "sign_baseline": _rate(lambda i: private_key.sign(to_sign[i % SAMPLE]), seconds),
        "seal_create": _rate(lambda i: wrap(sign(claims[i % SAMPLE].to_payload(), private_key)), seconds),
        "verify_baseline": _rate(lambda i: public_key.verify(signatures[i % SAMPLE], to_sign[i % SAMPLE]), seconds),
        "seal_verify": _rate(lambda i: verify_seal(texts[i % SAMPLE], keys, now=now), seconds),
        "qr_svg": _rate(lambda i: qr.svg(texts[i % SAMPLE]), min(seconds, 1.0)),
    }
    return {
        "core": pinned,
        "seconds_per_measurement": seconds,
        "rounds": ROUNDS,
        "qr_text_chars": statistics.median(len(t) for t in texts),
        "per_second": {name: round(rate, 1) for name, rate in figures.items()},
        "create_share_of_baseline": round(figures["seal_create"] / figures["sign_baseline"], 3),
        "verify_share_of_baseline": round(figures["seal_verify"] / figures["verify_baseline"], 3),
    }


def print_report(figures: dict[str, Any]) -> None:
    rates = figures["per_second"]
    core = f"core {figures['core']}" if figures["core"] is not None else "one process"
    rounds = f"median of {figures['rounds']} rounds of {figures['seconds_per_measurement']} s"
    print(f"\nseals on one core ({core}; {rounds}; QR text {figures['qr_text_chars']:.0f} characters)")
    rows = [
        ("Ed25519 sign, raw (baseline)", rates["sign_baseline"], ""),
        (
            "seal created: CBOR + sign + zlib + Base45",
            rates["seal_create"],
            f"{figures['create_share_of_baseline']:.0%} of the baseline",
        ),
        ("Ed25519 verify, raw (baseline)", rates["verify_baseline"], ""),
        (
            "seal verified: every layer + signature + dates",
            rates["seal_verify"],
            f"{figures['verify_share_of_baseline']:.0%} of the baseline",
        ),
        ("QR code as SVG (segno), not cached", rates["qr_svg"], ""),
    ]
    for label, rate, note in rows:
        print(f"  {label:<48} {rate:>10,.0f}/s {1e6 / rate:>9.1f} µs  {note}")


if __name__ == "__main__":
    result = measure(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS)
    print(json.dumps(result, indent=2))
    print_report(result)
