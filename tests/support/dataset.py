"""A small synthetic dataset (obviously fake quotes) whose positions are known by construction,
and the writer that puts it (or a changed copy) in a story folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from support.paths import DATA

ACTORS = [
    {
        "actor_id": "belarus",
        "name": "Belarus",
        "kind": "state",
        "iso3": "BLR",
        "group": "russia_allies",
        "memberships": "CSTO;EAEU",
        "region": "Eastern Europe",
    },
    {
        "actor_id": "kazakhstan",
        "name": "Kazakhstan",
        "kind": "state",
        "iso3": "KAZ",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "Central Asia",
    },
    {
        "actor_id": "serbia",
        "name": "Serbia",
        "kind": "state",
        "iso3": "SRB",
        "group": "russia_partners",
        "memberships": "",
        "region": "Balkans",
    },
    {
        "actor_id": "south-ossetia",
        "name": "South Ossetia",
        "kind": "unrecognized_state",
        "iso3": "",
        "group": "russia_backed_entities",
        "memberships": "",
        "region": "South Caucasus",
    },
    {
        "actor_id": "syria",
        "name": "Syria",
        "kind": "state",
        "iso3": "SYR",
        "group": "russia_partners",
        "memberships": "",
        "region": "Middle East",
    },
    {
        "actor_id": "g7",
        "name": "G7",
        "kind": "group",
        "iso3": "",
        "group": "west",
        "memberships": "",
        "region": "Global",
    },
    {
        "actor_id": "armenia",
        "name": "Armenia",
        "kind": "state",
        "iso3": "ARM",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "South Caucasus",
    },
    {
        "actor_id": "tajikistan",
        "name": "Tajikistan",
        "kind": "state",
        "iso3": "TJK",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "Central Asia",
    },
]


def statement(
    statement_id: str,
    date: str,
    actor_id: str,
    issue: str,
    stance: str,
    quote: str = "",
    **extra: str,
) -> dict[str, str]:
    row = {
        "statement_id": statement_id,
        "date": date,
        "date_precision": "day",
        "actor_id": actor_id,
        "speaker": f"Speaker of {actor_id}",
        "speaker_role": "Minister",
        "occasion": "",
        "issue": issue,
        "stance": stance,
        "quote": quote,
        "quote_language": "en" if quote else "",
        "quote_en": "",
        "source_title": f"Fixture source {statement_id}",
        "source_date": date,
        "source_url": f"https://example.org/{statement_id}",
        "publisher": "Fixture",
        "coder": "tests",
        "notes": "",
    }
    row.update(extra)
    return row


STATEMENTS = [
    statement("g7-rec", "2022-09-20", "g7", "recognition", "explicit_rejection", "fixture: never"),
    statement(
        "by-mob",
        "2022-09-23",
        "belarus",
        "mobilization",
        "explicit_rejection",
        "fixture: no mobilization",
    ),
    statement(
        "by-rec-makei",
        "2022-09-24",
        "belarus",
        "recognition",
        "ambiguous",
        "fixture: national interests",
        date_precision="week",
    ),
    statement(
        "by-rec-sochi",
        "2022-09-26",
        "belarus",
        "recognition",
        "silent",
        occasion="Fixture talks in Sochi",
    ),
    statement(
        "by-war-sochi",
        "2022-09-26",
        "belarus",
        "war_participation",
        "silent",
        occasion="Fixture talks in Sochi",
    ),
    statement(
        "kz-rec",
        "2022-09-26",
        "kazakhstan",
        "recognition",
        "implicit_rejection",
        "fixture: territorial integrity",
    ),
    statement(
        "rs-rec",
        "2022-09-26",
        "serbia",
        "recognition",
        "explicit_rejection",
        "fixture: cannot accept",
    ),
    statement(
        "so-rec",
        "2022-09-26",
        "south-ossetia",
        "recognition",
        "explicit_support",
        "fixture: fully support",
    ),
    statement(
        "sy-rec",
        "2022-09-27",
        "syria",
        "recognition",
        "implicit_support",
        "fixture: respects the will",
        quote_language="ar",
        quote_en="fixture: respects the will (English)",
    ),
    statement(
        "tj-rec", "2022-09-28", "tajikistan", "recognition", "silent", occasion="Fixture summit"
    ),
    statement(
        "by-rec-oct",
        "2022-10-05",
        "belarus",
        "recognition",
        "implicit_support",
        "fixture: later words",
    ),
]

EVENTS = [
    {
        "event_id": "referendums-announced",
        "date": "2022-09-20",
        "title": "Referendums announced",
        "description": "",
        "source_title": "Fixture",
        "source_url": "",
    },
    {
        "event_id": "sochi-talks",
        "date": "2022-09-26",
        "title": "Sochi talks",
        "description": "",
        "source_title": "Fixture",
        "source_url": "https://example.org/sochi",
    },
    {
        "event_id": "es-11-4",
        "date": "2022-10-12",
        "title": "ES-11/4",
        "description": "",
        "source_title": "Fixture",
        "source_url": "",
    },
]


VOTES = [
    {
        "resolution": "A/RES/68/262",
        "date": "2014-03-27",
        "actor_id": "belarus",
        "vote": "no",
        "source_title": "Fixture record",
        "source_url": "https://example.org/68-262",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "belarus",
        "vote": "no",
        "source_title": "Fixture record",
        "source_url": "https://example.org/es-11-4",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "kazakhstan",
        "vote": "abstain",
        "source_title": "Fixture record",
        "source_url": "",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "serbia",
        "vote": "yes",
        "source_title": "Fixture record",
        "source_url": "",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "armenia",
        "vote": "abstain",
        "source_title": "Fixture record",
        "source_url": "",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_dataset(
    folder: Path,
    statements: list[dict[str, str]] | None = None,
    actors: list[dict[str, str]] | None = None,
    votes: list[dict[str, str]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yml", folder / "codebook.yml")
    write_csv(folder / "actors.csv", actors or ACTORS)
    write_csv(folder / "statements.csv", statements or STATEMENTS)
    write_csv(folder / "events.csv", EVENTS)
    write_csv(folder / "votes.csv", votes or VOTES)
    return folder
