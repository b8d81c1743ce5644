"""Printed views of a plan: manifests, crate labels, GPX/GeoJSON, loading lists, day overview.

Reads only the plan folder (``../shared/contracts.md``); never imports the solver. Entry point:
:func:`write_manifests`.
"""

from bookvan.routing.manifest.write import ManifestResult, write_manifests

__all__ = ["ManifestResult", "write_manifests"]
