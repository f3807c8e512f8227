"""Progress bars for the slow steps: shown when someone is watching, never written to logs."""

from __future__ import annotations

from typing import Any


def interactive() -> bool:
    """Return whether a person is watching: a Jupyter kernel, or a terminal on stderr.

    Returns
    -------
    bool
        ``True`` in a Jupyter kernel, or when stderr is a terminal.

    Examples
    --------
    >>> from carezones._progress import interactive
    >>> interactive()  # under pytest: stderr is captured
    False
    """
    import sys

    try:
        from IPython import get_ipython

        if get_ipython() is not None and "IPKernelApp" in get_ipython().config:
            return True
    except ImportError:  # pragma: no cover - IPython comes with the notebook tools
        pass
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress_bar(total: int, desc: str, progress: bool | None = None) -> Any:
    """Return a progress bar (tqdm) for ``total`` steps, or one that shows nothing.

    Parameters
    ----------
    total : int
        Steps in all.
    desc : str
        What the steps are (e.g. ``"zones' days"``).
    progress : bool, optional
        ``True``: always show; ``False``: never; ``None`` (default): when someone is watching
        (:func:`interactive`). A bar is never written to logs.

    Returns
    -------
    object
        Has ``update(n)`` and ``close()`` (a ``tqdm.auto.tqdm``, or a silent stand-in).

    Examples
    --------
    >>> bar = progress_bar(3, "steps", progress=False)
    >>> bar.update(1); bar.close()
    """
    show = interactive() if progress is None else bool(progress)
    if not show:
        return _Silent()
    try:  # a widget in Jupyter when ipywidgets is there, else text (no warning either way)
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm(total=total, desc=desc, leave=False)


class _Silent:
    """A progress bar that shows nothing."""

    def update(self, n: int = 1) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""
