"""Recorded agent evidence (see README.md): `load("windows11_pro_en")` → the `evidence` dict of a report."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parent


def names() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("_"))


def load(name: str) -> dict:
    folder = ROOT / name
    meta = (
        json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if (folder / "meta.json").exists()
        else {}
    )
    evidence = {}
    for path in sorted(folder.glob("*.txt")):
        key = path.stem
        evidence[key] = {"kind": "command", "rc": 0, "error": "", "output": path.read_text(encoding="utf-8")}
    for key, extra in meta.get("items", {}).items():
        evidence.setdefault(key, {"kind": "command", "rc": None, "error": "", "output": ""}).update(extra)
    return evidence


def platform_of(name: str) -> str:
    folder = ROOT / name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return meta["platform"]
