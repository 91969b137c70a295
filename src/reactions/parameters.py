"""Page parameters: one set of rules, used inside every notebook and by `reactions` before a kernel.

A notebook's parameters are known by name: any notebook that names a parameter `focal_actor`,
`issue`, `as_of`, ... gets that parameter's check, its default from the dataset's story, and its
part of the output name. An empty value means "the story's default". Every problem is reported
at once, one line each, naming the parameter and the expected form.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from reactions.errors import DatasetError, ParameterError
from reactions.reference import Reference, quick_reference, unreadable_data
from reactions.yamlfile import shown

NEUTRAL_DATE = "2000-01-31"  # an example date for a dataset with no date of its own


@dataclass(frozen=True)
class Kind:
    """How one named parameter is checked, defaulted and named in an output file."""

    check: Callable[[str, object, Reference], object]  # the clean value, or ParameterError
    default: Callable[[Reference], object]
    stem: Callable[[object, Reference], str]  # its part of the output name ("" for none)


def _closest(name: str, value: str, valid: list[str], what: str) -> ParameterError:
    closest = difflib.get_close_matches(value, valid, n=5, cutoff=0.5)
    hint = f" (closest: {', '.join(closest)})" if closest else ""
    shown = ", ".join(sorted(valid)[:12]) + (", ..." if len(valid) > 12 else "")
    return ParameterError(f"{name}: unknown {what} {_shown(value)}{hint}; valid: {shown}")


def _shown(value: object) -> str:
    """A value as an error echoes it: its repr, at most about 80 characters (a parameter may be
    anything a command line or a YAML mapping holds)."""
    return repr(shown(value)) if isinstance(value, str) else shown(value)


def _text(name: str, value: object, expected: str) -> str:
    if not isinstance(value, str):
        raise ParameterError(
            f"{name}: expected {expected} as text, got the {type(value).__name__} {_shown(value)}"
        )
    return value.strip()


def _code(what: str, codes: Callable[[Reference], list[str]], allow_all: bool = False):
    def check(name: str, value: object, reference: Reference) -> str:
        text = _text(name, value, f"a {what}")
        valid = codes(reference) + (["all"] if allow_all else [])
        if text not in valid:
            raise _closest(name, text, valid, what)
        return text

    return check


def _actors(reference: Reference) -> list[str]:
    return list(reference.actor_names)


def _issues(reference: Reference) -> list[str]:
    return list(reference.codebook.issues)


def _groups(reference: Reference) -> list[str]:
    return list(reference.codebook.groups)


def _example_date(reference: Reference) -> str:
    """A date of this story for error messages: its default as-of date, else its latest."""
    return reference.story.default_as_of or reference.latest_date or NEUTRAL_DATE


def _date(name: str, value: object, reference: Reference) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    example = _example_date(reference)
    text = _text(name, value, f"a date written YYYY-MM-DD (e.g. {example!r})")
    try:
        if dt.date.fromisoformat(text).isoformat() == text:
            return text
    except ValueError:
        pass
    raise ParameterError(
        f"{name}: expected a real date written YYYY-MM-DD (e.g. {example!r}), got {_shown(text)}"
    )


def _optional_date(name: str, value: object, reference: Reference) -> str:
    return "" if value in (None, "") else _date(name, value, reference)


def _actor_list(name: str, value: object, reference: Reference) -> tuple[str, ...]:
    """A list of actor_ids; a string is read as ids separated by commas or spaces, unless it is
    a Python tuple or list written out as text: papermill's Python API passes a tuple so
    (`('an-actor',)` arrives as the text "('an-actor',)")."""
    example = list(reference.story.compare_with or reference.actor_names)[:2]
    if isinstance(value, str) and value.strip()[:1] in ("(", "["):
        raise ParameterError(
            f"{name}: got the text {_shown(value)}, a tuple or list written out as text "
            f"(papermill's Python API passes a tuple so): pass a list (e.g. {example}) or ids "
            f"separated by commas (e.g. {','.join(example)!r})"
        )
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ParameterError(
            f"{name}: expected a list of actor_ids (e.g. {example}), got {_shown(value)}"
        )
    problems = [
        str(_closest(name, actor, _actors(reference), "actor"))
        for actor in value
        if actor not in reference.actor_names
    ]
    if problems:
        raise ParameterError("\n".join(problems))
    return tuple(dict.fromkeys(value))  # a peer named twice is one peer


def _digest(values: tuple[str, ...]) -> str:
    return hashlib.sha1(",".join(sorted(values)).encode()).hexdigest()[:8]


def _default_actor(reference: Reference) -> str:
    return reference.story.default_actor or _actors(reference)[0]


def _default_issue(reference: Reference) -> str:
    return reference.story.default_issue or _issues(reference)[0]


def _bare(value: object, reference: Reference) -> str:
    return str(value)


def _among(value: object, reference: Reference) -> str:
    actors = cast(tuple[str, ...], value)  # _actor_list's clean value
    if sorted(actors) == sorted(reference.story.compare_with):
        return ""
    return f"among-{_digest(actors)}"


ACTOR = Kind(_code("actor", _actors), _default_actor, _bare)
KINDS: dict[str, Kind] = {
    "focal_actor": ACTOR,
    "actor": ACTOR,
    "issue": Kind(_code("issue", _issues), _default_issue, _bare),
    "issues": Kind(_code("issue", _issues, allow_all=True), lambda ref: "all", _bare),
    "group": Kind(_code("group", _groups, allow_all=True), lambda ref: "all", _bare),
    "as_of": Kind(_date, lambda ref: ref.story.default_as_of or ref.latest_date, _bare),
    "compare_to": Kind(
        _optional_date, lambda ref: "", lambda value, ref: f"since-{value}" if value else ""
    ),
    "compare_with": Kind(_actor_list, lambda ref: ref.story.compare_with, _among),
}


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_parameters(values: dict[str, object], reference: Reference) -> dict:
    """Every parameter checked against the dataset's reference and defaulted from its story
    (the caller has resolved `data_dir` and read the reference from it).

    Raises ParameterError naming every bad parameter with its expected form.
    """
    checked = dict(values)
    problems = []
    for name, value in values.items():
        kind = KINDS.get(name)
        if kind is None:
            continue
        try:
            checked[name] = (
                kind.default(reference) if is_empty(value) else kind.check(name, value, reference)
            )
        except ParameterError as error:
            problems.append(str(error))
    if not problems:
        problems += _order_problems(checked)
    if problems:
        raise ParameterError("\n".join(problems))
    return checked


def _order_problems(checked: dict) -> list[str]:
    since, until = checked.get("compare_to"), checked.get("as_of")
    if since and until and since >= until:
        return [f"compare_to: {since} must be before as_of {until}"]
    return []


def output_stem(page: str, checked: dict, reference: Reference) -> str:
    """A safe, distinct file name for a page: story, notebook, then each parameter's part.

    Parts are ids, codes and dates (no dots in any of them), so the dots keep them apart; a
    parameter the registry does not know adds a digest of its value.
    """
    parts = [reference.story.slug, page]
    for name, value in checked.items():
        if name == "data_dir":
            continue
        kind = KINDS.get(name)
        part = kind.stem(value, reference) if kind else _unknown_part(name, value)
        if part:
            parts.append(part)
    return ".".join(parts)


def _unknown_part(name: str, value: object) -> str:
    if is_empty(value):
        return ""
    return f"{re.sub(r'[^a-z0-9-]', '-', name.lower())}-{_digest((repr(value),))}"


def load_reference(data_dir: Path) -> Reference:
    """Codebook, actors and story read quickly; the full validation when actors.csv is odd or a
    data file a page reads cannot be read, so that its problems are reported with their lines
    (DatasetError, before any kernel starts)."""
    reference = quick_reference(data_dir)
    if reference is None:
        from reactions.dataset import load_dataset

        reference = load_dataset(data_dir).reference
        # what the full validation does not read and a page does (blind_coding.csv): refused
        # here too, before any kernel starts, as the kernel would meet it
        unreadable = unreadable_data(data_dir)
        if unreadable:
            raise DatasetError(unreadable)
    return reference
