"""The register of the consultation round: per gemeente, when it was invited, until when
it could respond, what came back and whether in time.

The reactienota and the adoption letter build on `register` and `totals`; `imvdoc
zienswijzen` shows them, and writes the register as CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

from imvdoc.content import OORDELEN, Content, Gemeente, Raadszienswijze, Ronde
from imvdoc.errors import ContentError, Problem, display_path
from imvdoc.outputs import write_csv
from imvdoc.templating import dutch_day

Termijn = Literal["op-tijd", "te-laat", "geen-reactie"]
TERMIJNEN: dict[str, str] = {"op-tijd": "op tijd", "te-laat": "te laat",
                             "geen-reactie": "geen reactie"}
"""Whether a response came in time, and how that reads."""
SENT = "verzonden"  # the send log's status of a message the server accepted


@dataclass(frozen=True)
class RegisterRow:
    """One gemeente in the register."""

    gemeente: Gemeente
    uitgenodigd: dt.date | None
    """The day it was invited: from the send log, else the invitation's date; None when
    the invitation did not go to it."""
    uitgenodigd_volgens: Literal["verzendlog", "briefdatum", ""]
    """Where `uitgenodigd` comes from: the send log or the letter's date."""
    uiterlijk: dt.date
    """Its last day for a zienswijze."""
    zienswijze: Raadszienswijze | None
    """Its response, if one is registered."""

    @property
    def district(self) -> str:
        return self.gemeente.district

    @property
    def ontvangen(self) -> dt.date | None:
        return self.zienswijze.meta.ontvangen if self.zienswijze else None

    @property
    def oordeel(self) -> str | None:
        """positief, positief-met-opmerkingen, negatief, geen-zienswijze; None without
        a response."""
        return self.zienswijze.meta.oordeel if self.zienswijze else None

    @property
    def termijn(self) -> Termijn:
        if self.zienswijze is None:
            return "geen-reactie"
        return "op-tijd" if self.zienswijze.meta.ontvangen <= self.uiterlijk else "te-laat"

    @property
    def punten(self) -> int:
        return len(self.zienswijze.meta.punten) if self.zienswijze else 0


@dataclass(frozen=True)
class Totaal:
    """Counts over a group of register rows: a district, or all of them."""

    naam: str
    gemeenten: int
    oordelen: dict[str, int] = field(default_factory=dict)
    """Per oordeel (every key of OORDELEN), how many gave it."""
    geen_reactie: int = 0
    te_laat: int = 0
    punten: int = 0


def ronde_of(content: Content) -> Ronde:
    """The consultation round, or a ContentError saying there is none."""
    if content.ronde is None:
        path = display_path(content.root / "zienswijzen" / "ronde.yaml", content.root.parent)
        raise ContentError([Problem(path, "bestand ontbreekt: zonder consultatieronde is er "
                                          "geen register van zienswijzen")])
    return content.ronde


def register(content: Content, sent: Mapping[str, dt.date] | None = None) -> list[RegisterRow]:
    """Every gemeente, grouped by district (districts and gemeenten in the order of
    gemeenten.yaml). `sent`: per CBS code the day the send log shows the invitation was
    sent (see `sent_on`); a gemeente not in it counts as invited on the letter's date."""
    ronde = ronde_of(content)
    sent = sent or {}
    invited = {g.cbs_code for g in content.recipients(ronde.uitnodiging)}
    rows = []
    for gemeente in content.gemeenten:
        code = gemeente.cbs_code
        if code not in invited:
            day, source = None, ""
        elif code in sent:
            day, source = sent[code], "verzendlog"
        else:
            day, source = ronde.uitnodiging.meta.datum, "briefdatum"
        rows.append(RegisterRow(gemeente, day, source, ronde.uiterlijk(code),
                                ronde.zienswijze(code)))
    districts = list(dict.fromkeys(g.district for g in content.gemeenten))
    return sorted(rows, key=lambda row: districts.index(row.district))


def sent_on(log_path: Path, mailing_id: str) -> dict[str, dt.date]:
    """Per CBS code, the day (Dutch time) the send log records the mailing as sent to
    it; empty when there is no log."""
    if not log_path.exists():
        return {}
    from imvdoc.distribute import SendLog  # the send log lives with sending

    log = SendLog(log_path)
    try:
        rows = log.rows(mailing_id)
    finally:
        log.close()
    return {row[0]: dutch_day(row[7]) for row in rows  # cbs_code, status, ..., tijd (8th)
            if row[1] == SENT and row[7]}


def totals(rows: list[RegisterRow]) -> list[Totaal]:
    """Counts per district, in the order of the rows, and for all: the last one."""
    groups: dict[str, list[RegisterRow]] = {}
    for row in rows:
        groups.setdefault(row.district, []).append(row)
    return [_count(name, group) for name, group in groups.items()] + [_count("Totaal", rows)]


def _count(name: str, rows: list[RegisterRow]) -> Totaal:
    oordelen = {oordeel: sum(1 for r in rows if r.oordeel == oordeel) for oordeel in OORDELEN}
    return Totaal(name, len(rows), oordelen,
                  geen_reactie=sum(1 for r in rows if r.termijn == "geen-reactie"),
                  te_laat=sum(1 for r in rows if r.termijn == "te-laat"),
                  punten=sum(r.punten for r in rows))


# How the register reads, on screen and in the CSV: one list of columns for both.
COLUMNS = ["District", "CBS-code", "Gemeente", "Uitgenodigd", "Volgens",
           "Uiterlijk", "Ontvangen", "Oordeel", "Termijn", "Punten"]
DATE_COLUMNS = ("Uitgenodigd", "Uiterlijk", "Ontvangen")
TOTAL_COLUMNS = ["District", "Gemeenten", *(label.capitalize() for label in OORDELEN.values()),
                 "Geen reactie", "Te laat", "Punten"]


def row_values(row: RegisterRow) -> list[str]:
    """A register row as text, in the order of COLUMNS (dates as JJJJ-MM-DD)."""
    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    return [row.district, row.gemeente.cbs_code, row.gemeente.naam,
            day(row.uitgenodigd) or "niet uitgenodigd", row.uitgenodigd_volgens,
            day(row.uiterlijk), day(row.ontvangen), OORDELEN.get(row.oordeel, ""),
            TERMIJNEN[row.termijn], str(row.punten)]


def total_values(total: Totaal) -> list[str]:
    """A total as text, in the order of TOTAL_COLUMNS."""
    return [total.naam, str(total.gemeenten), *(str(n) for n in total.oordelen.values()),
            str(total.geen_reactie), str(total.te_laat), str(total.punten)]


def write_register_csv(rows: list[RegisterRow], path: Path) -> None:
    """The register as CSV: the columns of the screen, one row per gemeente."""
    write_csv(path, COLUMNS, [row_values(row) for row in rows])
