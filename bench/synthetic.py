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

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "data" / "ukraine-annexation-2022"  # codebook, events and headers come from it
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


def header(name: str) -> list[str]:
    """The real file's header: the synthetic files follow the layout the story has today."""
    with (STORY / name).open(encoding="utf-8-sig", newline="") as stream:
        return next(csv.reader(stream))


def write(size: int, folder: Path, actors: int = 200, seed: int = 7) -> Path:
    """A story folder without story.yml: pages fall back to neutral defaults, so benchmarks pass
    their parameters explicitly."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(STORY / "codebook.yml", folder / "codebook.yml")
    shutil.copy(STORY / "events.csv", folder / "events.csv")
    countries = sorted(pycountry.countries, key=lambda country: country.alpha_3)[:actors]
    ids = [f"c-{country.alpha_3.lower()}" for country in countries]
    with (folder / "actors.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header("actors.csv"), lineterminator="\n", restval="")
        writer.writeheader()
        for actor_id, country in zip(ids, countries, strict=True):
            group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
            writer.writerow(
                {
                    "actor_id": actor_id,
                    "name": country.name,
                    "kind": "state",
                    "iso3": country.alpha_3,
                    "group": group,
                }
            )
    start = dt.date(2022, 1, 1)
    with (folder / "statements.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header("statements.csv"), lineterminator="\n", restval="")
        writer.writeheader()
        for number in range(size):
            date = (start + dt.timedelta(days=rng.randrange(365))).isoformat()
            stance = rng.choices(STANCES, STANCE_WEIGHTS)[0]
            silent = stance == "silent"
            writer.writerow(
                {
                    "statement_id": f"s{number:07d}",
                    "date": date,
                    "date_precision": "day",
                    "actor_id": rng.choice(ids),
                    "speaker": "Synthetic speaker",
                    "speaker_role": "Minister",
                    "occasion": "Synthetic occasion" if silent else "",
                    "issue": rng.choice(ISSUES),
                    "stance": stance,
                    "quote": "" if silent else f"Synthetic statement {number}",
                    "quote_language": "" if silent else "en",
                    "source_title": "Synthetic source",
                    "source_date": date,
                    "source_url": f"https://example.org/s/{number}",
                    "publisher": "Synthetic",
                    "coder": "bench",
                }
            )
    with (folder / "votes.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header("votes.csv"), lineterminator="\n", restval="")
        writer.writeheader()
        for actor_id, country in zip(ids, countries, strict=True):
            vote = rng.choices(["yes", "no", "abstain", "absent"], [70, 3, 20, 7])[0]
            writer.writerow(
                {
                    "resolution": "A/RES/ES-11/4",
                    "date": "2022-10-12",
                    "actor_id": actor_id,
                    "iso3": country.alpha_3,
                    "vote": vote,
                    "source_title": "Synthetic",
                }
            )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("folder", type=Path)
    arguments = parser.parse_args()
    write(arguments.size, arguments.folder)


if __name__ == "__main__":
    main()
