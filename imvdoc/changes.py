"""Changes: one version of a text marked against an earlier one, as blocks whose runs
carry their revision (inserted, deleted), and which chapters and sections changed.

The versions are compared from coarse to fine: chapters first (a chapter about a theme
is matched by the theme's id, wherever it stands and whatever it is called now; another
by its heading, or by a similar heading in the same place), then the blocks of a chapter
(difflib on their text), then the words of a changed paragraph or table cell. A chapter,
section or block that only one version has is wholly inserted or wholly deleted; a
deleted chapter stays where it stood, after the chapter it followed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from imvdoc.markdown import Block, Revision, Run

# How alike two blocks must be (the share of the shorter one's words that the other
# keeps) to be shown as one changed block rather than one deleted and one inserted.
SIMILAR = 0.5
# An unchanged stretch between two changes of a paragraph that is at most this many
# characters (a space, 'en', 'de') is shown as part of the change around it.
_SMALL_ISLAND = 3


@dataclass(frozen=True)
class Compared:
    """One block of the marked text: the block of the old version and of the new one
    (None where that version does not have it), and the block with its changes marked."""

    old: Block | None
    new: Block | None
    marked: Block

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class SectionChange:
    """A chapter or section that changed, numbered as its version numbers it ('4',
    '4.2': see imvdoc.markdown.sections_of)."""

    nummer: str | None
    """Its number in the new version; None when it was deleted."""
    oud_nummer: str | None
    """Its number in the old version; None when it is new."""
    titel: str
    """Its heading in the new version (the old one's when it was deleted)."""
    oude_titel: str | None
    """Its heading in the old version, when that was different."""
    niveau: int
    """1 for a chapter, 2 for a section."""
    soort: str
    """'nieuw', 'vervallen' or 'gewijzigd' (its heading, its text or its number)."""
    tekst_gewijzigd: bool = False
    """Whether its own text (below its heading, before its first section) changed."""


def compare(old: Sequence[Block], new: Sequence[Block], *, author: str, date: dt.date,
            old_names: Mapping[str, str], new_names: Mapping[str, str]) -> list[Compared]:
    """The new version's blocks with every change against the old version marked, in
    the new version's order, with deleted blocks where they stood. `old_names` and
    `new_names` give the titles of the themes by their ids: a chapter whose heading
    names a theme is matched by that theme's id, and a theme's title is compared as one
    word (a renamed theme shows its old and its new title whole)."""
    marks = _Marks(Revision("ins", author, date), Revision("del", author, date),
                   [*old_names.values(), *new_names.values()])
    old_chapters, new_chapters = _chapters(old), _chapters(new)
    matches = _match_chapters([_chapter_key(c, old_names) for c in old_chapters],
                              [_chapter_key(c, new_names) for c in new_chapters],
                              [c[0].text if c else "" for c in old_chapters],
                              [c[0].text if c else "" for c in new_chapters])
    matched_old = set(matches.values())
    result: list[Compared] = []
    for j, chapter in enumerate(new_chapters):
        i = matches.get(j)
        if i is None:
            result += [marks.inserted(block) for block in chapter]
            continue
        result += _compare_chapter(old_chapters[i], chapter, marks)
        following = i + 1  # the deleted chapters that followed it
        while following < len(old_chapters) and following not in matched_old:
            result += [marks.deleted(block) for block in old_chapters[following]]
            following += 1
    return result


def section_changes(compared: Sequence[Compared], old: Sequence[Block]) -> list[SectionChange]:
    """Every chapter and section of the marked text that is new, deleted or changed (in
    its heading, its own text, or its number), in the order of the marked text; `old` is
    the old version's blocks, which number the old sections."""
    old_numbers = {id(block): number for block, number in _numbered(old)}
    new_numbers = {id(block): number
                   for block, number in _numbered([c.new for c in compared if c.new])}
    changes: list[SectionChange] = []
    current: dict | None = None

    def close() -> None:
        if current is not None:
            heading = current["heading"]
            moved = (heading.old is not None and heading.new is not None
                     and old_numbers[id(heading.old)] != new_numbers[id(heading.new)])
            if heading.changed or current["text"] or moved:
                changes.append(SectionChange(
                    nummer=new_numbers.get(id(heading.new)) if heading.new else None,
                    oud_nummer=old_numbers.get(id(heading.old)) if heading.old else None,
                    titel=(heading.new or heading.old).text,
                    oude_titel=heading.old.text if heading.old and heading.new
                    and heading.old.text != heading.new.text else None,
                    niveau=(heading.new or heading.old).level,
                    soort=("nieuw" if heading.old is None else "vervallen"
                           if heading.new is None else "gewijzigd"),
                    tekst_gewijzigd=current["text"]))

    for item in compared:
        block = item.new or item.old
        if block.kind == "heading" and block.level <= 2:
            close()
            current = {"heading": item, "text": False}
        elif current is not None and item.changed:
            current["text"] = True
    close()
    return changes


# --- Chapters ---------------------------------------------------------------------------

def _chapters(blocks: Sequence[Block]) -> list[list[Block]]:
    """What precedes the first chapter (perhaps nothing), then each chapter: a level-1
    heading and the blocks up to the next."""
    chapters: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == "heading" and block.level == 1:
            chapters.append([])
        chapters[-1].append(block)
    return chapters


def _chapter_key(chapter: list[Block], names: Mapping[str, str]) -> tuple[str, str]:
    """('thema', id) for a chapter whose heading names a theme (the longest title that
    it holds), ('kop', heading) for another, ('begin', '') for what precedes them."""
    if not chapter or chapter[0].kind != "heading" or chapter[0].level != 1:
        return ("begin", "")
    heading = chapter[0].text
    named = [(len(title), id_) for id_, title in names.items() if title and title in heading]
    return ("thema", max(named)[1]) if named else ("kop", heading)


def _match_chapters(old_keys: list, new_keys: list, old_headings: list[str],
                    new_headings: list[str]) -> dict[int, int]:
    """New chapter index -> old chapter index: the same key (the n-th chapter with a key
    matches the n-th with it), else a similar heading in the same place (between the
    same matched chapters)."""
    def numbered(keys):
        seen: dict = {}
        result = []
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
            result.append((key, seen[key]))
        return result

    old_index = {key: i for i, key in enumerate(numbered(old_keys))}
    matches = {j: old_index[key] for j, key in enumerate(numbered(new_keys)) if key in old_index}

    def gap_after(index: int, matched: dict[int, int]) -> int:
        """The nearest matched chapter before `index` (-1 for none), as a new index."""
        return max((new for old, new in matched.items() if old < index), default=-1)

    for j in range(len(new_keys)):
        if j in matches:
            continue
        matched_old = {old: new for new, old in matches.items()}
        before = max((k for k in matches if k < j), default=-1)
        candidates = [i for i in range(len(old_keys)) if i not in matched_old
                      and gap_after(i, matched_old) == before]
        scored = [(_ratio(old_headings[i].split(), new_headings[j].split()), -i, i)
                  for i in candidates]
        if scored and max(scored)[0] >= SIMILAR:
            matches[j] = max(scored)[2]
    return matches


def _compare_chapter(old: list[Block], new: list[Block], marks: _Marks) -> list[Compared]:
    """The blocks of two matched chapters: their headings paired, the rest aligned."""
    result: list[Compared] = []
    if old and new and old[0].kind == new[0].kind == "heading":
        result += marks.pair(old[0], new[0])
        old, new = old[1:], new[1:]
    matcher = difflib.SequenceMatcher(None, [_signature(b) for b in old],
                                      [_signature(b) for b in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [Compared(o, n, n) for o, n in zip(old[i1:i2], new[j1:j2])]
        else:
            result += _pair_up(old[i1:i2], new[j1:j2], _similar_blocks, marks.pair,
                               marks.deleted, marks.inserted)
    return result


def _pair_up(old: Sequence, new: Sequence, similar, pair, deleted, inserted) -> list:
    """Two stretches that differ: each new item paired with the first similar old item
    left, in order; between two pairs, the old items passed over are deleted before the
    new items without a pair are inserted."""
    result: list = []
    start, waiting = 0, []
    for item in new:
        found = next((k for k in range(start, len(old)) if similar(old[k], item)), None)
        if found is None:
            waiting.append(item)
            continue
        for k in range(start, found):
            result += _listed(deleted(old[k]))
        for unpaired in waiting:
            result += _listed(inserted(unpaired))
        result += _listed(pair(old[found], item))
        start, waiting = found + 1, []
    for k in range(start, len(old)):
        result += _listed(deleted(old[k]))
    for unpaired in waiting:
        result += _listed(inserted(unpaired))
    return result


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _signature(block: Block) -> tuple:
    return (block.kind, block.level, tuple(block.runs),
            tuple(tuple(tuple(cell) for cell in row) for row in block.rows))


def _plain(block: Block) -> str:
    if block.kind == "table":
        return " ".join(_text(cell) for row in block.rows for cell in row)
    return block.text


def _similar_blocks(old: Block, new: Block) -> bool:
    if old.kind != new.kind:
        return False
    if old.kind == "table":
        return len(old.rows[0]) == len(new.rows[0])
    return _ratio(_plain(old).split(), _plain(new).split()) >= SIMILAR


def _ratio(old: Sequence, new: Sequence) -> float:
    """How much of the shorter of two word lists the other keeps (0 to 1): a paragraph
    that gained a sentence is still the same paragraph."""
    if not old or not new:
        return 0.0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return kept / min(len(old), len(new))


def _text(runs: Iterable[Run]) -> str:
    return "".join(run.text for run in runs)


def _numbered(blocks: Iterable[Block]) -> list[tuple[Block, str]]:
    """(heading, number) of the chapters and sections, numbered as sections_of does."""
    numbered, chapter, section = [], 0, 0
    for block in blocks:
        if block.kind != "heading" or block.level > 2:
            continue
        if block.level == 1:
            chapter, section = chapter + 1, 0
            numbered.append((block, str(chapter)))
        else:
            section += 1
            numbered.append((block, f"{chapter}.{section}"))
    return numbered


# --- Blocks and words -------------------------------------------------------------------

class _Marks:
    """Marks blocks, table rows and words as inserted or deleted."""

    def __init__(self, inserted: Revision, deleted: Revision, names: list[str]):
        self.insertion, self.deletion = inserted, deleted
        # A name (a theme's title) is one word: changed, it is deleted and inserted whole.
        names = sorted({name for name in names if name}, key=len, reverse=True)
        self.words = re.compile("|".join([*(re.escape(name) for name in names),
                                          r"\w+", r"\s+", r"[^\w\s]"]))

    def inserted(self, block: Block) -> Compared:
        return Compared(None, block, self._all(block, self.insertion))

    def deleted(self, block: Block) -> Compared:
        return Compared(block, None, self._all(block, self.deletion))

    def _all(self, block: Block, revision: Revision) -> Block:
        def mark(runs):
            return tuple(replace(run, revision=revision) for run in runs)
        return replace(block, runs=mark(block.runs),
                       rows=tuple(tuple(mark(cell) for cell in row) for row in block.rows))

    def pair(self, old: Block, new: Block) -> list[Compared]:
        """A block of the old version and its counterpart in the new one."""
        if old == new:
            return [Compared(old, new, new)]
        if old.kind != "table":
            return [Compared(old, new, replace(new, runs=self.words_of(old.runs, new.runs)))]
        if len(old.rows[0]) != len(new.rows[0]):  # other columns: another table
            return [self.deleted(old), self.inserted(new)]
        header = self.row(old.rows[0], new.rows[0])
        old_rows, new_rows = old.rows[1:], new.rows[1:]
        rows = []
        matcher = difflib.SequenceMatcher(None, old_rows, new_rows, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                rows += new_rows[j1:j2]
            elif tag == "replace" and i2 - i1 == j2 - j1:  # rows changed in place
                rows += [self.row(o, n) for o, n in zip(old_rows[i1:i2], new_rows[j1:j2])]
            else:
                rows += _pair_up(old_rows[i1:i2], new_rows[j1:j2], _similar_rows, self.row,
                                 lambda row: self.whole_row(row, self.deletion),
                                 lambda row: self.whole_row(row, self.insertion))
        return [Compared(old, new, replace(new, rows=(header, *rows)))]

    def row(self, old: tuple, new: tuple) -> tuple:
        return tuple(self.words_of(o, n) for o, n in zip(old, new))

    def whole_row(self, row: tuple, revision: Revision) -> tuple:
        return tuple(tuple(replace(run, revision=revision) for run in cell) for cell in row)

    def words_of(self, old: Sequence[Run], new: Sequence[Run]) -> tuple[Run, ...]:
        """The new runs with the words that differ from the old ones marked: deleted
        words before the inserted words that take their place."""
        a, b = self._tokens(old), self._tokens(new)
        opcodes = _absorb_islands(
            difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), b)
        tokens: list[tuple[str, bool, bool, Revision | None]] = []
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                tokens += [(*token, None) for token in b[j1:j2]]
                continue
            tokens += [(*token, self.deletion) for token in a[i1:i2]]
            tokens += [(*token, self.insertion) for token in b[j1:j2]]
        runs: list[Run] = []
        for text, bold, italic, revision in tokens:
            if runs and (runs[-1].bold, runs[-1].italic, runs[-1].revision) == (
                    bold, italic, revision):
                runs[-1] = replace(runs[-1], text=runs[-1].text + text)
            else:
                runs.append(Run(text, bold, italic, revision))
        return tuple(runs)

    def _tokens(self, runs: Sequence[Run]) -> list[tuple[str, bool, bool]]:
        return [(match.group(), run.bold, run.italic)
                for run in runs for match in self.words.finditer(run.text)]


def _similar_rows(old: tuple, new: tuple) -> bool:
    return _ratio(" ".join(_text(c) for c in old).split(),
                  " ".join(_text(c) for c in new).split()) >= SIMILAR


def _absorb_islands(opcodes: list, new_tokens: list) -> list:
    """Opcodes where a short unchanged stretch between two changes is part of one
    change: 'de ~~thema's vastgesteld~~ ~~op~~' reads better whole."""
    result: list = []
    for index, opcode in enumerate(opcodes):
        tag, i1, i2, j1, j2 = opcode
        inside = 0 < index < len(opcodes) - 1
        small = len("".join(t[0] for t in new_tokens[j1:j2]).strip()) <= _SMALL_ISLAND
        if tag == "equal" and inside and small and result and result[-1][0] != "equal":
            _tag, a1, _a2, b1, _b2 = result.pop()
            result.append(("replace", a1, i2, b1, j2))
        elif tag != "equal" and result and result[-1][0] != "equal":
            _tag, a1, _a2, b1, _b2 = result.pop()
            result.append(("replace", a1, i2, b1, j2))
        else:
            result.append(opcode)
    return result
