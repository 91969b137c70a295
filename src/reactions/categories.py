"""Columns of repeated values held as codes, and the codes read back as text.

Readers give each chunk of rows as codes into its own dictionary (Arrow's CSV reader) or as
text (a columnar copy, the strict reader): `coded` makes one column of codes of either, its
values trimmed and empty ones missing. A column of repeated values (at most one distinct value
per two rows: actor, issue, stance, ...) becomes a categorical with sorted categories, so that
millions of rows stay small; any other column stays text (`Coded.array`). The decision is made
on the rows' values alone, so every reader and copy decides alike. `uncoded` and `as_text` turn
codes back into the text they stand for, on the rows chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as compute

TEXT = arrow.large_string()  # pandas' own string storage: frames take the columns without a copy


@dataclass
class Coded:
    """A column as codes into its values (-1: missing). The values are distinct when `coded`
    found them few; else they are each chunk's own (or each row's), and may repeat, and `many`
    says when `coded` proved them over one per two rows (dropping blank rows keeps it so)."""

    codes: np.ndarray
    values: arrow.Array
    many: bool = False

    def rows(self, positions: np.ndarray) -> Coded:
        return Coded(self.codes[positions], self.values, self.many)

    def array(self) -> pd.Categorical | pd.api.extensions.ExtensionArray:
        """A repeated column (at most one distinct value per two rows) as a categorical: a code
        of a byte or two per row instead of a text (1 GB less at 5M statements); any other
        column as text. Decided on the rows' values alone, so every reader decides alike."""
        rows, codes, values = len(self.codes), self.codes, self.values
        if len(values) * 2 > rows:  # perhaps mostly distinct: the rows' own values decide
            text = values.take(arrow.array(codes, mask=codes < 0))
            if self.many or not rows or distinct_at_least(text) * 2 > rows:
                return text.to_pandas().array
            codes, values = _distinct(text)
            if len(values) * 2 > rows:
                return text.to_pandas().array
        # Only the values some row holds, sorted as text sorts: the categorical's order,
        # comparisons and groups are then those of its values.
        used = np.flatnonzero(np.bincount(codes + 1, minlength=len(values) + 1)[1:])
        order = used[compute.array_sort_indices(values.take(used)).to_numpy()]
        renumbered = np.full(len(values) + 1, -1, dtype=_code_type(len(order)))
        renumbered[order] = np.arange(len(order))  # the last stays -1: code -1 stays missing
        categories = pd.Index(values.take(order).to_pandas())
        return pd.Categorical.from_codes(renumbered[codes], categories=categories)


def coded(column: arrow.ChunkedArray) -> Coded:
    """Codes into the column's values, trimmed, empty ones missing. Readers give each chunk of
    rows as codes into its own dictionary: the dictionaries are trimmed, not the rows (a few
    hundred values over millions of rows are trimmed a few hundred times), and made one
    dictionary of distinct values unless they may be many (over one per two rows): a column
    read as text (a copy's, the strict reader's) is then held once, as codes."""
    rows = len(column)
    dictionaries, positions, offset = [arrow.array([], type=TEXT)], [], 0
    for chunk in column.chunks:
        if arrow.types.is_dictionary(chunk.type):
            dictionary, indices = chunk.dictionary, compute.fill_null(chunk.indices, -1).to_numpy()
        else:  # text: each row its own entry (missing ones are found missing once cleaned)
            dictionary, indices = chunk, np.arange(len(chunk), dtype=np.int32)
        positions.append(np.where(indices < 0, -1, indices + np.int32(offset)))
        dictionaries.append(_cleaned(dictionary.cast(TEXT)))
        offset += len(dictionary)
    del column
    values = arrow.concat_arrays(dictionaries)
    del dictionaries
    many = len(values) * 2 > rows and distinct_at_least(values) * 2 > rows
    if not many:
        renumbered, values = _distinct(values)
    else:
        renumbered = np.arange(len(values), dtype=np.int32)
        renumbered[compute.is_null(values).to_numpy(zero_copy_only=False)] = -1
    renumbered = np.append(renumbered, renumbered.dtype.type(-1))  # index -1: missing
    codes = renumbered[np.concatenate(positions)] if positions else renumbered[:0]
    return Coded(codes, values, many)


def _distinct(values: arrow.Array) -> tuple[np.ndarray, arrow.Array]:
    """Each value's code into the distinct values (-1: missing), in the smallest integer."""
    encoded = compute.dictionary_encode(values)
    codes = compute.fill_null(encoded.indices, -1).to_numpy()
    return codes.astype(_code_type(len(encoded.dictionary))), encoded.dictionary


KEYED = 1 << 20  # texts keyed at once (see `_keys`): their temporary arrays stay small


def distinct_at_least(text: arrow.Array | arrow.ChunkedArray) -> int:
    """At most the number of distinct texts, found without hashing them (Arrow's hash
    table held 1 GB for 5M of them): texts that differ in length, first or last eight bytes
    differ, so there are at least as many distinct texts as distinct keys made of these."""
    chunks = text.chunks if isinstance(text, arrow.ChunkedArray) else [text]
    pieces = [chunk.slice(at, KEYED) for chunk in chunks for at in range(0, len(chunk), KEYED)]
    keys = np.concatenate([np.empty(0, dtype=np.uint64), *map(_keys, pieces)])
    keys.sort()  # numpy's unique hashes: seconds for millions of keys, where a sort takes 0.4 s
    return int(np.count_nonzero(keys[1:] != keys[:-1])) + int(len(keys) > 0)


def _keys(text: arrow.Array) -> np.ndarray:
    """Each text's length, first and last eight bytes, mixed into 64 bits (missing and empty
    texts left out: the count stays at most the texts')."""
    text = text.cast(TEXT)
    _, offsets, data = text.buffers()
    if data is None:
        return np.empty(0, dtype=np.uint64)
    bounds = np.frombuffer(offsets, dtype=np.int64, count=len(text) + 1, offset=text.offset * 8)
    present = compute.is_valid(text).to_numpy(zero_copy_only=False) & (bounds[1:] > bounds[:-1])
    starts, ends = bounds[:-1][present], bounds[1:][present]
    size = ends - starts
    contents = np.frombuffer(data, dtype=np.uint8)
    first = last = np.zeros(len(starts), dtype=np.uint64)
    for place in range(8):
        inside = place < size  # a shorter text reads zeros past its end
        first = first * np.uint64(256) + np.where(inside, contents[starts + place * inside], 0)
        last = last * np.uint64(256) + np.where(inside, contents[ends - 1 - place * inside], 0)
    return first * np.uint64(0x9E3779B97F4A7C15) ^ last ^ size.astype(np.uint64) << np.uint64(56)


def _code_type(values: int) -> type[np.signedinteger]:
    """The smallest integer that numbers `values` values and -1: a byte for a hundred."""
    return next(kind for kind in (np.int8, np.int16, np.int32) if values < np.iinfo(kind).max)


def _cleaned(values: arrow.Array) -> arrow.Array:
    """Values without surrounding whitespace, empty ones missing; as they are when they need
    neither, so that a large clean column is not held twice."""
    trimmed = compute.utf8_trim_whitespace(values)
    if not trimmed.equals(values):
        values = trimmed
    del trimmed
    empty = compute.equal(values, "")
    if compute.any(empty).as_py():
        values = compute.if_else(empty, arrow.scalar(None, TEXT), values)
    return values


def filled_text(values: pd.Series, categories: bool) -> pd.Series:
    """A column's text with '' for missing, as a categorical still where `categories`."""
    if categories and isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if (codes >= 0).all():
            return values
        # '' sorts before any category (none is empty: empty values are missing), code 0
        filled = pd.Index([""], dtype=values.cat.categories.dtype).append(values.cat.categories)
        return pd.Series(
            pd.Categorical.from_codes(codes.astype(np.int32) + 1, categories=filled),
            index=values.index,
        )
    values = uncoded(values)
    if values.hasnans or values.dtype != "str":
        values = values.fillna("").astype(str)
    return values


def uncoded(values: pd.Series) -> pd.Series:
    """A categorical column as the text it codes (missing stays missing); others as they are.
    Arrow takes the texts by code: pandas' astype made a Python string of every row."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes = values.cat.codes.to_numpy()
    categories = arrow.array(values.cat.categories, type=TEXT)
    text = categories.take(arrow.array(codes, mask=codes < 0)).to_pandas().array
    return pd.Series(text, index=values.index, name=values.name)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of `Dataset.statements` with every column as the pages read it: text, not codes.
    Call it on the rows chosen, not the whole frame: codes are what keep that frame small."""
    held = [
        str(name) for name, kind in frame.dtypes.items() if isinstance(kind, pd.CategoricalDtype)
    ]
    return frame.assign(**{name: uncoded(frame[name]) for name in held}) if held else frame
