"""The archive of what was sent: verzonden/, outside build/, so that a sent letter stays
as it was sent.

For every message the mail server accepted, sending keeps what went out (the letter's
PDF, its DOCX when the mailing sends it along, the bijlagen, and bericht.eml as it was
handed to the server) and the letter's other files as they were made with it (its DOCX
and HTML), in verzonden/<mailing>/<cbs_code>-<gemeente>/. verzonden/<mailing>/manifest.json
lists per letter every file with its SHA-256, the key the letter was made with (in its
parts: content, templates, code; see BuildPlan.key_parts) and when it was sent.

An archive is the folder verzonden/ beside its send log; the build reads the project's
own (beside verzendlog.sqlite). It takes a letter it finds there from the archive instead
of making it again, and warns when the content or the templates would now give another
letter: a correction is a new mailing.

This module imports little, so that `imvdoc.uptodate` can ask it which files to watch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imvdoc.errors import ArchiveError, Problem, display_path
from imvdoc.manifest import entry_for
from imvdoc.outputs import FORMATS, write_atomic

if TYPE_CHECKING:
    from imvdoc.build import BuildPlan, Summary
    from imvdoc.documents import Document

ARCHIVE_FOLDER = "verzonden"
MANIFEST = "manifest.json"
MESSAGE = "bericht.eml"
# The parts of a key that say the letter would now be different. A new imvdoc or library
# version ('code') changes every key without a change the user made: it is not reported.
REPORTED_PARTS = {"inhoud": "de inhoud (tekst of gegevens)", "sjablonen": "de sjablonen"}


@dataclass(frozen=True)
class ArchivedFile:
    """One file of a sent letter, in its folder in the archive."""

    name: str
    sha256: str
    size: int
    attached: bool
    """Whether it went out with the message (bericht.eml, the message itself, included)."""


@dataclass
class SentLetter:
    """One letter as it was sent: what it is, when it went, and its files in the archive."""

    document: str
    """Its Document.ref: 'brief/<mailing>/<cbs_code>'."""
    mailing: str
    cbs_code: str
    gemeente: str
    folder: Path
    sent: str
    """When the server accepted it: an ISO timestamp, as in the send log."""
    message_id: str
    key: str
    """The key the letter's files were made with (Document.key)."""
    key_parts: dict[str, str]
    outputs: dict[str, str]
    """Per format (docx, pdf, html), the name of the letter's file as the build made it."""
    files: list[ArchivedFile] = field(default_factory=list)

    def file(self, name: str) -> ArchivedFile:
        return next(f for f in self.files if f.name == name)

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "cbs_code": self.cbs_code, "gemeente": self.gemeente,
                "map": self.folder.name, "verzonden": self.sent, "message_id": self.message_id,
                "sleutel": self.key, "sleutel_delen": self.key_parts, "brief": self.outputs,
                "bestanden": [{"bestand": f.name, "sha256": f.sha256, "grootte": f.size,
                               "meegestuurd": f.attached} for f in self.files]}

    @classmethod
    def from_json(cls, data: dict[str, Any], mailing_folder: Path) -> SentLetter:
        return cls(document=data["document"], mailing=mailing_folder.name,
                   cbs_code=data["cbs_code"], gemeente=data["gemeente"],
                   folder=mailing_folder / data["map"], sent=data["verzonden"],
                   message_id=data["message_id"], key=data["sleutel"],
                   key_parts=dict(data["sleutel_delen"]), outputs=dict(data["brief"]),
                   files=[ArchivedFile(f["bestand"], f["sha256"], f["grootte"], f["meegestuurd"])
                          for f in data["bestanden"]])


def manifests(folder: Path) -> list[Path]:
    """The manifests of an archive, one per mailing."""
    return sorted(folder.glob(f"*/{MANIFEST}"))


class Archive:
    """An archive of sent letters: `folder`/<mailing>/<cbs_code>-<gemeente>/ and a
    manifest per mailing. Messages name its files relative to `root`."""

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root

    @classmethod
    def of_project(cls, root: Path) -> Archive:
        """The archive the build takes sent letters from: verzonden/ in the project."""
        return cls(root / ARCHIVE_FOLDER, root)

    @classmethod
    def beside(cls, log_path: Path, root: Path) -> Archive:
        """The archive of a send log: verzonden/ in the log's folder (for the project's
        own log, the project's archive; a rehearsal with its own log has its own)."""
        return cls(log_path.resolve().parent / ARCHIVE_FOLDER, root)

    def letters(self) -> dict[str, SentLetter]:
        """Every letter in the archive, by its document's ref."""
        letters, problems = {}, []
        for path in manifests(self.folder):
            try:
                for data in json.loads(path.read_text("utf-8"))["brieven"]:
                    letter = SentLetter.from_json(data, path.parent)
                    letters[letter.document] = letter
            except (OSError, ValueError, KeyError, TypeError) as error:
                problems.append(Problem(display_path(path, self.root), "het archief van deze "
                                        f"verzonden brief is onleesbaar ({type(error).__name__}: "
                                        f"{error}); zet het terug uit git"))
        if problems:
            raise ArchiveError(problems)
        return letters

    def keep(self, letter: Document, gemeente: str, attached: list[Path],
             outputs: dict[str, Path], message: bytes, message_id: str,
             sent: str) -> SentLetter:
        """Keep a letter the server accepted: the files that went with its message, the
        message itself, and the letter's files (`outputs`, per format) that did not go;
        then list them in the mailing's manifest."""
        mailing_folder = self.folder / letter.group
        kept = SentLetter(document=letter.ref, mailing=letter.group, cbs_code=letter.gemeente,
                          gemeente=gemeente, folder=mailing_folder / letter.stem, sent=sent,
                          message_id=message_id, key=letter.key, key_parts=letter.key_parts,
                          outputs={fmt: path.name for fmt, path in outputs.items()})
        names = {path.name for path in attached}
        sources = [(path.name, path.read_bytes(), True) for path in attached]
        sources += [(path.name, path.read_bytes(), False) for path in outputs.values()
                    if path.name not in names]
        for name, data, went in [*sources, (MESSAGE, message, True)]:
            write_atomic(kept.folder / name, data)
            kept.files.append(ArchivedFile(name, _sha256(data), len(data), went))
        path = mailing_folder / MANIFEST
        others = [data for data in _read_manifest(path) if data["document"] != letter.ref]
        entries = sorted([*others, kept.to_json()], key=lambda data: data["cbs_code"])
        write_atomic(path, json.dumps({"mailing": letter.group, "brieven": entries}, indent=1,
                                      ensure_ascii=False) + "\n")
        return kept

    def problems(self, letter: SentLetter) -> list[Problem]:
        """What is wrong with a letter's files in the archive: each of its formats must
        be there, as the manifest lists it."""
        manifest = display_path(letter.folder.parent / MANIFEST, self.root)
        problems = []
        for fmt in FORMATS:
            name = letter.outputs.get(fmt)
            archived = next((f for f in letter.files if f.name == name), None)
            if archived is None:
                problems.append(Problem(manifest, f"{letter.document}: het {fmt.upper()}-bestand "
                                        "van deze brief staat niet in het manifest"))
                continue
            path = letter.folder / name
            try:
                data = path.read_bytes()
            except OSError:
                problems.append(Problem(display_path(path, self.root), "ontbreekt in het archief "
                                        "van de verzonden brieven; zet het terug uit git"))
                continue
            if _sha256(data) != archived.sha256:
                problems.append(Problem(display_path(path, self.root), "is gewijzigd sinds het is "
                                        f"verzonden (de SHA-256 wijkt af van {manifest}); zet "
                                        "het terug uit git: wat verzonden is, blijft zoals het "
                                        "is verzonden"))
        return problems


def _read_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        return json.loads(path.read_text("utf-8"))["brieven"]
    except FileNotFoundError:
        return []


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Taken:
    """What a build took from the archive: the documents it still has to make, how many
    of each type were sent, and what differs from what was sent."""

    unsent: list[Document]
    sent: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add_to(self, summary: Summary) -> Summary:
        """The build's summary with the documents taken as sent counted in."""
        from imvdoc.build import Counts

        for type_name, count in self.sent.items():
            counts = summary.counts.setdefault(type_name, Counts())
            counts.documents += count
            counts.sent += count
        summary.warnings[:0] = self.warnings
        return summary


def take_sent(plan: BuildPlan, documents: list[Document]) -> Taken:
    """Take every document that was sent from the archive, as it was sent: its files are
    copied into build/ when they are missing or differ there, and listed in the manifest
    with the key they were made with, which becomes the document's key. Nothing is
    copied unless every archived file is as its manifest lists it."""
    archive = Archive.of_project(plan.project.root)
    letters = archive.letters()
    sent = [(document, letters[document.ref]) for document in documents
            if document.ref in letters]
    if not sent:
        return Taken(documents)
    problems = [problem for _document, letter in sent for problem in archive.problems(letter)]
    if problems:
        raise ArchiveError(problems)
    taken = Taken([d for d in documents if d.ref not in letters])
    taken.warnings = _changed(archive, sent)
    for document, letter in sent:
        _into_build(plan, document, letter)
        document.key, document.key_parts = letter.key, letter.key_parts
        taken.sent[document.type_name] = taken.sent.get(document.type_name, 0) + 1
    return taken


def _into_build(plan: BuildPlan, document: Document, letter: SentLetter) -> None:
    """A sent letter's files in build/, as the archive has them."""
    for fmt, path in plan.paths(document).items():
        archived = letter.file(letter.outputs[fmt])
        entry = plan.manifest.entries.get(plan.manifest.name(path))
        if (entry and entry["sha256"] == archived.sha256
                and plan.manifest.up_to_date([path], letter.key)):
            continue  # the copy in build/ is the archived file, untouched since
        data = (letter.folder / archived.name).read_bytes()
        if not path.is_file() or _sha256(path.read_bytes()) != archived.sha256:
            write_atomic(path, data)
        plan.manifest.entries[plan.manifest.name(path)] = entry_for(
            path, data, letter.key, plan.inputs(document), document.ref)


def _changed(archive: Archive, sent: list[tuple[Document, SentLetter]]) -> list[str]:
    """A warning per mailing of which the content or the templates would now give other
    letters than the ones sent: which, to whom they went and when."""
    from imvdoc.templating import dutch_date, dutch_day

    changed: dict[str, dict[str, list[str]]] = {}  # mailing -> day -> gemeenten
    parts: dict[str, set[str]] = {}
    for document, letter in sent:
        differ = {part for part in REPORTED_PARTS
                  if document.key_parts.get(part) != letter.key_parts.get(part)}
        if differ:
            day = dutch_date(dutch_day(letter.sent))
            changed.setdefault(letter.mailing, {}).setdefault(day, []).append(letter.gemeente)
            parts.setdefault(letter.mailing, set()).update(differ)
    warnings = []
    for mailing, days in changed.items():
        when = " en ".join(f"op {day} aan {_listed(names)}" for day, names in days.items())
        what = [REPORTED_PARTS[part] for part in REPORTED_PARTS if part in parts[mailing]]
        verb = "geeft" if what == [REPORTED_PARTS["inhoud"]] else "geven"
        place = display_path(archive.folder / mailing / MANIFEST, archive.root)
        warnings.append(f"{place}: brief {mailing} is verzonden {when}; {' en '.join(what)} "
                        f"{verb} nu een andere brief dan toen. Wat verzonden is, blijft zoals het "
                        "is verzonden; een correctie is een nieuwe brief (een nieuw bestand in "
                        "content/mailings/)")
    return warnings


def _listed(names: list[str]) -> str:
    """'Alkmaar, Haarlem en Velsen'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
