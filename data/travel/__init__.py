"""Travel times between nodes: an estimate model, or shortest paths on an OSM road graph."""

from bookvan.data.travel.estimate import EstimateParams, estimate_arrays, haversine_m
from bookvan.data.travel.matrix import build_matrix

__all__ = ["EstimateParams", "build_matrix", "estimate_arrays", "haversine_m"]
