"""Timing helpers: run a callable many times, report median and p95 in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable


def timed(fn: Callable[[object], object], inputs: Iterable[object], warmup: int = 50) -> dict:
    inputs = list(inputs)
    for item in inputs[:warmup]:
        fn(item)
    samples = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 4),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 4),
        "mean_ms": round(statistics.fmean(samples), 4),
        "max_ms": round(samples[-1], 4),
    }
