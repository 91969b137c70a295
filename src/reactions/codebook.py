"""The codebook: which issues, stances and groups the dataset may use, and what they mean."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reactions.errors import DatasetError, Problem

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
SCORE_RANGE = range(-2, 3)


@dataclass(frozen=True)
class Stance:
    code: str
    score: int | None  # None for silence: never averaged as zero
    label: str
    meaning: str


@dataclass(frozen=True)
class Codebook:
    issues: dict[str, str]  # code -> label
    questions: dict[str, str]  # code -> the question the issue asks
    stances: dict[str, Stance]
    groups: dict[str, str]  # code -> label
    cues: dict[str, dict[str, dict[str, list[str]]]]  # issue -> stance -> language -> phrases

    @property
    def scored_stances(self) -> list[Stance]:
        """Stances on the scale, from most rejecting to most supporting."""
        scored = [stance for stance in self.stances.values() if stance.score is not None]
        return sorted(scored, key=lambda stance: stance.score)

    @property
    def silent_codes(self) -> set[str]:
        return {code for code, stance in self.stances.items() if stance.score is None}

    def score(self, stance_code: str) -> int | None:
        return self.stances[stance_code].score

    def stance_label(self, stance_code: str) -> str:
        return self.stances[stance_code].label


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate mapping keys instead of silently keeping the last."""

    duplicates: list[tuple[str, int]]


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            loader.duplicates.append((str(key), key_node.start_mark.line + 1))
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_codebook(path: Path) -> Codebook:
    """Read and check codebook.yml; every problem is reported, not just the first."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DatasetError([Problem(name, None, None, str(path), "file is missing")]) from None
    except UnicodeDecodeError as error:
        raise DatasetError(
            [
                Problem(
                    name,
                    None,
                    None,
                    repr(error.object[error.start : error.end]),
                    "file must be UTF-8",
                )
            ]
        ) from None
    duplicates: list[tuple[str, int]] = []
    try:
        loader = _UniqueKeyLoader(text)  # the reader refuses control characters right here
        loader.duplicates = duplicates
        try:
            raw = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = str(getattr(error, "problem", None) or error)
        raise DatasetError(
            [Problem(name, line, None, problem, "file must be valid YAML")]
        ) from None
    problems = [
        Problem(name, line, key, key, "a code must be defined only once")
        for key, line in duplicates
    ]
    if not isinstance(raw, dict):
        raise DatasetError(
            [
                *problems,
                Problem(
                    name,
                    None,
                    None,
                    type(raw).__name__,
                    "codebook must be a mapping with issues, stances, groups",
                ),
            ]
        )
    issues = _section(raw, "issues", name, problems)
    stances = _section(raw, "stances", name, problems)
    groups = _section(raw, "groups", name, problems)
    parsed_stances = {}
    for code, spec in stances.items():
        score = spec.get("score")
        if score is not None and (
            not isinstance(score, int) or isinstance(score, bool) or score not in SCORE_RANGE
        ):
            problems.append(
                Problem(
                    name,
                    None,
                    f"stances.{code}.score",
                    str(score),
                    "score must be an integer from -2 to 2, or null for silence",
                )
            )
            score = None
        parsed_stances[code] = Stance(
            code, score, str(spec.get("label", code)), str(spec.get("meaning", ""))
        )
    if stances and not any(stance.score is None for stance in parsed_stances.values()):
        problems.append(
            Problem(
                name,
                None,
                "stances",
                ", ".join(stances),
                "one stance must have score null (silence)",
            )
        )
    cues = raw.get("cues") or {}
    scored = {code for code, stance in parsed_stances.items() if stance.score is not None}
    problems += _cue_problems(cues, name, set(issues), scored)
    if problems:
        raise DatasetError(problems)
    return Codebook(
        issues={code: str(spec.get("label", code)) for code, spec in issues.items()},
        questions={code: str(spec.get("question", "")) for code, spec in issues.items()},
        stances=parsed_stances,
        groups={code: str(spec.get("label", code)) for code, spec in groups.items()},
        cues=cues,
    )


def _section(
    raw: dict[str, Any], key: str, name: str, problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    section = raw.get(key)
    if not isinstance(section, dict) or not section:
        problems.append(
            Problem(name, None, key, str(section), f"'{key}' must be a non-empty mapping")
        )
        return {}
    checked = {}
    for code, spec in section.items():
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            problems.append(
                Problem(name, None, f"{key}.{code}", str(code), "a code must match [a-z][a-z0-9_]*")
            )
            continue
        if spec is not None and not isinstance(spec, dict):
            problems.append(
                Problem(
                    name,
                    None,
                    f"{key}.{code}",
                    str(spec),
                    "a code's entry must be a mapping (label, ...)",
                )
            )
            continue
        checked[code] = spec or {}
    return checked


def _cue_problems(cues: object, name: str, issues: set[str], stances: set[str]) -> list[Problem]:
    """Cues: issue -> stance -> ISO 639-1 language -> list of phrases (silence has no cues)."""
    if not isinstance(cues, dict):
        return [Problem(name, None, "cues", str(cues), "'cues' must be a mapping by issue")]
    problems = []
    for issue, by_stance in cues.items():
        if issue not in issues:
            problems.append(Problem(name, None, f"cues.{issue}", str(issue), "unknown issue code"))
            continue
        if not isinstance(by_stance, dict):
            problems.append(
                Problem(name, None, f"cues.{issue}", str(by_stance), "must be a mapping by stance")
            )
            continue
        for stance, by_language in by_stance.items():
            where = f"cues.{issue}.{stance}"
            if stance not in stances:
                problems.append(
                    Problem(
                        name,
                        None,
                        where,
                        str(stance),
                        "must be a scored stance code (silence has no words)",
                    )
                )
            elif not isinstance(by_language, dict) or not all(
                isinstance(language, str)
                and len(language) == 2
                and isinstance(phrases, list)
                and all(isinstance(p, str) and p.strip() for p in phrases)
                for language, phrases in by_language.items()
            ):
                problems.append(
                    Problem(
                        name,
                        None,
                        where,
                        str(by_language)[:80],
                        "must map two-letter language codes to lists of phrases",
                    )
                )
    return problems
