"""Travel times between nodes: an estimate model, or shortest paths on an OSM road graph."""

from bookvan.data.travel.estimate import EstimateParams, estimate_arrays, haversine_m
from bookvan.data.travel.graph import FarSnapWarning, RoadGraph, RoadProfile
from bookvan.data.travel.matrix import build_matrix, leg_paths, load_road_graph

__all__ = [
    "EstimateParams",
    "FarSnapWarning",
    "RoadGraph",
    "RoadProfile",
    "build_matrix",
    "estimate_arrays",
    "haversine_m",
    "leg_paths",
    "load_road_graph",
]
