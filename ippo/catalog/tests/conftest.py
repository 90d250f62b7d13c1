import shutil

import pytest

from ippo.catalog.loader import DATA_DIR


class DataCopy:
    """A writable copy of the shipped data folder, with helpers to break it one line at a time."""

    def __init__(self, root):
        self.root = root

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.text(rel)
        assert text.count(old) >= 1, f"{old!r} not in {rel}"
        (self.root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")

    def line_of(self, rel: str, needle: str, *, after: str | None = None) -> int:
        """1-based number of the first line containing `needle` (after the first line containing `after`)."""
        lines = self.text(rel).splitlines()
        start = next(i for i, line in enumerate(lines) if after in line) if after else 0
        return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA_DIR, root)
    return DataCopy(root)
