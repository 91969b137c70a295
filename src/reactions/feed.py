"""An Atom feed of what moved, run after run: `report/feed.xml`.

One entry per changed page, titled with the page's title: a moved headline first
("Headline changed: «old» → «new»"), then a moved title, then, when the data version changed
with it, a dated correction note (and the category `correction`), then what moved in its
findings (coverage counts as one line: reactions.changes). A run that published pages for the
first time adds one entry listing them ("Site first published: N pages" when there was no feed
yet). A run that moved nothing and published nothing new leaves the feed as it was (no entry,
no new `updated`), so readers see nothing new.

The feed is written by feedgen (a library made for Atom: required elements, escaping) and
accumulates: the entries of the feed it replaces are read back and kept, newest first, up to
MAX_ENTRIES. An entry's id is derived from its page and its run's time, so it never changes
and a reader shows it once. With a base URL (the site's address) every link, `rel="self"`
included, is absolute and the feed carries it as `xml:base`; without one, links are relative
to the feed (the pages live beside it), which readers resolve only against the address they
fetched the feed from.
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
from urllib.parse import quote, urljoin, urlsplit
from xml.sax.saxutils import quoteattr

from feedgen.feed import FeedGenerator

from reactions.changes import ARROW, MAX_MOVES, PageChange, excerpts
from reactions.provenance import long_date, utc_stamp

FEED_NAME = "feed.xml"
MAX_ENTRIES = 200
ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
NAMESPACE = uuid.UUID("5f0c6b52-8f3e-4c57-9a51-2f6b3f0d4e7a")  # this project's ids, fixed
TITLE = "Reactions: what changed in the published pages"
CORRECTION = "correction"  # the category of an entry that corrects its page
PUBLISHED = "published"  # the category of an entry listing pages published for the first time
# Characters XML 1.0 cannot carry at all (control characters); replaced, never written.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    """One feed entry: a page whose findings moved in one run, or the pages a run published
    for the first time."""

    id: str
    title: str
    updated: dt.datetime
    link: str
    content: str  # HTML, escaped here; feedgen escapes it again as XML text
    categories: tuple[str, ...] = ()


def site_base(base_url: str | None) -> str | None:
    """The site's address as a folder URL (ending in "/"), or None without one. Raises
    ValueError for anything but an absolute http(s) URL."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"a base URL must be an absolute http(s) URL, not {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def site_link(name: str, base: str | None) -> str:
    """A file of the site (a name, or a link read back from an earlier feed), absolute under
    `base` when there is one; relative names stay relative without."""
    return urljoin(base, name) if base else name


def entry_id(stem: str, run_time: dt.datetime) -> str:
    """The same page and run always give the same id (a name-based UUID)."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{stem} {utc_stamp(run_time)}')}"


def feed_id(out_dir: Path) -> str:
    """A new feed's id, from its folder; kept from the existing feed ever after."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, 'feed ' + out_dir.resolve().as_posix())}"


def change_entry(change: PageChange, run_time: dt.datetime, base: str | None = None) -> Entry:
    """A changed page as an entry titled with the page's title (its name when it has none): a
    moved headline first (around what moved in it: changes.excerpts), a moved title, a
    correction note, then the moves listed."""
    lines = []
    if change.headline:
        lines.append(_moved_line("Headline changed", *excerpts(*change.headline)))
    if change.retitled:
        lines.append(_moved_line("Title changed", *change.retitled))
    if change.correction:
        old, new = change.data_version or ("", "")
        date = change.on or run_time.astimezone(dt.UTC).date().isoformat()
        lines.append(
            f"<p><b>Correction, {_text(long_date(date))}:</b> the data behind this page were "
            f"corrected (data version {_text(old)}{ARROW}{_text(new)}); the page carries this "
            "correction.</p>"
        )
    items = [
        f"<li><b>{_text(move.finding)}</b>: {_text(move.text)}</li>"
        for move in change.moves[:MAX_MOVES]
    ]
    more = len(change.moves) - MAX_MOVES
    if more > 0:
        items.append(f"<li>and {more} more</li>")
    categories = (change.stem.split(".")[0],) + ((CORRECTION,) if change.correction else ())
    return Entry(
        id=entry_id(change.stem, run_time),
        title=change.title or change.stem,
        updated=_second(run_time),
        link=site_link(quote(f"{change.stem}.html"), base),
        content="".join(lines) + ("<ul>" + "".join(items) + "</ul>" if items else ""),
        categories=categories,
    )


def published_entry(
    pages: list[PageChange], run_time: dt.datetime, first: bool, base: str | None = None
) -> Entry:
    """The pages a run published for the first time, as one entry linking each."""
    noun = "page" if len(pages) == 1 else "pages"
    items = "".join(
        f'<li><a href="{_attribute(site_link(quote(f"{page.stem}.html"), base))}">'
        f"{_text(page.title or page.stem)}</a></li>"
        for page in pages
    )
    return Entry(
        id=entry_id(PUBLISHED, run_time),
        title=(
            f"Site first published: {len(pages)} {noun}"
            if first
            else f"Published: {len(pages)} new {noun}"
        ),
        updated=_second(run_time),
        link=site_link("index.html", base),
        content=f"<ul>{items}</ul>",
        categories=(PUBLISHED,),
    )


def _moved_line(what: str, before: str, after: str) -> str:
    return f"<p><b>{what}:</b> «{_text(before)}»{ARROW}«{_text(after)}»</p>"


def _second(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


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


def feed_base(content: bytes) -> str | None:
    """The `xml:base` of a feed this module wrote, if any."""
    try:
        return ElementTree.fromstring(content).get(XML_BASE)
    except ElementTree.ParseError:
        return None


def _entry(element: ElementTree.Element) -> Entry:
    link = next(
        (
            node.get("href", "")
            for node in element.iter(f"{ATOM}link")
            if node.get("rel", "alternate") == "alternate"
        ),
        "",
    )
    return Entry(
        id=element.findtext(f"{ATOM}id") or "",
        title=element.findtext(f"{ATOM}title") or "",
        updated=dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated") or ""),
        link=link,
        content=element.findtext(f"{ATOM}content") or "",
        categories=tuple(
            node.get("term", "") for node in element.iter(f"{ATOM}category") if node.get("term")
        ),
    )


def updated_feed(
    existing: bytes | None,
    changes: Iterable[PageChange],
    run_time: dt.datetime,
    out_dir: Path,
    base_url: str | None = None,
) -> bytes | None:
    """The feed with this run's entries (each changed page, then the pages published for the
    first time) before the earlier ones, or None when the feed exists, nothing moved, nothing
    is new and its base URL is the same (it is then left untouched). A first publish (no feed
    yet) says the site was first published."""
    base = site_base(base_url)
    run_time = _second(run_time)
    pages = sorted(changes, key=lambda change: change.stem)
    fresh = [change_entry(change, run_time, base) for change in pages if change.status == "changed"]
    new = [change for change in pages if change.status == "new"]
    if new:
        fresh.append(published_entry(new, run_time, existing is None, base))
    known_id, earlier = read_feed(existing) if existing is not None else (None, [])
    same_base = existing is not None and feed_base(existing) == base
    if existing is not None and known_id is not None and not fresh and same_base:
        return None
    ids = {entry.id for entry in fresh}
    entries = (fresh + [entry for entry in earlier if entry.id not in ids])[:MAX_ENTRIES]
    updated = max((entry.updated for entry in entries), default=run_time)
    return feed_xml(known_id or feed_id(out_dir), entries, updated, base)


def feed_xml(
    identifier: str, entries: list[Entry], updated: dt.datetime, base: str | None = None
) -> bytes:
    """Valid Atom (RFC 4287): feed id, title, author, updated, links (alternate: the index;
    self: the feed); each entry's id, title, updated, link, categories and content. With a
    base, links are absolute and the feed carries it as its `xml:base`."""
    generator = FeedGenerator()
    generator.id(_xml(identifier))
    generator.title(TITLE)
    generator.author({"name": "reactions"})
    generator.link(href=_xml(site_link("index.html", base)), rel="alternate", type="text/html")
    generator.link(href=_xml(site_link(FEED_NAME, base)), rel="self", type="application/atom+xml")
    generator.language("en")
    generator.generator("reactions (feedgen)")
    generator.updated(updated.astimezone(dt.UTC))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(_xml(entry.id))
        item.title(_xml(entry.title))
        item.updated(entry.updated.astimezone(dt.UTC))
        item.link(href=_xml(site_link(entry.link, base)), rel="alternate", type="text/html")
        for term in entry.categories:
            item.category(term=_xml(term))
        item.content(_xml(entry.content), type="html")
    feed: bytes = generator.atom_str(pretty=True, encoding="UTF-8")
    if base:  # feedgen 1.0.0 has no setter for it; its root element is written `<feed xmlns=`
        feed = feed.replace(b"<feed ", f"<feed xml:base={quoteattr(_xml(base))} ".encode(), 1)
    return feed


def _text(text: str) -> str:
    """Text for an HTML element's content (no attribute, so quotes may stay as they are)."""
    return html.escape(text, quote=False)


def _attribute(text: str) -> str:
    """Text for a double-quoted HTML attribute value."""
    return html.escape(text, quote=True)


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)
