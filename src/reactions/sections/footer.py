"""Every page's last section: what it was made from (reactions.provenance), as its footer."""

from __future__ import annotations

from typing import Protocol

from reactions import present
from reactions.dataset import Dataset
from reactions.provenance import Provenance, of_page


class Page(Protocol):
    @property
    def provenance(self) -> Provenance: ...


def record(data: Dataset, checked: dict[str, object]) -> Provenance:
    """Taken when the page opens, right after its data was read and its parameters checked."""
    return of_page(data.folder, data.story.slug, checked)


def provenance(page: Page) -> present.ProvenanceFooter:
    """What the page was made from: story, parameters, data and code versions, render time.
    Every page module offers it as its own last section (`brief.provenance(page)`)."""
    return present.ProvenanceFooter(page.provenance)
