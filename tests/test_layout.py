"""The README's Layout and the import contract (pyproject.toml's [tool.importlinter], checked by
`make lint`) list the same floors, and every module of the package is on one."""

from __future__ import annotations

import re
import tomllib

from support.paths import ROOT

PACKAGE = ROOT / "src" / "reactions"


def readme_floors() -> list[set[str]]:
    """The Layout's floors, from the bottom up: a numbered line starts a floor, the unnumbered
    lines below it are its other modules."""
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout\n", 1)[1]
    block = layout.split("```", 2)[1].split("src/reactions/", 1)[1]
    floors: list[set[str]] = []
    for line in block.splitlines():
        found = re.match(r" {2}([ \d]{2}) ([a-z_]+)(?:\.py|/) ", line)
        if found is None:
            continue
        if found[1].strip():
            assert int(found[1]) == len(floors) + 1, line
            floors.append(set())
        floors[-1].add(found[2])
    return floors


def contract_floors() -> list[set[str]]:
    """The layers contract's floors, from the bottom up."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(
        contract["layers"]
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    )
    return [{name.strip() for name in floor.split("|")} for floor in reversed(layers)]


def test_the_readme_maps_the_floors_the_contract_enforces():
    assert readme_floors() == contract_floors()


def test_every_module_is_on_a_floor():
    modules = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    modules |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert set().union(*readme_floors()) == modules
