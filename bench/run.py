"""imvdoc's benchmark: `make bench` (1,000 synthetic recipients) or `make bench-large`
(also 10,000). Prints one table; every figure is measured in this run on this machine.

    python bench/run.py [--large] [--n N]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from imvdoc.build import BuildPlan, Project, _letter_refs, build_draft, build_letters  # noqa: E402
from imvdoc.content import load_content  # noqa: E402


def project_copy(target: Path) -> Project:
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, target / name)
    return Project(target)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def synthetic(n: int, root: Path) -> dict:
    """A mailing to n synthetic gemeenten, built in a fresh process (for its peak RSS)."""
    project = project_copy(root)
    gemeenten = [{"cbs_code": f"GM{i:04d}", "naam": f"Voorbeeldgemeente {i:04d}",
                  "district": "Kennemerland",
                  "postadres": {"postbus": f"Postbus {i + 1}", "postcode": "2000 AA",
                                "plaats": "Voorbeeldplaats"}} for i in range(n)]
    (project.content_dir / "gemeenten.yaml").write_text(
        yaml.safe_dump({"gemeenten": gemeenten}, allow_unicode=True), "utf-8")
    for mailing in (project.content_dir / "mailings").glob("*.md"):
        if not mailing.name.startswith("2023-05-09"):
            mailing.unlink()
    shutil.rmtree(project.content_dir / "zienswijzen")  # they name the real gemeenten
    output = subprocess.run([sys.executable, __file__, "--build-only", str(root)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[-1])


def build_only(root: Path) -> None:
    seconds, summary = timed(build_letters, Project(root))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"letters": summary.letters, "seconds": seconds,
                      "rss_main_mb": own / 1024, "rss_child_mb": children / 1024}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="synthetic recipients")
    parser.add_argument("--large", action="store_true", help="also 10,000 recipients")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_only(args.build_only)
        return 0
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="imvdoc-bench-") as work:
        work = Path(work)
        project = project_copy(work / "project")
        content = load_content(project.content_dir)
        refs = _letter_refs(content, None, None)

        clean, summary = timed(build_letters, project)
        draft, _ = timed(build_draft, project)
        rows += [(f"clean build, {summary.letters} letters x 3 formats", f"{clean:.2f} s"),
                 ("clean build, concept IMV x 3 formats", f"{draft:.2f} s")]

        import reference
        ref_seconds, _ = timed(reference.make_letters, BuildPlan(project, content), refs,
                               work / "reference")
        rows += [(f"reference script, same {len(refs)} letters", f"{ref_seconds:.2f} s"),
                 ("speed-up: reference / imvdoc", f"{ref_seconds / clean:.1f}x")]

        noops = [timed(build_letters, project) for _ in range(3)]
        noop, summary = sorted(noops, key=lambda run: run[0])[1]  # the median of three
        rows += [("no-op rebuild (nothing changed; median of 3)",
                  f"{noop * 1000:.0f} ms = {100 * noop / clean:.1f}% of clean "
                  f"({summary.built} built, {summary.up_to_date} up to date)")]

        cli_started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(project.root),
                        "--quiet", "letters"], check=True, capture_output=True)
        cli = time.perf_counter() - cli_started
        rows += [("no-op rebuild via the CLI, with Python start-up", f"{cli * 1000:.0f} ms")]

        gemeenten = project.content_dir / "gemeenten.yaml"
        gemeenten.write_text(gemeenten.read_text("utf-8").replace(
            "postbus: Postbus 511", "postbus: Postbus 512"), "utf-8")
        one, summary = timed(build_letters, project)
        rows += [("rebuild after one address changed",
                  f"{one:.2f} s ({summary.built} built, {summary.up_to_date} up to date)")]

        for n in [args.n] + ([10_000] if args.large else []):
            result = synthetic(n, work / f"synthetic-{n}")
            rate = result["letters"] / result["seconds"]
            rows += [(f"synthetic mailing, {n:,} recipients",
                      f"{result['seconds']:.1f} s, {rate:.1f} letters/s, peak RSS main "
                      f"{result['rss_main_mb']:.0f} MB, largest child "
                      f"{result['rss_child_mb']:.0f} MB")]
    width = max(len(label) for label, _ in rows)
    print(f"imvdoc benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {_machine()})")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 0


def _machine() -> str:
    import os
    import platform
    return f"{os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    raise SystemExit(main())
