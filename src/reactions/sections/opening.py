"""Opening a page: resolve the dataset, load and validate it, check the parameters against it."""

from __future__ import annotations

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
