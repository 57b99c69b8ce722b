"""The Jinja environment every template renders in: sandboxed, strict, Dutch dates."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from babel.dates import format_date
from jinja2 import StrictUndefined, Undefined
from jinja2.exceptions import TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment


class PlaceholderError(TemplateRuntimeError):
    """A mistake in a placeholder that imvdoc itself found; its message is Dutch."""


def dutch_date(value: dt.date) -> str:
    """A date the Dutch way: 9 mei 2023."""
    return format_date(value, format="d MMMM y", locale="nl_NL")


def _datum_filter(value: Any) -> str:
    if not isinstance(value, dt.date):
        raise PlaceholderError(f"het filter 'datum' verwacht een datum, niet {value!r}")
    return dutch_date(value)


def _checked(value: Any) -> Any:
    """What a `{{ ... }}` may print: text, numbers and dates; never None or a structure,
    which would put 'None' or a Python repr in a letter."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()  # StrictUndefined: names what is missing
    if hasattr(value, "__html__"):
        return value  # docxtpl's RichText and markup: already safe XML
    if value is None:
        raise PlaceholderError("een waarde is leeg (None) en kan niet in de tekst")
    if isinstance(value, dt.date):
        return dutch_date(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        kind = {list: "een lijst", tuple: "een lijst", dict: "een groep velden"}.get(
            type(value), type(value).__name__)
        raise PlaceholderError(
            f"een waarde is {kind}, geen tekst; gebruik een lus of kies een veld")
    return value


def make_environment(escape: Callable[[str], str] | None = None,
                     autoescape: bool = False) -> SandboxedEnvironment:
    """A sandboxed environment with StrictUndefined.

    `escape` is applied to every printed value, and block tags take their line with them
    (for Markdown texts, where a loop must not leave blank lines in a table);
    `autoescape` turns on XML escaping (for the XML inside a .docx).
    """
    def finalize(value: Any) -> Any:
        value = _checked(value)
        return escape(str(value)) if escape is not None and isinstance(value, (str, int, float)) \
            else value

    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, finalize=finalize,
        keep_trailing_newline=True, trim_blocks=escape is not None,
        lstrip_blocks=escape is not None,
    )
    env.filters["datum"] = _datum_filter
    return env
