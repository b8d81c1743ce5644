"""Imports run one way: data → demand, routing → scenarios → cli; nothing imports cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# what each layer may import of bookvan (besides itself)
ALLOWED = {
    "data": set(),
    "demand": {"data"},
    "routing": {"data"},
    "scenarios": {"data", "demand", "routing"},
}


def _bookvan_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        for n in names:
            parts = n.split(".")
            if parts[0] == "bookvan" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    bad = {
        str(p.relative_to(ROOT)): sorted(_bookvan_imports(p) - ALLOWED[layer] - {layer})
        for p in sorted((ROOT / layer).rglob("*.py"))
    }
    assert {k: v for k, v in bad.items() if v} == {}
