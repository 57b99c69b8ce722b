"""The Jinja environment every template renders in: sandboxed, strict, Dutch dates."""

from __future__ import annotations

import datetime as dt
import re
import traceback
from typing import Any, Callable

from babel.dates import format_date
from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.sandbox import ImmutableSandboxedEnvironment


class PlaceholderError(TemplateRuntimeError):
    """A mistake in a placeholder that imvdoc itself found; its message is Dutch."""


TIME_ZONE = "Europe/Amsterdam"


def dutch_date(value: dt.date) -> str:
    """A date the Dutch way: 9 mei 2023."""
    return format_date(value, format="d MMMM y", locale="nl_NL")


def dutch_day(timestamp: str) -> dt.date:
    """The day a moment (an ISO timestamp with its offset, as the send log keeps them)
    falls on in Dutch time."""
    moment = dt.datetime.fromisoformat(timestamp)
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        return moment.astimezone(ZoneInfo(TIME_ZONE)).date()
    except ZoneInfoNotFoundError:  # no time zone data on this system: the day in UTC
        return moment.date()


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
                     autoescape: bool = False) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment (no Python internals, no changing the shared content) with
    StrictUndefined.

    `escape` is applied to every printed value, and block tags take their line with them
    (for Markdown texts, where a loop must not leave blank lines in a table);
    `autoescape` turns on XML escaping (for the XML inside a .docx).
    """
    def finalize(value: Any) -> Any:
        value = _checked(value)
        return escape(str(value)) if escape is not None and isinstance(value, (str, int, float)) \
            else value

    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, finalize=finalize,
        keep_trailing_newline=True, trim_blocks=escape is not None,
        lstrip_blocks=escape is not None,
    )
    env.filters["datum"] = _datum_filter
    return env


def template_line(error: TemplateError) -> int | None:
    """The template line a Jinja error happened on: a syntax error carries it, a render
    error has it in the template's frame of the traceback."""
    if getattr(error, "lineno", None):
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename == "<template>" or f.filename.endswith((".html", ".css"))]
    return frames[-1].lineno if frames else None


def jinja_message(error: TemplateError) -> str:
    """Jinja's message in Dutch, for the mistakes staff make."""
    message = str(error.message or error)
    if isinstance(error, PlaceholderError):
        return message
    if isinstance(error, SecurityError):
        return f"niet toegestaan in een sjabloon (beveiligd): {message}"
    if " has no attribute " in message:
        return f"onbekend veld {message.split(' has no attribute ')[1].split()[0]}"
    if message.endswith(" is undefined"):
        return f"onbekende variabele {message[:-len(' is undefined')]}"
    tags = re.findall(r"'(\w+)'", message)
    if message.startswith("Encountered unknown tag") and "looking for" in message:
        expected = [tag for tag in tags[1:] if tag.startswith("end")] or tags[-1:]
        return (f"'{{% {tags[0]} %}}' staat waar '{{% {expected[0]} %}}' verwacht wordt: een "
                "{% if %} of {% for %} is niet goed afgesloten")
    if message.startswith("Encountered unknown tag"):
        return f"onbekende opdracht '{{% {tags[0]} %}}'"
    if message.startswith("Unexpected end of template"):
        ends = [tag for tag in tags if tag.startswith("end")]
        missing = f"'{{% {ends[0]} %}}' ontbreekt" if ends else "een afsluiting ontbreekt"
        return f"het sjabloon houdt op terwijl een blok nog open is: {missing}"
    if message.startswith("unexpected"):
        return (f"onverwacht teken {message.split(' ', 1)[1]}: staat er een accolade of "
                "procentteken te veel of te weinig?")
    if message.startswith("expected token"):
        return "een opdracht tussen {{ }} of {% %} is niet compleet"
    return f"sjabloonfout: {message}"
