"""Scaling of ``commentcare classify``: wall time and peak memory for 10k, 100k and 1M comments.

For each size a JSONL export of distinct synthetic comments is generated with
``benchmarks/make_big_export.py`` (not timed), then::

    /usr/bin/time -v commentcare classify FILE.jsonl -o OUT.csv --workers 2

is run and timed. Memory is reported three ways, because with ``--workers`` the run is a tree of
processes (the main process reading and writing, and the worker processes classifying):

* ``max RSS (time -v)``: GNU time's "Maximum resident set size", which is the peak of the
  *largest single process* of the tree, not of the tree;
* ``peak tree RSS``: the largest sum of VmRSS over the whole tree, sampled from /proc every
  ``--interval`` seconds (it counts pages shared between processes, such as libraries and
  copy-on-write memory, once per process, so it overstates);
* ``peak tree PSS``: the same with the proportional set size (/proc/PID/smaps_rollup), which
  splits shared pages between the processes sharing them: the best estimate of the memory the
  run really used. Sampling can miss a peak shorter than the interval.

Usage::

    python benchmarks/scaling.py [--sizes 10000,100000,1000000] [--workers 2] [--replies]
        [--workdir DIR] [--keep] [--json FILE]

Needs Linux (/proc) and GNU time (Debian/Ubuntu package ``time``); without /usr/bin/time the
wall time is still measured and the ``time -v`` column stays empty.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "make_big_export.py"
GNU_TIME = "/usr/bin/time"

TARGET_1M_SECONDS = 60.0
TARGET_PEAK_MB = 400.0


def provenance() -> dict[str, Any]:
    sys.path.insert(0, os.fspath(HERE))
    from throughput import provenance as throughput_provenance

    return throughput_provenance()


# -- the process tree ------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # the process ended while we looked
        # the command name may contain spaces and parentheses: fields start after the last ")"
        fields = stat[stat.rfind(b")") + 2 :].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (its own, not its children's)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14 and 15 of stat)


def tree(root: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, ()))
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _role(pid: int, root: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "spawn_main" in cmd or "forkserver" in cmd:
        return "worker"
    if pid == root and cmd.startswith(GNU_TIME):
        return "time"
    return "main"


def _loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants until stopped."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_processes = 0
        self.samples = 0
        #: pid -> [role, peak PSS in kB, CPU seconds last seen], to see where memory and time go
        self.per_process: dict[int, list[Any]] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = tree(self.root)
            rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
            psses = {p: _kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids}
            pss = sum(psses.values())
            for p, kb in psses.items():
                entry = self.per_process.setdefault(p, [_role(p, self.root), 0, 0.0])
                entry[1] = max(entry[1], kb)
                entry[2] = max(entry[2], _cpu_seconds(p))
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# -- one run -----------------------------------------------------------------------------------------------


def commentcare_command() -> list[str]:
    script = Path(sys.executable).parent / "commentcare"
    return [os.fspath(script)] if script.exists() else [sys.executable, "-m", "commentcare"]


def generate(path: Path, count: int, seed: int) -> float:
    if not GENERATOR.is_file():
        raise SystemExit(f"{GENERATOR} is missing: it generates the synthetic exports")
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, os.fspath(GENERATOR), os.fspath(path), "--count", str(count), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def _parse_time_v(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["max_rss_largest_process_kb"] = int(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["time_v_wall_s"] = secs
    for key, pattern in (
        ("user_s", r"User time \(seconds\): ([\d.]+)"),
        ("system_s", r"System time \(seconds\): ([\d.]+)"),
    ):
        m = re.search(pattern, text)
        if m:
            out[key] = float(m.group(1))
    return out


def run_one(
    path: Path, count: int, workers: int, replies: bool, workdir: Path, interval: float
) -> dict[str, Any]:
    out_csv = workdir / f"out-{count}.csv"
    summary = workdir / f"summary-{count}.json"
    time_file = workdir / f"time-{count}.txt"
    cmd = [
        *commentcare_command(),
        "classify",
        os.fspath(path),
        "-o",
        os.fspath(out_csv),
        "--workers",
        str(workers),
        "--summary",
        os.fspath(summary),
    ]
    if replies:
        cmd.append("--replies")
    have_time = os.access(GNU_TIME, os.X_OK)
    if have_time:
        cmd = [GNU_TIME, "-v", "-o", os.fspath(time_file), *cmd]
    load_before = _loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid, interval)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    if proc.returncode != 0:
        raise SystemExit(
            f"commentcare classify failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}"
        )
    res: dict[str, Any] = {
        "comments": count,
        "input_mb": round(path.stat().st_size / 1e6, 1),
        "wall_s": round(wall, 2),
        "comments_per_s": round(count / wall),
        "peak_tree_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "peak_tree_pss_mb": round(sampler.peak_pss_kb / 1024, 1),
        "peak_processes": sampler.peak_processes,
        "samples": sampler.samples,
        "peak_pss_mb_per_process": sorted(
            ([role, round(kb / 1024, 1)] for role, kb, _ in sampler.per_process.values()), key=lambda x: -x[1]
        ),
        # sampled, so up to one interval short of the truth at the end of each process
        "cpu_s_per_process": sorted(
            ([role, round(cpu, 1)] for role, _, cpu in sampler.per_process.values()), key=lambda x: -x[1]
        ),
        "loadavg_1min_before_after": [load_before, _loadavg()],
    }
    if have_time:
        tv = _parse_time_v(time_file.read_text())
        res.update(tv)
        if "user_s" in tv and "system_s" in tv:
            res["cpu_s"] = round(tv["user_s"] + tv["system_s"], 2)
        if "max_rss_largest_process_kb" in tv:
            res["max_rss_largest_process_mb"] = round(tv["max_rss_largest_process_kb"] / 1024, 1)
    s = json.loads(summary.read_text())
    res["classified"] = s["classified"]
    res["errors"] = s["errors"]
    res["labels"] = s["labels"]
    if s["classified"] != count:
        raise SystemExit(f"{path}: {s['classified']} classified, expected {count}")
    out_csv.unlink()
    return res


# -- report ------------------------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| comments | input | wall time | comments/s | CPU time (user+sys) | CPU µs per comment "
        "| max RSS, largest process (time -v) | peak RSS, whole tree | peak PSS, whole tree |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: r["comments"]):
        rss1 = f"{r['max_rss_largest_process_mb']:.0f} MB" if "max_rss_largest_process_mb" in r else "-"
        cpu = f"{r['cpu_s']:.1f} s" if "cpu_s" in r else "-"
        cpu_us = f"{1e6 * r['cpu_s'] / r['comments']:.0f}" if "cpu_s" in r else "-"
        lines.append(
            f"| {r['comments']:,} | {r['input_mb']:.0f} MB | {r['wall_s']:.1f} s | {r['comments_per_s']:,} "
            f"| {cpu} | {cpu_us} | {rss1} | {r['peak_tree_rss_mb']:.0f} MB "
            f"| {r['peak_tree_pss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    big = max(rows, key=lambda r: r["comments"])
    if big["comments"] >= 1_000_000:
        per_m = big["wall_s"] * 1_000_000 / big["comments"]
        ok = per_m <= TARGET_1M_SECONDS
        out.append(
            f"1M comments in ≤ {TARGET_1M_SECONDS:.0f} s: {big['wall_s']:.1f} s → {'met' if ok else 'NOT met'}"
        )
    peak = max(r["peak_tree_pss_mb"] for r in rows)
    peak_rss = max(r["peak_tree_rss_mb"] for r in rows)
    out.append(
        f"peak memory ≤ {TARGET_PEAK_MB:.0f} MB: whole-tree PSS {peak:.0f} MB → {'met' if peak <= TARGET_PEAK_MB else 'NOT met'}"
        f" (whole-tree RSS sum {peak_rss:.0f} MB → {'met' if peak_rss <= TARGET_PEAK_MB else 'NOT met'})"
    )
    if len(rows) > 1:
        ordered = sorted(rows, key=lambda r: r["comments"])
        steps = []
        for a, b in itertools.pairwise(ordered):
            us = 1e6 * (b["wall_s"] - a["wall_s"]) / (b["comments"] - a["comments"])
            steps.append(f"{a['comments']:,}→{b['comments']:,}: {us:.0f} µs")
        out.append(
            "marginal wall time per comment (the fixed start-up cost cancels out): " + "; ".join(steps)
        )
        if all("cpu_s" in r for r in ordered):
            cpu_steps = []
            for a, b in itertools.pairwise(ordered):
                us = 1e6 * (b["cpu_s"] - a["cpu_s"]) / (b["comments"] - a["comments"])
                cpu_steps.append(f"{a['comments']:,}→{b['comments']:,}: {us:.0f} µs")
            out.append(
                "marginal CPU time per comment (less sensitive to other load on the machine): "
                + "; ".join(cpu_steps)
            )
        small = ordered[0]
        ratio = (big["wall_s"] / big["comments"]) / (small["wall_s"] / small["comments"])
        out.append(
            f"time per comment, largest vs smallest run: {ratio:.2f}× (1.0 = perfectly linear; the small run "
            "carries the fixed start-up cost)"
        )
        mem = (
            big["peak_tree_pss_mb"] / small["peak_tree_pss_mb"] if small["peak_tree_pss_mb"] else float("nan")
        )
        out.append(
            f"peak PSS, largest vs smallest run: {mem:.2f}× for {big['comments'] // small['comments']}× the comments"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated comment counts")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--replies", action="store_true", help="classify with --replies (review and draft replies)"
    )
    p.add_argument("--workdir", help="where the exports and outputs go (default: a temporary directory)")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (an explicit --workdir is always kept, and its exports reused)",
    )
    p.add_argument("--interval", type=float, default=0.1, help="seconds between memory samples (default 0.1)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="cc-scaling-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not os.access(GNU_TIME, os.X_OK):
        print(f"note: {GNU_TIME} not found (apt-get install time); its column stays empty", file=sys.stderr)
    rows = []
    try:
        for n in sizes:
            path = workdir / f"comments-{n}.jsonl"
            if not path.is_file():
                secs = generate(path, n, args.seed)
                print(
                    f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {secs:.1f} s", flush=True
                )
            res = run_one(path, n, args.workers, args.replies, workdir, args.interval)
            print(
                f"{n:>9,} comments: {res['wall_s']:.1f} s (CPU {res.get('cpu_s', '-')} s), {res['comments_per_s']:,}/s, "
                f"peak tree PSS {res['peak_tree_pss_mb']:.0f} MB, RSS sum {res['peak_tree_rss_mb']:.0f} MB, "
                f"largest process {res.get('max_rss_largest_process_mb', '-')} MB; peak PSS per process "
                f"{res['peak_pss_mb_per_process']}; CPU s per process {res['cpu_s_per_process']}; "
                f"load average before/after {res['loadavg_1min_before_after']}",
                flush=True,
            )
            rows.append(res)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(
        f"`commentcare classify FILE.jsonl -o OUT.csv --workers {args.workers}{' --replies' if args.replies else ''}`:"
    )
    print()
    print(table(rows))
    print()
    for line in verdicts(rows):
        print(f"- {line}")
    prov = provenance()
    print(f"\ncommit {prov['git']}, model {prov['model_version']}, {os.cpu_count()} CPUs")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "workers": args.workers,
                    "replies": args.replies,
                    "nproc": os.cpu_count(),
                    **prov,
                    "runs": rows,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
