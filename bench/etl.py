"""The ETL job on local Spark against the parser alone on the same cores, and Parquet vs JSON size.

    .venv/bin/python bench/etl.py                          # 1M lines, local[2], both methods
    .venv/bin/python bench/etl.py --lines 200000 --methods arrow

1. Generates ``--lines`` lines (:mod:`pexlogs.generate`, fixed seed) over two hours and lays them
   out as CloudWatch export objects: one gzip object per family and hour (the worst case for
   Spark: a gzip object is not splittable, so reading it is one task).
2. **Baseline**: the same lines parsed by ``pexlogs.parse_line`` on ``--cores`` processes
   (``multiprocessing``; lines handed over in chunks), timed.
3. **Job**: ``pexlogs etl --master local[<cores>]`` in a fresh process, once per parse method
   (``arrow`` = mapInArrow, ``rdd`` = mapPartitions); the job's own time (its summary's
   ``seconds``: read, parse, write, read-back) and the wall time including Spark's start.
   *Spark overhead* = baseline lines/s ÷ job lines/s − 1; also in CPU seconds (``rusage`` of the
   reaped process trees), which other load on the machine disturbs less than wall time.
4. **Size**: bytes of the Parquet written against the same records as JSON lines (what the 2019
   pipeline stored and Athena scanned), plain and gzipped.

Figures are printed (Markdown rows for ``docs/BENCHMARKS.md``); tests never assert on them.
The runs are interleaved with nothing else of ours, but other processes on the machine share the
cores: say so when quoting the figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pexlogs import parse_line  # noqa: E402
from pexlogs.generate import generate_lines  # noqa: E402

START = datetime(2026, 11, 27, 10, tzinfo=UTC)
HOURS = 2
CHUNK = 5000


def lay_out(raw: Path, lines: int, seed: int) -> list[tuple[str, str]]:
    """Write the export objects; return ``(family, raw line)`` of every line."""
    out: list[tuple[str, str]] = []
    writers: dict[Path, gzip.GzipFile] = {}
    for g in generate_lines(START, HOURS, seed=seed, lines_per_hour=lines / HOURS):
        prefix = raw / "exports" / g.family / g.event_time.strftime("%Y/%m/%d/%H")
        obj = prefix / "bench-task" / "stream" / "000000.gz"
        if obj not in writers:
            obj.parent.mkdir(parents=True, exist_ok=True)
            (prefix / "aws-logs-write-test").write_text("Permission Check Successful")
            writers[obj] = gzip.GzipFile(obj, "wb", compresslevel=6)
        stamp = g.event_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        writers[obj].write(f"{stamp} {g.line}\n".encode())
        out.append((g.family, g.line))
    for writer in writers.values():
        writer.close()
    return out


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> Counter[str]:
    return Counter(parse_line(line, family)["table"] for family, line in chunk)


def _json_chunk(chunk: Sequence[tuple[str, str]]) -> tuple[int, int]:
    text = "".join(
        json.dumps(parse_line(line, family), default=str, ensure_ascii=False) + "\n"
        for family, line in chunk
    ).encode()
    return len(text), len(gzip.compress(text, compresslevel=6))


def _chunks(items: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline(items: list[tuple[str, str]], cores: int) -> tuple[float, float, Counter[str]]:
    """Wall and CPU seconds for ``cores`` processes to parse every line."""
    cpu = _children_cpu()
    pool = multiprocessing.get_context("fork").Pool(cores)
    pool.map(_parse_chunk, [items[:100]] * cores)  # warm the workers (imports, registry)
    started = time.perf_counter()
    tables: Counter[str] = Counter()
    for counts in pool.imap_unordered(_parse_chunk, _chunks(items)):
        tables.update(counts)
    wall = time.perf_counter() - started
    pool.close()
    pool.join()  # reaped workers' CPU time shows in RUSAGE_CHILDREN
    return wall, _children_cpu() - cpu, tables


def json_bytes(items: list[tuple[str, str]], cores: int) -> tuple[int, int]:
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        sizes = pool.map(_json_chunk, _chunks(items))
    return sum(s[0] for s in sizes), sum(s[1] for s in sizes)


class TreeCpu:
    """CPU seconds of a process and all its descendants (the CLI, the JVM, Python workers),
    sampled from ``/proc`` every half second: the JVM is not reaped by the CLI, so ``rusage``
    cannot see it. A process living less than a sample interval is missed (Spark reuses its
    Python workers, so few are)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self._tree():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return float(sum(self.seen.values()))


def run_job(
    raw: Path, curated: Path, cores: int, method: str
) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (the JVM and its Python workers) and the job's summary."""
    shutil.rmtree(curated, ignore_errors=True)
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    end = START + timedelta(hours=HOURS)
    command = [
        str(Path(sys.executable).with_name("pexlogs")),
        "etl",
        f"--master=local[{cores}]",
        f"--raw-uri={raw}",
        f"--curated-uri={curated}",
        f"--start={START.isoformat()}",
        f"--end={end.isoformat()}",
        f"--parse-method={method}",
        "--json",
    ]
    started = time.perf_counter()
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        sampler = TreeCpu(process.pid)
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    cpu = sampler.stop()
    if process.returncode:
        sys.exit(f"pexlogs etl failed:\n{stderr[-3000:]}")
    return wall, cpu, dict(json.loads(stdout.strip().splitlines()[-1]))


def tree_bytes(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--methods", default="arrow,rdd", help="parse methods to time")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pexlogs-bench-etl"))
    args = parser.parse_args(argv)

    raw, curated = args.workdir / "raw", args.workdir / "curated"
    t0 = time.perf_counter()
    shutil.rmtree(args.workdir, ignore_errors=True)
    items = lay_out(raw, args.lines, args.seed)
    n = len(items)
    print(
        f"generated {n:,} lines, {tree_bytes(raw, '*.gz') / 1e6:.1f} MB gzip in "
        f"{time.perf_counter() - t0:.0f} s; {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )

    base_s, base_cpu, tables = baseline(items, args.cores)
    print(
        f"baseline: parse_line on {args.cores} processes: {base_s:.1f} s "
        f"({base_cpu:.0f} CPU s), {n / base_s:,.0f} lines/s",
        flush=True,
    )

    rows: list[str] = []
    parquet = 0
    for method in [m.strip() for m in args.methods.split(",") if m.strip()]:
        wall, cpu, summary = run_job(raw, curated, args.cores, method)
        job_s = float(summary["seconds"])  # type: ignore[arg-type]
        rows_written = summary["rows_written"]
        assert isinstance(rows_written, dict)
        assert sum(rows_written.values()) == n, "every line must be accounted for"
        assert Counter(rows_written) == tables, "the job routes lines as the parser does"
        parquet = tree_bytes(curated, "*.parquet")
        overhead = job_s / base_s - 1
        cpu_overhead = cpu / base_cpu - 1
        print(
            f"job ({method}): {job_s:.1f} s in the job, {wall:.1f} s wall with Spark's start, "
            f"{cpu:.0f} CPU s; {n / job_s:,.0f} lines/s; Spark overhead {overhead:+.0%} "
            f"(CPU {cpu_overhead:+.0%}); {summary['partitions']} partitions, "
            f"{len(rows_written)} tables",
            flush=True,
        )
        rows.append(
            f"| {method} | {n:,} | {job_s:.1f} | {wall:.1f} | {n / job_s:,.0f} | "
            f"{n / base_s:,.0f} | {overhead:+.0%} | {cpu:.0f} | {base_cpu:.0f} | "
            f"{cpu_overhead:+.0%} |"
        )

    plain, gzipped = json_bytes(items, args.cores)
    print(
        f"size: Parquet {parquet / 1e6:.1f} MB; JSON lines {plain / 1e6:.1f} MB "
        f"(ratio {parquet / plain:.3f}), gzipped JSON {gzipped / 1e6:.1f} MB "
        f"(ratio {parquet / gzipped:.2f})"
    )
    print(
        "\n| method | lines | job s | wall s | job lines/s | parser alone lines/s | overhead "
        "| job CPU s | parser CPU s | CPU overhead |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(
        f"\n| Parquet (zstd) | JSON lines | Parquet/JSON | gzipped JSON | Parquet/gzipped JSON |\n"
        f"|---:|---:|---:|---:|---:|\n| {parquet / 1e6:.1f} MB | {plain / 1e6:.1f} MB | "
        f"{parquet / plain:.3f} | {gzipped / 1e6:.1f} MB | {parquet / gzipped:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
