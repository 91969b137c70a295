"""environment.yml (conda users) and pyproject.toml (pip) pin the same packages."""

from __future__ import annotations

import tomllib

import yaml

from support.paths import ROOT


def test_environment_yml_and_pyproject_pin_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pinned |= set(extra)
    conda = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(item["pip"] for item in conda["dependencies"] if isinstance(item, dict))
    assert set(pip_section) == pinned
    assert all("==" in requirement for requirement in pinned)
