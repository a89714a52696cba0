"""Generator throughput: `pexlogs.generate.generate_lines` against a floor, in the same process.

    .venv/bin/python bench/generate.py                        # 1,000,000 lines (one hour)
    .venv/bin/python bench/generate.py --lines-per-hour 200000 --repeat 3

Reports lines/s and MB/s (UTF-8 bytes of the lines) of generating one hour at the given rate,
streamed and discarded. The **floor** is the least work any generator of such lines must do: as
many lines of the same average length built with one f-string each from a counter and a cached
timestamp (no randomness, no structure). ``ratio`` = generator lines/s ÷ floor lines/s. A second
figure times :func:`pexlogs.generate.write_logs` to gzip files (what a benchmark input costs).
Times are CPU time of this process, so other load on the machine does not skew them.
Best of ``--repeat``; tests never assert on these numbers.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pexlogs.generate import generate_lines, write_logs  # noqa: E402

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def run_generator(rate: int) -> tuple[float, int, int]:
    t0 = time.process_time()
    n = size = 0
    for item in generate_lines(START, 1, seed=1, lines_per_hour=rate):
        n += 1
        size += len(item.line.encode())
    return time.process_time() - t0, n, size


def run_floor(n: int, avg_len: int) -> float:
    pad = "x" * max(0, avg_len - 60)
    t0 = time.process_time()
    stamp = "2026-01-05T09:00:00"
    for i in range(n):
        line = f"{stamp}.{i % 1000:03d}+00:00 pexconf01 {i} {pad}"
        line.encode()
    return time.process_time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines-per-hour", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    best_gen = best_floor = float("inf")
    n = size = 0
    for _ in range(args.repeat):
        seconds, n, size = run_generator(args.lines_per_hour)
        best_gen = min(best_gen, seconds)
        best_floor = min(best_floor, run_floor(n, size // max(1, n)))
    with tempfile.TemporaryDirectory() as tmp:
        t0, w0 = time.process_time(), time.perf_counter()
        write_logs(Path(tmp), START, 1, seed=1, lines_per_hour=args.lines_per_hour, compress=True)
        write_s, write_wall = time.process_time() - t0, time.perf_counter() - w0
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"lines generated: {n:,} ({size / 1e6:,.1f} MB, {size / max(1, n):.0f} bytes/line)")
    print("| what | lines/s | MB/s | ratio to floor |")
    print("|---|---:|---:|---:|")
    print(
        f"| generate_lines (CPU) | {n / best_gen:,.0f} | {size / 1e6 / best_gen:,.1f} | {best_floor / best_gen:.2f} |"
    )
    print(f"| floor (CPU) | {n / best_floor:,.0f} | {size / 1e6 / best_floor:,.1f} | 1.00 |")
    print(f"| write_logs to .gz (CPU) | {n / write_s:,.0f} | {size / 1e6 / write_s:,.1f} | |")
    print(
        f"one hour at {args.lines_per_hour:,} lines/hour takes {best_gen:.1f} s to generate, {write_s:.1f} s CPU ({write_wall:.1f} s wall) to write gzipped"
    )


if __name__ == "__main__":
    main()
