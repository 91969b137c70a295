"""The codebook: which issues, stances and groups the dataset may use, and what they mean.

codebook.yml is read through yamlfile.compose (bounded, safe, a node tree with line marks), so
every problem is reported with its line and key (`codebook.yml:12: column 'stances.x.score'`).
Codes match [a-z][a-z0-9_]* in full; labels are short plain text (no control or line-separator
characters, at most MAX_LABEL_CHARS) and unique within their section, because charts and pages
tell codes apart by their labels. Texts (question, meaning, rule) may span lines.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from reactions.errors import DatasetError, Problem
from reactions.yamlfile import compose_text, line_of, read_text, shown

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")  # always used in full (fullmatch)
SCORE_RANGE = range(-2, 3)
MAX_LABEL_CHARS = 200  # a label or a name is drawn on a chart
MAX_TEXT_CHARS = 20_000
# Characters that break a page or a chart's JavaScript: C0/C1 controls, DEL, U+2028, U+2029.
# Labels and names allow none of them; longer texts allow tab and line ends.
NAME_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TEXT_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_RULE = "must not contain control or line-separator characters"

ENTRY_KEYS = {
    "issues": ("label", "question", "in_sentence", "pronoun"),
    "stances": ("score", "label", "meaning", "rule", "in_sentence", "verb", "verb_plural"),
    "groups": ("label",),
}
TOP_KEYS = ("issues", "stances", "groups", "cues", "position")
# How an actor's position on an issue follows from its dated statements (see compare.positions):
# the clearest words of a day win; later, weaker words in the same direction do not soften it.
STRONGEST, LATEST = "strongest-in-direction", "latest-words"
POSITION_RULES = (STRONGEST, LATEST)
PRONOUNS = ("it", "them")


@dataclass(frozen=True)
class Stance:
    code: str
    score: int | None  # None for silence: never averaged as zero
    label: str
    meaning: str
    rule: str = ""  # the decision rule a coder applies
    in_sentence: str = ""  # the label as a sentence writes it ("implicit rejection")
    verb: str = ""  # what one actor does: "hedges on" (a headline's verb; empty: neutral words)
    verb_plural: str = ""  # what several do: "hedge on"


@dataclass(frozen=True)
class Issue:
    """How sentences name an issue: `in_sentence` as written mid-sentence ("Belarus's part in the
    war", never lower-cased by code), `pronoun` for a second mention ("it" or "them")."""

    in_sentence: str
    pronoun: str = "it"


@dataclass(frozen=True)
class Codebook:
    issues: dict[str, str]  # code -> label
    questions: dict[str, str]  # code -> the question the issue asks
    stances: dict[str, Stance]
    groups: dict[str, str]  # code -> label
    cues: dict[str, dict[str, dict[str, list[str]]]]  # issue -> stance -> language -> phrases
    position: str = STRONGEST  # one of POSITION_RULES
    issue_words: dict[str, Issue] = dataclasses.field(default_factory=dict)

    @property
    def scored_stances(self) -> list[Stance]:
        """Stances on the scale, from most rejecting to most supporting."""
        scored = [stance for stance in self.stances.values() if stance.score is not None]
        return sorted(scored, key=lambda stance: cast(int, stance.score))

    @property
    def silent_codes(self) -> set[str]:
        return {code for code, stance in self.stances.items() if stance.score is None}

    def score(self, stance_code: str) -> int | None:
        return self.stances[stance_code].score

    def stance_label(self, stance_code: str) -> str:
        return self.stances[stance_code].label


def is_code(value: object) -> bool:
    return isinstance(value, str) and CODE_PATTERN.fullmatch(value) is not None


def load_codebook(path: Path) -> Codebook:
    """Read and check codebook.yml; every problem is reported, not just the first.

    The file is read every time; a text this process has checked before (the same name and
    the same characters: a render's parent and its validation, every page of a warm kernel) is
    not parsed again (12 ms), and each caller gets a copy of its own."""
    return copy.deepcopy(_checked(path.name, read_text(path, DatasetError)))


@functools.lru_cache(maxsize=8)
def _checked(name: str, text: str) -> Codebook:
    """The codebook of a text, or DatasetError (never cached: a refused text is checked again)."""
    root = compose_text(text, name, DatasetError)
    reader = _Reader(name)
    codebook = reader.codebook(root)
    if reader.problems or codebook is None:
        raise DatasetError(reader.problems)
    return codebook


class _Reader:
    """Walks the node tree, collecting every problem with its line and key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.broken: set[str] = set()
        self.scored: set[str] = set()  # sections that could not be read: no follow-on checks

    def problem(self, line: int | None, key: str | None, value: object, rule: str) -> None:
        self.problems.append(Problem(self.name, line, key, shown(value), rule))

    def entries(self, node: yaml.Node, where: str) -> list[tuple[str, int, yaml.Node]]:
        """A mapping's entries (key text, line, value node); a key given twice is a problem."""
        found, seen = [], set()
        for key_node, value in node.value:
            line = line_of(key_node)
            if not isinstance(key_node, yaml.ScalarNode):  # refused by compose; kept safe
                self.problem(line, where or None, key_node, "a key must be plain text")
                continue
            key = str(key_node.value)
            full = f"{where}.{key}" if where else key
            if key in seen:
                self.problem(line, full, key, "a code must be defined only once")
                continue
            seen.add(key)
            found.append((key, line, value))
        return found

    def codebook(self, root: yaml.Node | None) -> Codebook | None:
        if not isinstance(root, yaml.MappingNode):
            self.problem(
                1 if root is None else line_of(root),
                None,
                "empty" if root is None else root,
                "codebook must be a mapping with issues, stances, groups",
            )
            return None
        top = {}
        for key, line, value in self.entries(root, ""):
            if key not in TOP_KEYS:
                self.problem(line, key, key, f"unknown key; use {', '.join(TOP_KEYS)}")
            else:
                top[key] = (line, value)
        sections = {key: self.section(top.get(key), key) for key in ENTRY_KEYS}
        stances = {}
        for code, (_line, fields) in sections["stances"].items():
            score = self.score(fields.get("score"), f"stances.{code}.score")
            stances[code] = Stance(
                code,
                score,
                self.label(fields, code, f"stances.{code}"),
                self.text(fields, "meaning", f"stances.{code}"),
                self.text(fields, "rule", f"stances.{code}"),
                self.short(fields, "in_sentence", f"stances.{code}"),
                self.short(fields, "verb", f"stances.{code}"),
                self.short(fields, "verb_plural", f"stances.{code}"),
            )
        if stances and not any(stance.score is None for stance in stances.values()):
            self.problem(
                top["stances"][0],
                "stances",
                ", ".join(stances),
                "one stance must have score null (silence)",
            )
        issues = {
            code: self.label(fields, code, f"issues.{code}")
            for code, (_, fields) in sections["issues"].items()
        }
        questions = {
            code: self.text(fields, "question", f"issues.{code}")
            for code, (_, fields) in sections["issues"].items()
        }
        issue_words = {
            code: Issue(
                self.short(fields, "in_sentence", f"issues.{code}") or issues[code],
                self.choice(fields, "pronoun", f"issues.{code}", PRONOUNS) or "it",
            )
            for code, (_, fields) in sections["issues"].items()
        }
        position = self.choice(
            {"position": top["position"]} if "position" in top else {},
            "position",
            "",
            POSITION_RULES,
        )
        groups = {
            code: self.label(fields, code, f"groups.{code}")
            for code, (_, fields) in sections["groups"].items()
        }
        self.unique_labels("issues", sections["issues"], issues)
        self.unique_labels("stances", sections["stances"], {c: s.label for c, s in stances.items()})
        self.unique_labels("groups", sections["groups"], groups)
        cues = self.cues(
            top.get("cues"),
            None if "issues" in self.broken else set(issues),
            None if "stances" in self.broken else self.scored,
        )
        return Codebook(
            issues, questions, stances, groups, cues, position or STRONGEST, issue_words
        )

    def section(
        self, found: tuple[int, yaml.Node] | None, key: str
    ) -> dict[str, tuple[int, dict[str, tuple[int, yaml.Node]]]]:
        """code -> (line, field -> (line, value node)), for the codes that are well formed."""
        if found is None or not isinstance(found[1], yaml.MappingNode) or not found[1].value:
            line = found[0] if found else None
            value = "missing" if found is None else found[1]
            self.problem(line, key, value, f"'{key}' must be a non-empty mapping")
            self.broken.add(key)
            return {}
        checked: dict[str, tuple[int, dict[str, tuple[int, yaml.Node]]]] = {}
        for code, line, spec in self.entries(found[1], key):
            where = f"{key}.{code}"
            if not is_code(code):
                self.problem(line, where, code, "a code must match [a-z][a-z0-9_]*")
                continue
            if _is_null(spec):
                checked[code] = (line, {})
                continue
            if not isinstance(spec, yaml.MappingNode):
                self.problem(line, where, spec, "a code's entry must be a mapping (label, ...)")
                continue
            fields = {}
            for field, field_line, value in self.entries(spec, where):
                if field not in ENTRY_KEYS[key]:
                    self.problem(
                        field_line,
                        f"{where}.{field}",
                        field,
                        f"unknown key; use {', '.join(ENTRY_KEYS[key])}",
                    )
                else:
                    fields[field] = (field_line, value)
            checked[code] = (line, fields)
        return checked

    def score(self, found: tuple[int, yaml.Node] | None, where: str) -> int | None:
        if found is None or _is_null(found[1]):
            return None
        self.scored.add(where.split(".")[1])  # meant to be scored, even if the score is wrong
        line, node = found
        if node.tag == "tag:yaml.org,2002:int" and isinstance(node, yaml.ScalarNode):
            try:
                score = int(str(node.value).replace("_", ""), 0)
            except ValueError:
                score = None
            if score in SCORE_RANGE:
                return score
        self.problem(
            line, where, node, "score must be an integer from -2 to 2, or null for silence"
        )
        return None

    def label(self, fields: dict[str, tuple[int, yaml.Node]], code: str, where: str) -> str:
        if "label" not in fields:
            return code
        line, node = fields["label"]
        text = self.plain_text(line, node, f"{where}.label")
        if text is None:
            return code
        if NAME_FORBIDDEN.search(text):
            self.problem(line, f"{where}.label", text, CONTROL_RULE)
        if len(text) > MAX_LABEL_CHARS:
            self.problem(
                line,
                f"{where}.label",
                text,
                f"a label may hold at most {MAX_LABEL_CHARS} characters",
            )
        return text

    def short(self, fields: dict[str, tuple[int, yaml.Node]], key: str, where: str) -> str:
        """Words set into sentences: plain text of a label's length, or ''."""
        if key not in fields:
            return ""
        line, node = fields[key]
        full = f"{where}.{key}" if where else key
        text = self.plain_text(line, node, full)
        if text is None:
            return ""
        if NAME_FORBIDDEN.search(text) or len(text) > MAX_LABEL_CHARS:
            self.problem(
                line,
                full,
                text,
                f"must be one line of at most {MAX_LABEL_CHARS} characters, {CONTROL_RULE}",
            )
            return ""
        return text

    def choice(
        self, fields: dict[str, tuple[int, yaml.Node]], key: str, where: str, allowed: tuple
    ) -> str:
        """One of `allowed`, or '' when absent (the caller's stated default) or wrong."""
        text = self.short(fields, key, where)
        full = f"{where}.{key}" if where else key
        if text and text not in allowed:
            self.problem(fields[key][0], full, text, f"must be one of {', '.join(allowed)}")
            return ""
        return text

    def text(self, fields: dict[str, tuple[int, yaml.Node]], key: str, where: str) -> str:
        if key not in fields:
            return ""
        line, node = fields[key]
        if _is_null(node):
            return ""
        text = self.plain_text(line, node, f"{where}.{key}")
        if text is None:
            return ""
        if TEXT_FORBIDDEN.search(text):
            self.problem(line, f"{where}.{key}", text, CONTROL_RULE)
        if len(text) > MAX_TEXT_CHARS:
            self.problem(
                line, f"{where}.{key}", text, f"a text may hold at most {MAX_TEXT_CHARS} characters"
            )
        return text

    def plain_text(self, line: int, node: yaml.Node, where: str) -> str | None:
        if (
            not isinstance(node, yaml.ScalarNode)
            or node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")
            or not str(node.value).strip()
        ):
            self.problem(line, where, node, "must be non-empty text (quote it if need be)")
            return None
        return str(node.value).strip()

    def unique_labels(
        self, key: str, section: dict[str, tuple[int, Any]], labels: dict[str, str]
    ) -> None:
        seen: dict[str, str] = {}
        for code, label in labels.items():
            folded = label.casefold()
            if folded in seen:
                self.problem(
                    section[code][0],
                    f"{key}.{code}.label",
                    label,
                    f"labels must be unique in '{key}' (also the label of {seen[folded]})",
                )
            else:
                seen[folded] = code

    def cues(
        self,
        found: tuple[int, yaml.Node] | None,
        issues: set[str] | None,
        stances: set[str] | None,
    ) -> dict[str, dict[str, dict[str, list[str]]]]:
        """Cues: issue -> stance -> ISO 639-1 language -> list of phrases (silence has none).
        Codes are not checked against a section that could not be read (None)."""
        if found is None or _is_null(found[1]):
            return {}
        line, node = found
        if not isinstance(node, yaml.MappingNode):
            self.problem(line, "cues", node, "'cues' must be a mapping by issue")
            return {}
        cues: dict[str, dict[str, dict[str, list[str]]]] = {}
        for issue, issue_line, by_stance in self.entries(node, "cues"):
            if issues is not None and issue not in issues:
                self.problem(issue_line, f"cues.{issue}", issue, "unknown issue code")
                continue
            if not isinstance(by_stance, yaml.MappingNode):
                self.problem(issue_line, f"cues.{issue}", by_stance, "must be a mapping by stance")
                continue
            cues[issue] = {}
            for stance, stance_line, by_language in self.entries(by_stance, f"cues.{issue}"):
                where = f"cues.{issue}.{stance}"
                if stances is not None and stance not in stances:
                    self.problem(
                        stance_line,
                        where,
                        stance,
                        "must be a scored stance code (silence has no words)",
                    )
                    continue
                phrases = _phrases(by_language)
                if phrases is None:
                    self.problem(
                        stance_line,
                        where,
                        by_language,
                        "must map two-letter language codes to lists of phrases",
                    )
                    continue
                cues[issue][stance] = phrases
        return cues


def _phrases(node: yaml.Node) -> dict[str, list[str]] | None:
    """language -> phrases, or None when the node is not that shape."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found: dict[str, list[str]] = {}
    for key, value in node.value:
        if (
            not isinstance(key, yaml.ScalarNode)
            or len(str(key.value)) != 2
            or not isinstance(value, yaml.SequenceNode)
        ):
            return None
        phrases = []
        for item in value.value:
            if (
                not isinstance(item, yaml.ScalarNode)
                or item.tag != "tag:yaml.org,2002:str"
                or not str(item.value).strip()
                or TEXT_FORBIDDEN.search(str(item.value))
            ):
                return None
            phrases.append(str(item.value))
        found[str(key.value)] = phrases
    return found


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
