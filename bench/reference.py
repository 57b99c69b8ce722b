"""The reference script: what a user would write in an afternoon to make the letters.

For each letter, in turn: docxtpl renders the template file, one pandoc process writes
the HTML, one pandoc process writes the typst source, and typst compiles the PDF. It
uses the same contexts, templates and fonts as imvdoc, so both make the same letters.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import typst
from docxtpl import DocxTemplate

from imvdoc.build import BuildPlan
from imvdoc.convert import pandoc_path
from imvdoc.templating import make_environment


def make_letter(plan: BuildPlan, ref, out_dir: Path) -> None:
    document = plan.document(ref)
    templates = plan.project.templates_dir
    stem = out_dir / document.paths["docx"].stem
    template = DocxTemplate(str(templates / document.template))
    template.render(document.context, jinja_env=make_environment(autoescape=True),
                    autoescape=True)
    template.save(f"{stem}.docx")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as meta:
        json.dump(document.furniture, meta)
    for fmt, extension in (("html5", "html"), ("typst", "typ")):
        subprocess.run([pandoc_path(), f"{stem}.docx", "-f", "docx", "-t", fmt,
                        "--standalone", "--embed-resources", "--metadata-file", meta.name,
                        "--template", str(templates / f"{document.kind}.{extension}"),
                        "-o", f"{stem}.{extension}"], check=True, capture_output=True)
    Path(f"{stem}.pdf").write_bytes(typst.compile(
        f"{stem}.typ", font_paths=[str(templates / "fonts")], ignore_system_fonts=True,
        sys_inputs={"imvdoc": json.dumps(document.furniture)}, pdf_standards=["a-2a", "ua-1"],
    ))
    Path(meta.name).unlink()


def make_letters(plan: BuildPlan, refs, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for ref in refs:
        make_letter(plan, ref, out_dir)
