"""Printed and exported views of a plan folder: manifests, crate labels, GPX/GeoJSON, loading lists, overview.

Reads only the plan folder (``../shared/contracts.md``); never imports the solver.
"""
