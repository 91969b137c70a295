"""Opening a page: resolve the dataset, load and validate it, check the parameters against it;
the page's title with its dateline ("Data as of ...")."""

from __future__ import annotations

import pandas as pd

from reactions import compare, narrative, present
from reactions.dataset import Dataset, load_dataset
from reactions.locate import resolve_data_dir
from reactions.parameters import check_parameters


def open_dataset(parameters: dict[str, object]) -> tuple[Dataset, dict]:
    """The validated dataset and the checked, defaulted parameters (ParameterError or
    DatasetError, each one clear report, when they are not right)."""
    data_dir = resolve_data_dir(str(parameters.get("data_dir") or ""))
    data = load_dataset(data_dir)
    checked = check_parameters({**parameters, "data_dir": str(data_dir)}, data.reference)
    return data, checked


def heading(text: str, data: Dataset, as_of: pd.Timestamp) -> present.Heading:
    """A page's title with its dateline: the date of the newest statement on record by the
    page's date (reactions.compare.data_as_of)."""
    newest = compare.data_as_of(data, as_of)
    iso = "" if newest is None else f"{newest:%Y-%m-%d}"
    return present.Heading(text, narrative.data_as_of_line(newest, as_of), iso)
