"""Read YAML (and Markdown with YAML front matter) and remember the line of every value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from imvdoc.errors import ContentError, Problem

Path_ = tuple[str | int, ...]

# PyYAML's messages, in the words a user of a text editor understands.
_YAML_MESSAGES = {
    "mapping values are not allowed here": "hier mag geen 'sleutel: waarde' staan "
    "(staat er een dubbele punt in een tekst zonder aanhalingstekens?)",
    "could not find expected ':'": "hier wordt een dubbele punt verwacht ('sleutel: waarde')",
    "found character '\\t' that cannot start any token": "een tab is niet toegestaan; "
    "gebruik spaties om in te springen",
    "found unexpected end of stream": "het bestand houdt op midden in een waarde "
    "(is een aanhalingsteken niet gesloten?)",
    "found unknown escape character": "onbekend escape-teken na een backslash",
    "did not find expected key": "de inspringing klopt niet: hier wordt een sleutel verwacht",
    "did not find expected '-' indicator": "de inspringing klopt niet: hier wordt een "
    "lijstregel ('- ...') verwacht",
    "expected <block end>, but found '<block sequence start>'": "de inspringing klopt niet",
    "expected <block end>, but found '<block mapping start>'": "de inspringing klopt niet",
    "found undefined alias": "onbekende verwijzing (alias)",
    "expected ',' or '}', but got": "een '{ ... }' is niet goed gesloten",
    "expected ',' or ']', but got": "een '[ ... ]' is niet goed gesloten",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so the schema parses them and can say where
    a wrong one is (PyYAML itself fails on 2023-13-01 without a line number)."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same, on libyaml where present; on a syntax error the text is read again with
    _Loader, whose messages are clearer."""


for _loader in (_Loader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass
class Located:
    """A YAML document's data with the 1-based line of each value, by field path."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the value at `path`, or of its nearest parent that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def _dutch_yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = (error.problem or "").strip()
    for english, dutch in _YAML_MESSAGES.items():
        if problem.startswith(english):
            return dutch
    return f"YAML klopt niet: {problem or error}"


def load_yaml(text: str, file: str, line_offset: int = 0) -> Located:
    """Parse YAML text; raise ContentError with file:line:column on a syntax error.

    `line_offset` is added to every line number, for front matter that starts lower down.
    """
    try:
        return _load(_FastLoader, text, file, line_offset)
    except ContentError:
        return _load(_Loader, text, file, line_offset)


def _load(loader_class, text: str, file: str, line_offset: int) -> Located:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = _dutch_yaml_message(error)
        start = error.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            message += f" (begonnen op regel {start.line + 1 + line_offset})"
        raise ContentError([Problem(
            file, message, line=mark.line + 1 + line_offset if mark else None,
            column=mark.column + 1 if mark else None,
        )]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(file, f"YAML klopt niet: {error}")]) from None
    finally:
        loader.dispose()
    located = Located(data, file)
    problems: list[Problem] = []
    if node is not None:
        _record_lines(node, (), located.lines, line_offset, file, problems)
    if problems:
        raise ContentError(problems)
    return located


def _record_lines(node, path: Path_, lines: dict, offset: int, file: str, problems: list) -> None:
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            key_line = key_node.start_mark.line + 1 + offset
            if key in seen:
                problems.append(Problem(
                    file, f"de sleutel '{key}' staat er twee keer (ook op regel {seen[key]})",
                    line=key_line, field=dotted(path + (key,)),
                ))
            seen[key] = key_line
            _record_lines(value_node, path + (key,), lines, offset, file, problems)
            lines[path + (key,)] = key_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines, offset, file, problems)


def dotted(path: Path_) -> str:
    """A field path as users read it: `themas[0].deelthemas[2]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text



def split_front_matter(text: str, file: str) -> tuple[str, str, int]:
    """Split Markdown with YAML front matter into (yaml, body, body's first line number)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError([Problem(
            file, "het bestand moet beginnen met '---' en de gegevens van de brief "
            "(datum, onderwerp, ontvangers, ...), afgesloten met '---'", line=1,
        )])
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    raise ContentError([Problem(
        file, "de gegevens bovenaan zijn niet afgesloten met een regel '---'", line=1,
    )])
