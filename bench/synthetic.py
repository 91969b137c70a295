"""Write a synthetic dataset to the contract, for benchmarks: N statements from ~200 actors.

Actors are real ISO countries (so iso3 validates); statements cover three issues over a year
with a realistic stance mix (mostly rejection, some hedging, some support, some silence). Quotes
and sources are obviously synthetic. Deterministic for a given size and seed.

    python bench/synthetic.py 100000 bench/data-100k
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
from pathlib import Path

import pycountry

from reactions.dataset import STATEMENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
ISSUES = ["recognition", "mobilization", "war_participation"]
STANCES = [
    "explicit_rejection",
    "implicit_rejection",
    "ambiguous",
    "implicit_support",
    "explicit_support",
    "silent",
]
STANCE_WEIGHTS = [50, 10, 12, 5, 10, 13]
GROUPS = ["russia_allies", "russia_partners", "non_aligned", "west", "international_organizations"]
GROUP_WEIGHTS = [5, 10, 45, 35, 5]


def write(size: int, folder: Path, actors: int = 200, seed: int = 7) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "codebook.yml", folder / "codebook.yml")
    shutil.copy(ROOT / "data" / "events.csv", folder / "events.csv")
    countries = sorted(pycountry.countries, key=lambda country: country.alpha_3)[:actors]
    ids = [f"c-{country.alpha_3.lower()}" for country in countries]
    with (folder / "actors.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["actor_id", "name", "kind", "iso3", "group", "memberships", "region"])
        for actor_id, country in zip(ids, countries, strict=True):
            group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
            writer.writerow([actor_id, country.name, "state", country.alpha_3, group, "", ""])
    start = dt.date(2022, 1, 1)
    with (folder / "statements.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(STATEMENT_COLUMNS)
        for number in range(size):
            date = (start + dt.timedelta(days=rng.randrange(365))).isoformat()
            stance = rng.choices(STANCES, STANCE_WEIGHTS)[0]
            silent = stance == "silent"
            writer.writerow(
                [
                    f"s{number:07d}",
                    date,
                    "day",
                    rng.choice(ids),
                    "Synthetic speaker",
                    "Minister",
                    "Synthetic occasion" if silent else "",
                    rng.choice(ISSUES),
                    stance,
                    "" if silent else f"Synthetic statement {number}",
                    "" if silent else "en",
                    "",
                    "Synthetic source",
                    date,
                    f"https://example.org/s/{number}",
                    "Synthetic",
                    "bench",
                    "",
                ]
            )
    with (folder / "votes.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["resolution", "date", "actor_id", "vote", "source_title", "source_url"])
        for actor_id in ids:
            vote = rng.choices(["yes", "no", "abstain", "absent"], [70, 3, 20, 7])[0]
            writer.writerow(["A/RES/ES-11/4", "2022-10-12", actor_id, vote, "Synthetic", ""])
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("folder", type=Path)
    arguments = parser.parse_args()
    write(arguments.size, arguments.folder)


if __name__ == "__main__":
    main()
