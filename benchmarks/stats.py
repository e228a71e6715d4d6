"""Timing helpers: run a callable many times, report median and p95 in milliseconds."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable


def timed(fn: Callable[[object], object], inputs: Iterable[object], warmup: int = 50) -> dict:
    """As `timeit` does, the garbage collector is off while samples are taken (a collection
    landing in one call would be measured as that call's cost) and runs between the runs."""
    inputs = list(inputs)
    for item in inputs[:warmup]:
        fn(item)
    samples = []
    gc.collect()
    gc.disable()
    try:
        for item in inputs:
            start = time.perf_counter()
            fn(item)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        gc.enable()
    samples.sort()
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 4),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 4),
        "mean_ms": round(statistics.fmean(samples), 4),
        "max_ms": round(samples[-1], 4),
    }
