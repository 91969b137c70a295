"""Every page's last section: what it was made from (reactions.provenance), as its footer."""

from __future__ import annotations

from reactions import present
from reactions.dataset import Dataset
from reactions.provenance import Provenance, of_page


def record(data: Dataset, checked: dict[str, object]) -> Provenance:
    """Taken when the page opens, right after its data was read and its parameters checked."""
    return of_page(data.folder, data.story.slug, checked)


def footer(provenance: Provenance) -> present.ProvenanceFooter:
    return present.ProvenanceFooter(provenance)
