from __future__ import annotations

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    from django_scopes import scope

    return lambda: scope(organization=personas.org)


@pytest.fixture(scope="session")
def net():
    from ippo.checks.tests.fixtures import start_net

    network = start_net()
    yield network
    network.stop()


@pytest.fixture
def net_settings(net, settings):
    for key, value in net.settings().items():
        setattr(settings, key, value)
    return net
