"""papermill's engine for our pages: its nbclient engine on a lean kernel of ours
(reactions.warm), registered in papermill's engine registry as `reactions`, so that plain
papermill runs a page the way `reactions render` does:

    papermill --engine reactions notebooks/brief.ipynb out.ipynb -p focal_actor belarus

A kernel passed as `kernel=` (a render's own, or a Dask worker's warm one) is used and kept;
without one (plain papermill), the engine starts a fresh one in the notebook's folder and shuts
it down when the notebook has run. Either way the engine stops the clients it made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from papermill.engines import NBClientEngine, papermill_engines

from reactions.errors import KernelNotStarted
from reactions.warm import Kernel

ENGINE_NAME = "reactions"


class ReactionsEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, kernel: Kernel | None = None, **kwargs: Any
    ) -> Any:
        fresh = kernel is None
        if kernel is None:
            kernel = start_fresh(Path(str(kwargs.get("input_path") or ".")).resolve().parent)
        try:
            return super().execute_managed_notebook(nb_man, kernel_name, km=kernel.km, **kwargs)
        finally:
            kernel.stop_clients()
            if fresh:
                kernel.shutdown()


def start_fresh(cwd: Path) -> Kernel:
    """A lean kernel of its own for one page; KernelNotStarted (a retry's cue) when it fails."""
    try:
        return Kernel(cwd)
    except Exception as error:
        raise KernelNotStarted(
            f"the kernel did not start: {type(error).__name__}: {error}"
        ) from None


papermill_engines.register(ENGINE_NAME, ReactionsEngine)
