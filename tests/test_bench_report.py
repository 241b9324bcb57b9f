"""The benchmark's verdicts on issue 20's targets: each judged at the scale it names, from the
figures the bench records (no timing here: the figures are given, the verdict logic is tested)."""
from tests.bench import report


def _scale(anon_mb, ready_s, ours_ms, fts5_ms, ix_bytes, fts5_bytes, rate, open_cpu_ms, first_cpu_ms, p99):
    return {
        "index": {"stories_per_s": rate, "bytes": ix_bytes, "reused": False},
        "fts5_build": {"bytes": fts5_bytes},
        "inproc": {"ours": {"median_ms": ours_ms, "p95_ms": ours_ms * 2}, "fts5": {"median_ms": fts5_ms}},
        "open": {"mapped": {"open_ms": open_cpu_ms * 1.5, "open_cpu_ms": open_cpu_ms, "first_cpu_ms": first_cpu_ms}},
        "http": {"ready_s": ready_s, "worker_memory": [{"anon_mb": anon_mb / 2}, {"anon_mb": anon_mb}]},
        "hostile": {"p99_ms": p99},
    }


def _verdicts(scales):
    return {t["target"]: t["pass"] for t in report.scale_up_targets(scales)}


def test_ten_times_targets_judged_from_the_recorded_figures():
    good = _scale(anon_mb=140, ready_s=2.5, ours_ms=3, fts5_ms=10, ix_bytes=240, fts5_bytes=100, rate=3100,
                  open_cpu_ms=400, first_cpu_ms=500, p99=250)
    v = _verdicts({"10": good})
    assert len(v) == 7 and all(v.values()), v
    bad = _scale(anon_mb=151, ready_s=5.1, ours_ms=5, fts5_ms=10, ix_bytes=300, fts5_bytes=100, rate=1500,
                 open_cpu_ms=600, first_cpu_ms=500, p99=301)
    v = _verdicts({"10": bad})
    assert not any(v.values()), v


def test_fifty_times_targets_need_the_fifty_times_run_and_compare_rates_with_ten():
    ten = _scale(140, 2.5, 3, 10, 240, 100, 2000, 400, 500, 250)
    assert not any(t["scale"] == 50 for t in report.scale_up_targets({"10": ten}))
    fifty = _scale(240, 2.5, 3, 10, 240, 100, 1700, 1000, 500, 250)    # rate 0.85 of 10x: within 20%
    v = {t["target"]: (t["pass"], t["value"]) for t in report.scale_up_targets({"10": ten, "50": fifty})
         if t["scale"] == 50}
    assert v["indexing rate within 20% of the 10x rate (issue 20)"] == (True, 0.85)
    assert v["worker anonymous memory <= 250 MB (issue 20)"] == (True, 240)
    fifty["index"]["stories_per_s"] = 1500                                # 0.75: more than 20% slower
    v = _verdicts({"10": ten, "50": fifty})
    assert v["indexing rate within 20% of the 10x rate (issue 20)"] is False


def test_a_scale_not_measured_gives_no_verdict():
    assert report.scale_up_targets({"1": _scale(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)}) == []
    partial = {"10": {"index": {"stories_per_s": 3500, "reused": False}}}
    v = {t["target"]: t["pass"] for t in report.scale_up_targets(partial)}
    assert v["indexing >= 3,000 stories/s on 2 idle cores (issue 20)"] is True
    assert v["serve answering <= 3 s after start (issue 20)"] is None
