from __future__ import annotations

import shutil

import pytest

from tests.reliability.helpers import ippo


@pytest.fixture(scope="session")
def _migrated_data_dir(tmp_path_factory):
    """One migrated SQLite data dir, made once; each test gets its own copy (migrating takes ~20 s)."""
    path = tmp_path_factory.mktemp("reliability-template") / "data"
    ippo(path, "migrate", "-v0")
    return path


@pytest.fixture
def data_dir(_migrated_data_dir, tmp_path):
    path = tmp_path / "data"
    shutil.copytree(_migrated_data_dir, path)
    return path
