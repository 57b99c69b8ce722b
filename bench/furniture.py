"""What one more letter of a mailing costs where letters differ: reading its filled-in
headers and footers (imvdoc.look.read_furniture), and typst's compile of its PDF, for the
first letter a process compiles and for the next ones (another gemeente, the same body).

The letters are those of content/mailings/2023-05-09-stand-van-zaken.md for the shipped
gemeenten, made as the build makes them (render, job_for, Converter). Each run is a fresh
process (typst's cache lives as long as the process); every figure is a median, per
letter within a run, then over the runs; CPU time counts every thread of the process.

    python bench/furniture.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from imvdoc.build import BuildPlan, Project, job_for, render  # noqa: E402
from imvdoc.content import load_content  # noqa: E402
from imvdoc.convert import Converter, reading_copy  # noqa: E402
from imvdoc.documents import type_named  # noqa: E402
from imvdoc.look import read_furniture, read_look  # noqa: E402
from imvdoc.uptodate import Selection  # noqa: E402

MAILING = "2023-05-09-stand-van-zaken"
ROWS = [("furniture-first", "read_furniture, first letter (new Look)"),
        ("furniture-next", "read_furniture, next letters"),
        ("compile-first", "typst compile, first letter (new process)"),
        ("compile-next", "typst compile, next letters (another gemeente)"),
        ("compile-again", "typst compile, the same letter again")]


class Clock:
    """Wall and CPU seconds of what runs inside `with`."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def letters(root: Path):
    """The plan and the rendered letters of the mailing, in a copy of the project."""
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    project = Project(root)
    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"], [MAILING]))
    plan.prepare(documents)
    return plan, documents, [render(plan, document) for document in documents]


def one_run(folder: Path) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each row, in this process."""
    plan, documents, rendered = letters(folder)
    template = plan.word_template(type_named(documents[0].type_name).word_template)
    look = read_look(template.data)
    furniture = []
    for letter in rendered:
        with Clock() as clock:
            read_furniture(look, letter.parts)
        furniture.append(clock)

    docx = folder / "letter.docx"
    docx.write_bytes(reading_copy(rendered[0].data))
    compiles, calls = [], []
    with Converter(plan.project.templates_dir, plan.project.root, folder / "convert") as converter:
        compile_pdf = converter.compile_pdf

        def timed(*args):
            calls.append(args)
            with Clock() as clock:
                pdf = compile_pdf(*args)
            compiles.append(clock)
            return pdf

        converter.compile_pdf = timed
        jobs = [job_for(plan, document, docx, letter, letter.body_key)
                for document, letter in zip(documents, rendered)]
        results = converter.convert(jobs)
        assert all(result.ok for result in results), [r.error for r in results if not r.ok]
        timed(*calls[-1])

    def median(clocks) -> tuple[float, float]:
        return (statistics.median(c.wall for c in clocks),
                statistics.median(c.cpu for c in clocks))

    return {"letters": len(rendered),
            "furniture-first": median(furniture[:1]), "furniture-next": median(furniture[1:]),
            "compile-first": median(compiles[:1]), "compile-next": median(compiles[1:-1]),
            "compile-again": median(compiles[-1:])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs, each a new process")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        with tempfile.TemporaryDirectory(prefix="imvdoc-bench-furniture-") as folder:
            print(json.dumps(one_run(Path(folder))))
        return 0
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--one-run"], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(args.runs)]
    print(f"{runs[0]['letters']} letters of {MAILING}, per letter, median of {args.runs} "
          "runs (wall / CPU):")
    width = max(len(label) for _, label in ROWS)
    for key, label in ROWS:
        wall = statistics.median(run[key][0] for run in runs) * 1000
        cpu = statistics.median(run[key][1] for run in runs) * 1000
        print(f"  {label:<{width}}  {wall:6.1f} ms / {cpu:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
