"""What one more letter of a mailing costs where letters differ: reading its filled-in
headers and footers (imvdoc.look.read_furniture), and typst's compile of its PDF, for the
first letter a compiler sees and for the next ones (another gemeente, the same body).

The letters are those of content/mailings/2023-05-09-stand-van-zaken.md for the shipped
gemeenten, made as the build makes them (render, job_for, Converter). Every figure is a
median: per letter within a run, then over the runs (each run with a fresh Look and a
fresh Converter, as a worker process has).

    python bench/furniture.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
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


def letters(root: Path):
    """The plan and the rendered letters of the mailing, in a copy of the project."""
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    project = Project(root)
    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"], [MAILING]))
    plan.prepare(documents)
    return plan, documents, [render(plan, document) for document in documents]


def furniture_run(plan: BuildPlan, documents, rendered) -> tuple[float, float]:
    """Seconds of read_furniture for the first letter (a fresh Look) and the median of
    the others."""
    template = plan.word_template(type_named(documents[0].type_name).word_template)
    look = read_look(template.data)
    times = []
    for letter in rendered:
        started = time.perf_counter()
        read_furniture(look, letter.parts)
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def compile_run(plan: BuildPlan, documents, rendered, work: Path) -> dict[str, float]:
    """Seconds of typst's compile: the first letter, the median of the next ones, and
    the last one compiled again (what typst's memoization leaves when nothing differs)."""
    work.mkdir()
    docx = work / "letter.docx"
    docx.write_bytes(reading_copy(rendered[0].data))
    with Converter(plan.project.templates_dir, plan.project.root, work / "convert") as converter:
        times, calls = [], []
        compile_pdf = converter.compile_pdf

        def timed(*args):
            calls.append(args)
            started = time.perf_counter()
            pdf = compile_pdf(*args)
            times.append(time.perf_counter() - started)
            return pdf

        converter.compile_pdf = timed
        jobs = [job_for(plan, document, docx, letter, letter.body_key)
                for document, letter in zip(documents, rendered)]
        results = converter.convert(jobs)
        assert all(result.ok for result in results), [r.error for r in results if not r.ok]
        timed(*calls[-1])
    return {"first": times[0], "next": statistics.median(times[1:-1]), "again": times[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs (fresh Look, fresh compiler)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imvdoc-bench-furniture-") as folder:
        plan, documents, rendered = letters(Path(folder))
        furniture = [furniture_run(plan, documents, rendered) for _ in range(args.runs)]
        compiles = [compile_run(plan, documents, rendered, Path(folder) / f"run-{index}")
                    for index in range(args.runs)]

    def ms(values) -> str:
        return f"{statistics.median(values) * 1000:.1f} ms"

    print(f"{len(rendered)} letters of {MAILING}, median of {args.runs} runs, per letter:")
    rows = [("read_furniture, first letter (fresh Look)", ms(f[0] for f in furniture)),
            ("read_furniture, next letters", ms(f[1] for f in furniture)),
            ("typst compile, first letter (fresh compiler)", ms(c["first"] for c in compiles)),
            ("typst compile, next letters (another gemeente)", ms(c["next"] for c in compiles)),
            ("typst compile, the same letter again", ms(c["again"] for c in compiles))]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
