#!/usr/bin/env python3
"""Convert Erik Voeten's UN General Assembly roll calls (as packaged in GitHub dgrtwo/unvotes) into
votes.csv rows of a story, so that a story's roll calls can be rebuilt and checked.

README (how the 2008 story's roll calls were built)
---------------------------------------------------
Source: Erik Voeten, "United Nations General Assembly Voting Data" (Harvard Dataverse,
hdl:1902.1/12379, CC0), as packaged in the R package `unvotes` (github.com/dgrtwo/unvotes). Read:

    # the package's git snapshot (any clone of dgrtwo/unvotes); record its commit
    git --git-dir=UNVOTES.git show HEAD:data/un_votes.rda > /tmp/unv/un_votes.rda
    git --git-dir=UNVOTES.git show HEAD:data/un_roll_calls.rda > /tmp/unv/un_roll_calls.rda
    # a THROW-AWAY virtualenv: pyreadr is not a dependency of this project
    python3 -m venv /tmp/rda && /tmp/rda/bin/pip install pyreadr
    /tmp/rda/bin/python tools/unvotes_rollcalls.py --rda-dir /tmp/unv --commit COMMIT \
        --data data/georgia-recognition-2008 \
        --roll 5047=A/RES/64/296@2010-09-07 --roll 5114=A/RES/65/287@2011-06-29 > rows.csv

The 2008 story's rows were built from dgrtwo/unvotes commit
7eb7034314ff79c49c9e0785fcd9d216fa04cf14,
data/un_votes.rda SHA-256
cf814a48bc536e8f87f8e027942ac515fe6aae9d63cd71dd88ed718b14887e87,
data/un_roll_calls.rda SHA-256
ff2070ae600cfd32176c6d149637306b9b677d6b910f48bec59a15357d673b4b.
The script prints both checksums and the commit on stderr and writes them into each row's
source_title.

What the package holds, and what this script therefore does:
- Only yes / abstain / no: absent and non-member rows were dropped by the package, so absentees
  are a count from the UN press release (story.yml `result:`), never rows made here.
- Countries are English short names with 2-letter codes; COUNTRIES below maps each code of the
  roll calls used to ISO 3166-1 alpha-3, checked by hand. "Yugoslavia" (YU) is Serbia (SRB) in
  2008-2011 (Voeten keeps one code for Serbia; Civil Georgia's list of the 2011 "no" votes
  names Serbia).
- A roll call's date is given with the resolution (@YYYY-MM-DD): the package dates rcid 4829
  (A/RES/62/249) 2008-04-14, while the Assembly adopted it on 15 May 2008 (GA/10708).
- rcid 5847 (9 September 2009) is Russia's MOTION not to take action on draft A/63/L.79
  (29-64-50), not the adoption of A/RES/63/307: never convert it as 63/307.
- actor_id is filled where a member state is an actor of the story's actors.csv (joined on iso3).
- Before use, compare the yes/no/abstain counts the script prints with the official totals; a roll
  call whose counts differ from the press release is not a full record (62/249: 13-11-106 here
  against the official 14-11-105).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

DATAVERSE = "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379"
MIRROR = "https://github.com/dgrtwo/unvotes"
VOTES = ("yes", "no", "abstain")

# 2-letter code of the package -> (ISO 3166-1 alpha-3, the package's country name), checked by hand
# for every state of rcids 4829, 5047 and 5114.
COUNTRIES = {
    "AD": ("AND", "Andorra"),
    "AE": ("ARE", "United Arab Emirates"),
    "AG": ("ATG", "Antigua & Barbuda"),
    "AL": ("ALB", "Albania"),
    "AM": ("ARM", "Armenia"),
    "AR": ("ARG", "Argentina"),
    "AT": ("AUT", "Austria"),
    "AU": ("AUS", "Australia"),
    "AZ": ("AZE", "Azerbaijan"),
    "BA": ("BIH", "Bosnia & Herzegovina"),
    "BB": ("BRB", "Barbados"),
    "BD": ("BGD", "Bangladesh"),
    "BE": ("BEL", "Belgium"),
    "BF": ("BFA", "Burkina Faso"),
    "BG": ("BGR", "Bulgaria"),
    "BH": ("BHR", "Bahrain"),
    "BI": ("BDI", "Burundi"),
    "BJ": ("BEN", "Benin"),
    "BN": ("BRN", "Brunei"),
    "BO": ("BOL", "Bolivia"),
    "BR": ("BRA", "Brazil"),
    "BS": ("BHS", "Bahamas"),
    "BT": ("BTN", "Bhutan"),
    "BW": ("BWA", "Botswana"),
    "BY": ("BLR", "Belarus"),
    "CA": ("CAN", "Canada"),
    "CG": ("COG", "Congo - Brazzaville"),
    "CH": ("CHE", "Switzerland"),
    "CI": ("CIV", "Côte d’Ivoire"),
    "CL": ("CHL", "Chile"),
    "CM": ("CMR", "Cameroon"),
    "CN": ("CHN", "China"),
    "CO": ("COL", "Colombia"),
    "CR": ("CRI", "Costa Rica"),
    "CU": ("CUB", "Cuba"),
    "CY": ("CYP", "Cyprus"),
    "CZ": ("CZE", "Czechia"),
    "DE": ("DEU", "Germany"),
    "DJ": ("DJI", "Djibouti"),
    "DK": ("DNK", "Denmark"),
    "DO": ("DOM", "Dominican Republic"),
    "DZ": ("DZA", "Algeria"),
    "EC": ("ECU", "Ecuador"),
    "EE": ("EST", "Estonia"),
    "EG": ("EGY", "Egypt"),
    "ES": ("ESP", "Spain"),
    "ET": ("ETH", "Ethiopia"),
    "FI": ("FIN", "Finland"),
    "FJ": ("FJI", "Fiji"),
    "FM": ("FSM", "Micronesia (Federated States of)"),
    "FR": ("FRA", "France"),
    "GA": ("GAB", "Gabon"),
    "GB": ("GBR", "United Kingdom"),
    "GD": ("GRD", "Grenada"),
    "GE": ("GEO", "Georgia"),
    "GH": ("GHA", "Ghana"),
    "GM": ("GMB", "Gambia"),
    "GN": ("GIN", "Guinea"),
    "GQ": ("GNQ", "Equatorial Guinea"),
    "GR": ("GRC", "Greece"),
    "GT": ("GTM", "Guatemala"),
    "GW": ("GNB", "Guinea-Bissau"),
    "GY": ("GUY", "Guyana"),
    "HN": ("HND", "Honduras"),
    "HR": ("HRV", "Croatia"),
    "HT": ("HTI", "Haiti"),
    "HU": ("HUN", "Hungary"),
    "ID": ("IDN", "Indonesia"),
    "IE": ("IRL", "Ireland"),
    "IL": ("ISR", "Israel"),
    "IN": ("IND", "India"),
    "IR": ("IRN", "Iran"),
    "IS": ("ISL", "Iceland"),
    "IT": ("ITA", "Italy"),
    "JM": ("JAM", "Jamaica"),
    "JO": ("JOR", "Jordan"),
    "JP": ("JPN", "Japan"),
    "KE": ("KEN", "Kenya"),
    "KG": ("KGZ", "Kyrgyzstan"),
    "KM": ("COM", "Comoros"),
    "KP": ("PRK", "North Korea"),
    "KR": ("KOR", "South Korea"),
    "KW": ("KWT", "Kuwait"),
    "KZ": ("KAZ", "Kazakhstan"),
    "LA": ("LAO", "Laos"),
    "LB": ("LBN", "Lebanon"),
    "LC": ("LCA", "St. Lucia"),
    "LI": ("LIE", "Liechtenstein"),
    "LK": ("LKA", "Sri Lanka"),
    "LR": ("LBR", "Liberia"),
    "LS": ("LSO", "Lesotho"),
    "LT": ("LTU", "Lithuania"),
    "LU": ("LUX", "Luxembourg"),
    "LV": ("LVA", "Latvia"),
    "LY": ("LBY", "Libya"),
    "MA": ("MAR", "Morocco"),
    "MC": ("MCO", "Monaco"),
    "MD": ("MDA", "Moldova"),
    "ME": ("MNE", "Montenegro"),
    "MG": ("MDG", "Madagascar"),
    "MH": ("MHL", "Marshall Islands"),
    "MK": ("MKD", "North Macedonia"),
    "ML": ("MLI", "Mali"),
    "MM": ("MMR", "Myanmar (Burma)"),
    "MN": ("MNG", "Mongolia"),
    "MT": ("MLT", "Malta"),
    "MU": ("MUS", "Mauritius"),
    "MV": ("MDV", "Maldives"),
    "MW": ("MWI", "Malawi"),
    "MX": ("MEX", "Mexico"),
    "MY": ("MYS", "Malaysia"),
    "MZ": ("MOZ", "Mozambique"),
    "NA": ("NAM", "Namibia"),
    "NE": ("NER", "Niger"),
    "NG": ("NGA", "Nigeria"),
    "NI": ("NIC", "Nicaragua"),
    "NL": ("NLD", "Netherlands"),
    "NO": ("NOR", "Norway"),
    "NP": ("NPL", "Nepal"),
    "NR": ("NRU", "Nauru"),
    "NZ": ("NZL", "New Zealand"),
    "OM": ("OMN", "Oman"),
    "PA": ("PAN", "Panama"),
    "PE": ("PER", "Peru"),
    "PG": ("PNG", "Papua New Guinea"),
    "PH": ("PHL", "Philippines"),
    "PK": ("PAK", "Pakistan"),
    "PL": ("POL", "Poland"),
    "PT": ("PRT", "Portugal"),
    "PY": ("PRY", "Paraguay"),
    "QA": ("QAT", "Qatar"),
    "RO": ("ROU", "Romania"),
    "RU": ("RUS", "Russia"),
    "SA": ("SAU", "Saudi Arabia"),
    "SB": ("SLB", "Solomon Islands"),
    "SD": ("SDN", "Sudan"),
    "SE": ("SWE", "Sweden"),
    "SG": ("SGP", "Singapore"),
    "SI": ("SVN", "Slovenia"),
    "SK": ("SVK", "Slovakia"),
    "SM": ("SMR", "San Marino"),
    "SN": ("SEN", "Senegal"),
    "SO": ("SOM", "Somalia"),
    "SR": ("SUR", "Suriname"),
    "SV": ("SLV", "El Salvador"),
    "SY": ("SYR", "Syria"),
    "SZ": ("SWZ", "Eswatini"),
    "TG": ("TGO", "Togo"),
    "TH": ("THA", "Thailand"),
    "TJ": ("TJK", "Tajikistan"),
    "TL": ("TLS", "Timor-Leste"),
    "TN": ("TUN", "Tunisia"),
    "TO": ("TON", "Tonga"),
    "TR": ("TUR", "Turkey"),
    "TT": ("TTO", "Trinidad & Tobago"),
    "TV": ("TUV", "Tuvalu"),
    "TZ": ("TZA", "Tanzania"),
    "UA": ("UKR", "Ukraine"),
    "UG": ("UGA", "Uganda"),
    "US": ("USA", "United States"),
    "UY": ("URY", "Uruguay"),
    "UZ": ("UZB", "Uzbekistan"),
    "VC": ("VCT", "St. Vincent & Grenadines"),
    "VE": ("VEN", "Venezuela"),
    "VN": ("VNM", "Vietnam"),
    "VU": ("VUT", "Vanuatu"),
    "WS": ("WSM", "Samoa"),
    "YE": ("YEM", "Yemen"),
    "YU": ("SRB", "Yugoslavia"),
    "ZA": ("ZAF", "South Africa"),
    "ZM": ("ZMB", "Zambia"),
    "ZW": ("ZWE", "Zimbabwe"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rda-dir", type=Path, required=True, help="folder with un_votes.rda, un_roll_calls.rda"
    )
    parser.add_argument(
        "--commit", required=True, help="the dgrtwo/unvotes commit the .rda files come from"
    )
    parser.add_argument(
        "--data", type=Path, required=True, help="the story folder (its actors.csv)"
    )
    parser.add_argument("--roll", action="append", required=True, metavar="RCID=RESOLUTION@DATE")
    args = parser.parse_args(argv)

    import pyreadr  # only in a throw-away virtualenv, never a dependency of the project

    votes_path = args.rda_dir / "un_votes.rda"
    rolls_path = args.rda_dir / "un_roll_calls.rda"
    checksums = {"un_votes.rda": sha256(votes_path), "un_roll_calls.rda": sha256(rolls_path)}
    print(f"dgrtwo/unvotes commit {args.commit}", file=sys.stderr)
    for name, digest in checksums.items():
        print(f"data/{name} SHA-256 {digest}", file=sys.stderr)
    votes = pyreadr.read_r(str(votes_path))["un_votes"]
    rolls = pyreadr.read_r(str(rolls_path))["un_roll_calls"]

    with (args.data / "actors.csv").open(newline="", encoding="utf-8") as handle:
        actor_of = {row["iso3"]: row["actor_id"] for row in csv.DictReader(handle) if row["iso3"]}

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        [
            "resolution",
            "date",
            "actor_id",
            "iso3",
            "vote",
            "source_title",
            "source_url",
            "source_kind",
            "via_url",
        ]
    )
    for spec in args.roll:
        rcid_text, rest = spec.split("=", 1)
        resolution, date = rest.split("@", 1)
        rcid = int(rcid_text)
        roll = rolls[rolls["rcid"] == rcid]
        if len(roll) != 1:
            raise SystemExit(f"rcid {rcid}: {len(roll)} roll calls in un_roll_calls.rda")
        unres = str(roll["unres"].iloc[0])
        if not resolution.endswith(unres.removeprefix("R/").removeprefix("A/RES/")):
            raise SystemExit(f"rcid {rcid} is {unres}, not {resolution}")
        rows = votes[votes["rcid"] == rcid]
        counts = {vote: int((rows["vote"] == vote).sum()) for vote in VOTES}
        print(
            f"rcid {rcid} {resolution} ({unres}, package date {roll['date'].iloc[0]}): "
            f"yes {counts['yes']}, no {counts['no']}, abstain {counts['abstain']}",
            file=sys.stderr,
        )
        title = (
            f"Erik Voeten, UN General Assembly voting data, roll call {rcid} ({resolution}); "
            f"read in dgrtwo/unvotes commit {args.commit[:12]} "
            f"(un_votes.rda SHA-256 {checksums['un_votes.rda'][:16]}..., "
            f"un_roll_calls.rda SHA-256 {checksums['un_roll_calls.rda'][:16]}...)"
        )
        lines = []
        for code, vote in zip(rows["country_code"], rows["vote"], strict=True):
            iso3, _name = COUNTRIES[code]  # KeyError: a state not checked by hand yet
            lines.append(
                [
                    resolution,
                    date,
                    actor_of.get(iso3, ""),
                    iso3,
                    str(vote),
                    title,
                    DATAVERSE,
                    "aggregator",
                    f"{MIRROR}/tree/{args.commit}",
                ]
            )
        order = {vote: i for i, vote in enumerate(VOTES)}
        for line in sorted(lines, key=lambda line: (order[line[4]], line[3])):
            out.writerow(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
