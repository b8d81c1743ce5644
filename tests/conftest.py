"""Shared fixtures: the bundled network and fleet, a plan date."""

from __future__ import annotations

import datetime as dt

import pytest

from bookvan.data.fleet import Fleet, load_fleet
from bookvan.data.network import Network, bundled_network_dir, load_network

PLAN_DATE = dt.date(2026, 12, 1)  # a Tuesday: every branch open


@pytest.fixture(scope="session")
def network() -> Network:
    return load_network()


@pytest.fixture(scope="session")
def fleet(network: Network) -> Fleet:
    return load_fleet(bundled_network_dir() / "fleet.toml", set(network.node_ids))
