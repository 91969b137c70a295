"""The story a dataset tells: its event, framing, default page, votes of record, section texts.

Everything about one event lives in the dataset's optional `story.yml`, never in code or
notebooks. A dataset with only the contract's files gets neutral defaults: every actor is the
comparison set, no vote is read against words, and section texts say nothing of any event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reactions.codebook import Codebook
from reactions.errors import DatasetError, Problem
from reactions.yamlfile import compose, construct, line_of, mapping_items

STORY_FILE = "story.yml"
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
READS_AS = {"rejection": -1, "support": 1}  # which way a yes vote reads on the stance scale


@dataclass(frozen=True)
class VoteResult:
    """A vote's official result, as its source (a UN press release, say) gives it: the whole
    vote, which a dataset's roll call may hold only part of."""

    yes: int
    no: int
    abstain: int
    absent: int
    source_title: str = ""
    source_url: str = ""

    @property
    def members(self) -> int:
        """Every member that could vote: the result's own count, never a constant."""
        return self.yes + self.no + self.abstain + self.absent


@dataclass(frozen=True)
class VoteOfRecord:
    """A recorded vote whose yes/no/abstain is read against the words on one issue."""

    resolution: str
    issue: str
    yes_reads_as: int  # -1: a yes sides against the scale's pole; +1: with it
    title: str = ""
    result: VoteResult | None = None  # the official result, when the story gives it
    line: int | None = None  # of story.yml, where the vote is declared


@dataclass(frozen=True)
class DatedText:
    """Part of a story text; one that tells later history is shown only from its date on."""

    text: str
    since: str = ""  # YYYY-MM-DD, or '' for a part true at any date


def text_as_of(parts: tuple[DatedText, ...], as_of: str) -> str:
    """The parts of a text a page dated `as_of` may show (dates compare as YYYY-MM-DD text)."""
    return " ".join(part.text for part in parts if not part.since or part.since <= as_of)


@dataclass(frozen=True)
class Story:
    slug: str
    title: str = ""
    event_date: str = ""
    framing: tuple[DatedText, ...] = ()
    framing_source_title: str = ""
    framing_source_url: str = ""
    pole: str = ""  # what +2 says yes to, as a sentence names it
    default_actor: str = ""
    default_issue: str = ""
    default_as_of: str = ""
    compare_with: tuple[str, ...] = field(default_factory=tuple)  # empty: every actor
    votes: tuple[VoteOfRecord, ...] = field(default_factory=tuple)
    silence_text: tuple[DatedText, ...] = ()
    sources_text: tuple[DatedText, ...] = ()

    def vote_for(self, issue: str) -> VoteOfRecord | None:
        """The vote of record read against an issue, if the story declares one."""
        return next((vote for vote in self.votes if vote.issue == issue), None)

    @property
    def pole_name(self) -> str:
        return self.pole or "the supporting end of the scale"


TEXT_KEYS = {"title", "event_date", "framing", "pole"}
TOP_KEYS = TEXT_KEYS | {"framing_source", "defaults", "votes", "texts"}
DEFAULT_KEYS = {"actor", "issue", "as_of", "compare_with"}
VOTE_KEYS = {"resolution", "issue", "yes_reads_as", "title", "result"}
RESULT_COUNTS = ("yes", "no", "abstain", "absent")
RESULT_KEYS = {*RESULT_COUNTS, "source_title", "source_url"}
PART_KEYS = {"text", "since"}
URL_PATTERN = re.compile(r"https?://[^\s/?#]+\S*\Z")
SOURCE_KEYS = {"title", "url"}
SECTION_TEXT_KEYS = {"silence", "sources"}


def story_slug(data_dir: Path) -> str:
    """The dataset folder's name as an output-name part: kept when safe, else made safe."""
    name = data_dir.resolve().name
    if SLUG_PATTERN.match(name):
        return name
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "dataset"
    return cleaned


def load_story(data_dir: Path, codebook: Codebook, actor_ids: set[str]) -> Story:
    """Read `story.yml` if the dataset has one, checking every key against the dataset."""
    slug = story_slug(data_dir)
    path = data_dir / STORY_FILE
    if not path.exists():
        return Story(slug)
    root = compose(path, DatasetError)
    checker = _Checker(path.name, codebook, actor_ids)
    story = checker.story(slug, root)
    if checker.problems:
        raise DatasetError(checker.problems)
    return story


class _Checker:
    """Collects every problem of a story file, each with its line and key."""

    def __init__(self, name: str, codebook: Codebook, actor_ids: set[str]) -> None:
        self.name = name
        self.codebook = codebook
        self.actor_ids = actor_ids
        self.problems: list[Problem] = []

    def problem(self, line: int | None, key: str, value: object, rule: str) -> None:
        self.problems.append(Problem(self.name, line, key, str(value)[:80], rule))

    def entries(self, node: yaml.Node | None, where: str, allowed: set[str]) -> dict:
        """A mapping's entries as key -> (value, line, node); unknown keys are problems."""
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(line_of(node), where or "story", "", "must be a mapping of keys")
            return {}
        found = {}
        for key, line, value in mapping_items(node):
            full = f"{where}.{key}" if where else key
            if key not in allowed:
                self.problem(line, full, key, f"unknown key; use {', '.join(sorted(allowed))}")
            elif key in found:
                self.problem(line, full, key, "a key must be given only once")
            else:
                found[key] = (construct(value), line, value)
        return found

    def text(self, entries: dict, key: str, where: str) -> str:
        if key not in entries:
            return ""
        value, line, _ = entries[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(line, where, value, "must be non-empty text")
            return ""
        return value.strip()

    def story(self, slug: str, root: yaml.Node | None) -> Story:
        if root is None:
            return Story(slug)
        top = self.entries(root, "", TOP_KEYS)
        source = self.entries(
            top.get("framing_source", (None, 0, None))[2], "framing_source", SOURCE_KEYS
        )
        defaults = self.entries(top.get("defaults", (None, 0, None))[2], "defaults", DEFAULT_KEYS)
        texts = self.entries(top.get("texts", (None, 0, None))[2], "texts", SECTION_TEXT_KEYS)
        url = self.url(source, "url", "framing_source.url")
        event_date = self.text(top, "event_date", "event_date")
        if event_date:
            self.date(event_date, top["event_date"][1], "event_date")
        return Story(
            slug=slug,
            title=self.text(top, "title", "title"),
            event_date=event_date,
            framing=self.dated(top, "framing", "framing"),
            framing_source_title=self.text(source, "title", "framing_source.title"),
            framing_source_url=url,
            pole=self.text(top, "pole", "pole"),
            default_actor=self.code(defaults, "actor", self.actor_ids, "an actor_id of actors.csv"),
            default_issue=self.code(
                defaults, "issue", set(self.codebook.issues), "an issue code of codebook.yml"
            ),
            default_as_of=self.default_date(defaults),
            compare_with=self.actor_list(defaults),
            votes=self.votes(top.get("votes")),
            silence_text=self.dated(texts, "silence", "texts.silence"),
            sources_text=self.dated(texts, "sources", "texts.sources"),
        )

    def url(self, entries: dict, key: str, where: str) -> str:
        url = self.text(entries, key, where)
        if url and not URL_PATTERN.match(url):
            self.problem(entries[key][1], where, url, "must be an http(s) URL")
            return ""
        return url

    def dated(self, entries: dict, key: str, where: str) -> tuple[DatedText, ...]:
        """A text given whole, or as a list of parts: plain text (shown at any date) or
        `{text, since}` (shown on pages dated `since` or later: later history)."""
        if key not in entries:
            return ()
        _, line, node = entries[key]
        if not isinstance(node, yaml.SequenceNode):
            text = self.text(entries, key, where)
            return (DatedText(text),) if text else ()
        parts = []
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                fields = self.entries(item, where, PART_KEYS)
                text = self.text(fields, "text", f"{where}.text")
                since = self.text(fields, "since", f"{where}.since")
                if not text:
                    self.problem(line_of(item), f"{where}.text", "", "required key is missing")
                if since and not self.date(since, fields["since"][1], f"{where}.since"):
                    since = ""
                if text:
                    parts.append(DatedText(text, since))
            else:
                entry = {"part": (construct(item), line_of(item), item)}
                text = self.text(entry, "part", where)
                if text:
                    parts.append(DatedText(text))
        if not parts:
            self.problem(line, where, "", "must be non-empty text or a list of parts")
        return tuple(parts)

    def result(self, entries: dict) -> VoteResult | None:
        """A vote's official result: four counts, and where they are published."""
        if "result" not in entries:
            return None
        _, line, node = entries["result"]
        fields = self.entries(node, "votes.result", RESULT_KEYS)
        counts = {}
        for key in RESULT_COUNTS:
            value = fields.get(key, (None, line, None))[0]
            if key not in fields:
                self.problem(line, f"votes.result.{key}", "", "required key is missing")
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10_000:
                self.problem(
                    fields[key][1], f"votes.result.{key}", value, "must be a whole number >= 0"
                )
            else:
                counts[key] = value
        title = self.text(fields, "source_title", "votes.result.source_title")
        url = self.url(fields, "source_url", "votes.result.source_url")
        if len(counts) < len(RESULT_COUNTS):
            return None
        return VoteResult(**counts, source_title=title, source_url=url)

    def code(self, entries: dict, key: str, allowed: set[str], what: str) -> str:
        value = self.text(entries, key, f"defaults.{key}")
        if value and value not in allowed:
            self.problem(entries[key][1], f"defaults.{key}", value, f"must be {what}")
            return ""
        return value

    def date(self, value: str, line: int, key: str) -> bool:
        try:
            ok = dt.date.fromisoformat(value).isoformat() == value
        except ValueError:
            ok = False
        if not ok:
            self.problem(line, key, value, "must be a real date written YYYY-MM-DD")
        return ok

    def default_date(self, entries: dict) -> str:
        value = self.text(entries, "as_of", "defaults.as_of")
        if value and not self.date(value, entries["as_of"][1], "defaults.as_of"):
            return ""
        return value

    def actor_list(self, entries: dict) -> tuple[str, ...]:
        if "compare_with" not in entries:
            return ()
        value, line, _ = entries["compare_with"]
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(line, "defaults.compare_with", value, "must be a list of actor_ids")
            return ()
        for actor in value:
            if actor not in self.actor_ids:
                self.problem(
                    line, "defaults.compare_with", actor, "must be an actor_id of actors.csv"
                )
        return tuple(dict.fromkeys(actor for actor in value if actor in self.actor_ids))

    def votes(self, found: tuple | None) -> tuple[VoteOfRecord, ...]:
        if found is None:
            return ()
        _, line, node = found
        if not isinstance(node, yaml.SequenceNode):
            self.problem(line, "votes", "", "must be a list of votes of record")
            return ()
        votes = []
        for item in node.value:
            entries = self.entries(item, "votes", VOTE_KEYS)
            missing = [key for key in ("resolution", "issue", "yes_reads_as") if key not in entries]
            for key in missing:
                self.problem(line_of(item), f"votes.{key}", "", "required key is missing")
            resolution = self.text(entries, "resolution", "votes.resolution")
            issue = self.text(entries, "issue", "votes.issue")
            if issue and issue not in self.codebook.issues:
                self.problem(
                    entries["issue"][1],
                    "votes.issue",
                    issue,
                    "must be an issue code of codebook.yml",
                )
            reads_as = self.text(entries, "yes_reads_as", "votes.yes_reads_as")
            if reads_as and reads_as not in READS_AS:
                self.problem(
                    entries["yes_reads_as"][1],
                    "votes.yes_reads_as",
                    reads_as,
                    f"must be one of {', '.join(READS_AS)}",
                )
            if (
                missing
                or not resolution
                or issue not in self.codebook.issues
                or (reads_as not in READS_AS)
            ):
                continue
            votes.append(
                VoteOfRecord(
                    resolution,
                    issue,
                    READS_AS[reads_as],
                    self.text(entries, "title", "votes.title"),
                    self.result(entries),
                    entries["resolution"][1],
                )
            )
        return tuple(votes)
