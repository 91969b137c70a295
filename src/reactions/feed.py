"""An Atom feed of what moved, run after run: `report/feed.xml`, one entry per changed page.

The feed is written by feedgen (a library made for Atom: required elements, escaping) and
accumulates: the entries of the feed it replaces are read back and kept, newest first, up to
MAX_ENTRIES. An entry's id is derived from its page and its run's time, so it never changes
and a reader shows it once; its link is relative (the pages live beside the feed). A run that
moved nothing leaves the feed as it was (no entry, no new `updated`), so readers see nothing new.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from reactions.changes import MAX_MOVES, PageChange
from reactions.provenance import utc_stamp

FEED_NAME = "feed.xml"
MAX_ENTRIES = 200
ATOM = "{http://www.w3.org/2005/Atom}"
NAMESPACE = uuid.UUID("5f0c6b52-8f3e-4c57-9a51-2f6b3f0d4e7a")  # this project's ids, fixed
TITLE = "Reactions: what changed in the published pages"
# Characters XML 1.0 cannot carry at all (control characters); replaced, never written.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    """One feed entry: a page whose findings moved in one run."""

    id: str
    title: str
    updated: dt.datetime
    link: str
    content: str  # HTML, escaped here; feedgen escapes it again as XML text
    category: str


def entry_id(stem: str, run_time: dt.datetime) -> str:
    """The same page and run always give the same id (a name-based UUID)."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{stem} {utc_stamp(run_time)}')}"


def feed_id(out_dir: Path) -> str:
    """A new feed's id, from its folder; kept from the existing feed ever after."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, 'feed ' + out_dir.resolve().as_posix())}"


def change_entry(change: PageChange, run_time: dt.datetime) -> Entry:
    """A changed page as an entry: the first move in the title, the moves listed."""
    items = [
        f"<li><b>{_text(move.finding)}</b>: {_text(move.text)}</li>"
        for move in change.moves[:MAX_MOVES]
    ]
    more = len(change.moves) - MAX_MOVES
    if more > 0:
        items.append(f"<li>and {more} more</li>")
    return Entry(
        id=entry_id(change.stem, run_time),
        title=f"{change.stem}: {change.summary()}",
        updated=run_time.astimezone(dt.UTC).replace(microsecond=0),
        link=quote(f"{change.stem}.html"),
        content="<ul>" + "".join(items) + "</ul>",
        category=change.stem.split(".")[0],
    )


def read_feed(content: bytes) -> tuple[str | None, list[Entry]]:
    """The id and entries of a feed this module wrote; (None, []) for anything unreadable."""
    try:
        root = ElementTree.fromstring(content)
        if root.tag != f"{ATOM}feed":
            return None, []
        entries = [_entry(element) for element in root.iter(f"{ATOM}entry")]
        return root.findtext(f"{ATOM}id"), entries
    except (ElementTree.ParseError, ValueError, TypeError):
        return None, []


def _entry(element: ElementTree.Element) -> Entry:
    link = next(
        (
            node.get("href", "")
            for node in element.iter(f"{ATOM}link")
            if node.get("rel", "alternate") == "alternate"
        ),
        "",
    )
    category = element.find(f"{ATOM}category")
    return Entry(
        id=element.findtext(f"{ATOM}id") or "",
        title=element.findtext(f"{ATOM}title") or "",
        updated=dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated") or ""),
        link=link,
        content=element.findtext(f"{ATOM}content") or "",
        category=category.get("term", "") if category is not None else "",
    )


def updated_feed(
    existing: bytes | None,
    changes: Iterable[PageChange],
    run_time: dt.datetime,
    out_dir: Path,
) -> bytes | None:
    """The feed with this run's changed pages added before the earlier entries, or None when
    the feed exists and nothing moved (it is then left untouched)."""
    run_time = run_time.astimezone(dt.UTC).replace(microsecond=0)
    fresh = [
        change_entry(change, run_time)
        for change in sorted(changes, key=lambda change: change.stem)
        if change.status == "changed"
    ]
    known_id, earlier = read_feed(existing) if existing is not None else (None, [])
    if existing is not None and known_id is not None and not fresh:
        return None
    ids = {entry.id for entry in fresh}
    entries = (fresh + [entry for entry in earlier if entry.id not in ids])[:MAX_ENTRIES]
    updated = max((entry.updated for entry in entries), default=run_time)
    return feed_xml(known_id or feed_id(out_dir), entries, updated)


def feed_xml(identifier: str, entries: list[Entry], updated: dt.datetime) -> bytes:
    """Valid Atom: feed id, title, author, updated, links; each entry's id, title, updated,
    link, category and content."""
    generator = FeedGenerator()
    generator.id(_xml(identifier))
    generator.title(TITLE)
    generator.author({"name": "reactions"})
    generator.link(href="index.html", rel="alternate", type="text/html")
    generator.link(href=FEED_NAME, rel="self", type="application/atom+xml")
    generator.language("en")
    generator.generator("reactions (feedgen)")
    generator.updated(updated.astimezone(dt.UTC))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(_xml(entry.id))
        item.title(_xml(entry.title))
        item.updated(entry.updated.astimezone(dt.UTC))
        item.link(href=_xml(entry.link), rel="alternate", type="text/html")
        if entry.category:
            item.category(term=_xml(entry.category))
        item.content(_xml(entry.content), type="html")
    return generator.atom_str(pretty=True, encoding="UTF-8")


def _text(text: str) -> str:
    """Text for an HTML element's content (no attribute, so quotes may stay as they are)."""
    return html.escape(text, quote=False)


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)
