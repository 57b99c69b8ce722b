"""imvdoc's benchmark: `make bench` (1,000 synthetic recipients) or `make bench-large`
(also 10,000). Prints one table; every figure is measured in this run on this machine.

Each build runs in a fresh process; its peak memory is that of all its processes
together (the build, its workers and their pandoc processes), sampled from /proc. The
reference is bench/reference.py, the straightforward one-letter-at-a-time route; on the
synthetic mailings it is timed on their first 32 letters (it takes about a third of a
second a letter) and compared per letter.

    python bench/run.py [--large] [--n N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from imvdoc.build import BuildPlan, Project, build  # noqa: E402
from imvdoc.content import load_content  # noqa: E402
from imvdoc.uptodate import Selection  # noqa: E402

PERSONAL = REPO / "bench" / "persoonlijke-brief.md"
SHARED = "2023-05-09-stand-van-zaken"
REFERENCE_SAMPLE = 32


def project_copy(target: Path) -> Project:
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, target / name)
    return Project(target)


def with_mailing(root: Path, personal: bool, n: int | None = None) -> Project:
    """A project with one mailing: the shipped letter of 9 May 2023 (one body for all)
    or its personal variant (a body that differs per gemeente); to the 32 gemeenten, or
    to n synthetic ones."""
    project = project_copy(root)
    shutil.rmtree(project.content_dir / "zienswijzen")  # the round names other mailings
    mailings = project.content_dir / "mailings"
    for mailing in mailings.glob("*.md"):
        if personal or mailing.stem != SHARED:
            mailing.unlink()
    if personal:
        shutil.copy(PERSONAL, mailings / "persoonlijk.md")
    if n is not None:
        districts = ("Noord-Holland Noord", "Zaanstreek-Waterland", "Kennemerland")
        gemeenten = [{"cbs_code": f"GM{i:04d}", "naam": f"Voorbeeldgemeente {i:04d}",
                      "district": districts[i % 3],
                      "postadres": {"postbus": f"Postbus {i + 1}", "postcode": "2000 AA",
                                    "plaats": f"Voorbeeldplaats {i % 97}"}} for i in range(n)]
        (project.content_dir / "gemeenten.yaml").write_text(
            yaml.safe_dump({"gemeenten": gemeenten}, allow_unicode=True), "utf-8")
    return project


class PeakMemory:
    """The peak of the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, index = [self.pid], 0
        while index < len(pids):
            try:
                for task in os.listdir(f"/proc/{pids[index]}/task"):
                    with open(f"/proc/{pids[index]}/task/{task}/children") as handle:
                        pids += [int(p) for p in handle.read().split()]
            except OSError:
                pass
            index += 1
        return pids

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status") as handle:
                        for line in handle:
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1])
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.02)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 1024


def measured_build(project: Project, workers: int | None, types: list[str] | None = None) -> dict:
    """A clean build in a fresh process: seconds, documents built, peak MB of all its
    processes together."""
    shutil.rmtree(project.build_dir, ignore_errors=True)
    command = [sys.executable, __file__, "--build-only", str(project.root),
               "--workers", str(workers or 0), *(["--types", *types] if types else [])]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    output, _ = process.communicate()
    peak = memory.stop()
    if process.returncode:
        raise SystemExit(f"build failed: {command}")
    result = json.loads(output.splitlines()[-1])
    return {**result, "peak_mb": peak}


def build_only(root: Path, workers: int, types: list[str] | None) -> None:
    started = time.perf_counter()
    summary = build(Project(root), Selection(types), workers=workers or None)
    letters = summary.counts["brief"].documents if "brief" in summary.counts else 0
    print(json.dumps({"seconds": time.perf_counter() - started, "built": summary.built,
                      "letters": letters}))


def reference_rate(project: Project, sample: int, work: Path) -> tuple[float, int]:
    """Seconds per letter of the straightforward route, on the first `sample` letters."""
    import reference

    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"]))[:sample]
    plan.prepare(documents)
    started = time.perf_counter()
    reference.make_documents(plan, documents, work)
    return (time.perf_counter() - started) / len(documents), len(documents)


def cli_noop(project: Project, runs: int) -> list[float]:
    script = Path(sys.executable).with_name("imvdoc")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "imvdoc"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "--project", str(project.root), "--quiet", "letters"],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="synthetic recipients")
    parser.add_argument("--large", action="store_true", help="also 10,000 recipients")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--types", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_only(args.build_only, args.workers, args.types)
        return 0
    cores = os.cpu_count() or 1
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="imvdoc-bench-") as work:
        work = Path(work)

        # The shipped content: every document, then the same letters the straightforward way.
        shipped = project_copy(work / "shipped")
        clean = measured_build(shipped, None)
        letters = clean["letters"]
        rows.append((f"clean build, shipped content ({clean['built']} documents x 3 formats)",
                     f"{clean['seconds']:.2f} s, peak {clean['peak_mb']:.0f} MB all processes"))

        # Shared and personal bodies, 32 letters, one worker and all cores, vs the reference.
        for personal in (False, True):
            kind = "personal" if personal else "shared"
            project = with_mailing(work / kind, personal)
            per_letter, _ = reference_rate(project, REFERENCE_SAMPLE, work / f"ref-{kind}")
            for workers in (1, cores):
                result = measured_build(project, workers, ["brief"])
                reference_seconds = per_letter * result["built"]
                rows.append((f"{kind} bodies, {result['built']} letters, {workers} worker(s)",
                             f"{result['seconds']:.2f} s vs reference {reference_seconds:.2f} s"
                             f" = {reference_seconds / result['seconds']:.1f}x faster, peak "
                             f"{result['peak_mb']:.0f} MB"))

        # No-op: in-process (median of 3) and through the command line (median of 5).
        build(shipped)
        noops = []
        for _ in range(3):
            started = time.perf_counter()
            summary = build(shipped)
            noops.append(time.perf_counter() - started)
        noop = statistics.median(noops)
        rows.append(("no-op rebuild in-process (median of 3)",
                     f"{noop * 1000:.0f} ms = {100 * noop / clean['seconds']:.1f}% of clean "
                     f"({summary.built} built, {summary.up_to_date} up to date)"))
        build(shipped, Selection(["brief"]))
        times = cli_noop(shipped, 5)
        rows.append(("no-op `imvdoc letters` via the CLI, Python start-up included",
                     f"median of 5 {statistics.median(times) * 1000:.0f} ms "
                     f"(max {max(times) * 1000:.0f} ms)"))

        # One address changed.
        gemeenten = shipped.content_dir / "gemeenten.yaml"
        gemeenten.write_text(gemeenten.read_text("utf-8").replace(
            "postbus: Postbus 511", "postbus: Postbus 512"), "utf-8")
        started = time.perf_counter()
        summary = build(shipped)
        rows.append(("rebuild after one address changed",
                     f"{time.perf_counter() - started:.2f} s ({summary.built} built, "
                     f"{summary.up_to_date} up to date; of {letters} letters)"))

        # Synthetic mailings: personal bodies (the hard case) and shared bodies.
        rates = {}
        for n in [args.n] + ([10_000] if args.large else []):
            for personal in (True, False):
                kind = "personal" if personal else "shared"
                project = with_mailing(work / f"{kind}-{n}", personal, n)
                per_letter, sample = reference_rate(project, REFERENCE_SAMPLE,
                                                    work / f"ref-{kind}-{n}")
                for workers in ((1, cores) if n <= 1000 else (cores,)):
                    result = measured_build(project, workers, ["brief"])
                    rate = result["built"] / result["seconds"]
                    rates[kind, n, workers] = rate
                    rows.append((
                        f"synthetic {kind} mailing, {n:,} letters, {workers} worker(s)",
                        f"{result['seconds']:.1f} s, {rate:.1f} letters/s, reference "
                        f"{1 / per_letter:.1f} letters/s (first {sample}) = "
                        f"{rate * per_letter:.1f}x, peak {result['peak_mb']:.0f} MB"))
                shutil.rmtree(project.root)
        if args.large:
            for kind in ("personal", "shared"):
                ratio = rates[kind, 10_000, cores] / rates[kind, args.n, cores]
                rows.append((f"{kind}: rate at 10,000 / rate at {args.n:,}", f"{ratio:.0%}"))
    width = max(len(label) for label, _ in rows)
    print(f"imvdoc benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {_machine()})")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 0


def _machine() -> str:
    import platform
    return f"{os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    raise SystemExit(main())
