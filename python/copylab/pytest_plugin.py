"""The pytest plugin `pip install copylab` registers: a `copylab` fixture (one server per session, reset before each test) and the `copylab_scenario` marker."""

from __future__ import annotations

from typing import Iterator

import pytest

from ._server import CopylabServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "copylab_scenario(name): serve this copylab scenario (a built-in name, a JSON file or a dict) for the test",
    )


@pytest.fixture(scope="session")
def copylab_server() -> Iterator[CopylabServer]:
    """The session's `copylab serve`, on a free loopback port, with its default world."""
    with CopylabServer() as server:
        yield server


@pytest.fixture
def copylab(copylab_server: CopylabServer, request: pytest.FixtureRequest) -> Iterator[CopylabServer]:
    """The session's server, reset for this test (and serving the test's `copylab_scenario`, if marked)."""
    copylab_server.reset()
    marker = request.node.get_closest_marker("copylab_scenario")
    if marker is not None:
        if not marker.args:
            raise pytest.UsageError("copylab_scenario needs a scenario: @pytest.mark.copylab_scenario('name')")
        copylab_server.load_scenario(marker.args[0])
    yield copylab_server
