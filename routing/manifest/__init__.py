"""Printed views of a plan: manifests, crate labels, GPX/GeoJSON, loading lists, day overview.

Reads only the plan folder (``../shared/contracts.md``); never imports the solver. Entry point:
:func:`write_manifests`.
"""

__all__ = ["ManifestResult", "write_manifests"]


def __getattr__(name: str):
    """``write_manifests`` loads the PDF writers (reportlab) on first use only.

    The plan reader (:mod:`bookvan.routing.manifest.plan`) is used by commands that print
    nothing (``replan``, ``scan``, ``check``); importing it no longer loads reportlab.
    """
    if name in __all__:
        from bookvan.routing.manifest import write

        return getattr(write, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
