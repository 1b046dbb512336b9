"""Phase d of bench/webservice_load.py, for half a second: it measures what it claims to."""

from __future__ import annotations

from bench.webservice_load import throughput_report


def test_throughput_phase_serves_signed_requests_and_really_verifies_them() -> None:
    report = throughput_report(0.5, connections=(1,))

    for mode in ("verification_on", "verification_off"):
        row = report[mode]["1"]
        assert row["requests"] > 0, mode
        assert row["errors"] == 0, (mode, row)
        assert row["statuses"] == {"200": row["requests"]}, mode
        assert row["unexpected_answers"] == 0, mode
        assert row["rps"] > 0 and 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], mode
    assert report["on_off_ratio"]["1"]["rps"] > 0
    # The same harness, one request signed over other bytes: refused only when verifying.
    assert report["probes"]["on"] == {"good": 200, "bad_signature": 400}
    assert report["probes"]["off"] == {"good": 200, "bad_signature": 200}
