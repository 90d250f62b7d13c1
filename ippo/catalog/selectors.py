"""Reads over the catalog that later apps (assessments, reports) need."""

from __future__ import annotations

from ippo.catalog.loader import Catalog


def framework_coverage(catalog: Catalog, framework_id: str) -> dict[str, list[str]]:
    """Every item of the framework, in the framework's order, with the ids of the controls mapped to it
    (in catalog order); an empty list where no control maps."""
    framework = catalog.framework(framework_id)
    coverage: dict[str, list[str]] = {item.id: [] for item in framework.items}
    for control in catalog.controls:
        for item_id in control.mappings.get(framework_id, ()):
            coverage[item_id].append(control.id)
    return coverage


def catalog_as_dict(catalog: Catalog) -> dict:
    """The whole catalog as plain JSON-ready data, in a deterministic order (`ippo catalog export`)."""

    def loc(value):
        return value.as_dict() if value is not None else None

    return {
        "version": catalog.version,
        "frameworks": [
            {
                "id": f.id,
                "name": loc(f.name),
                "publisher": f.publisher,
                "version": f.version,
                "url": f.url,
                "licence_note": loc(f.licence_note),
                "groups": [{"id": g.id, "label": loc(g.label), "parent": g.parent} for g in f.groups],
                "items": [
                    {
                        "id": i.id,
                        "group": i.group,
                        "label": loc(i.label),
                        "text": loc(i.text),
                        "level": i.level,
                        "out_of_scope": loc(i.out_of_scope),
                    }
                    for i in f.items
                ],
            }
            for f in catalog.frameworks
        ],
        "controls": [
            {
                "id": c.id,
                "version": c.version,
                "function": c.function,
                "kind": c.kind,
                "cost": c.cost,
                "effort_hours": c.effort_hours,
                "recurrence": c.recurrence,
                "applies_to": list(c.applies_to),
                "risk_weight": c.risk_weight,
                "title": loc(c.title),
                "question": loc(c.question),
                "why": loc(c.why),
                "steps": c.steps.as_dict(),
                "variants": {name: v.as_dict() for name, v in c.variants.items()},
                "evidence": loc(c.evidence),
                "mappings": {fid: list(ids) for fid, ids in c.mappings.items()},
                "file": c.file,
                "line": c.line,
            }
            for c in catalog.controls
        ],
        "questions": [
            {
                "id": q.id,
                "order": q.order,
                "applies_to": list(q.applies_to),
                "text": loc(q.text),
                "help": loc(q.help),
                "controls": list(q.controls),
                "file": q.file,
                "line": q.line,
            }
            for q in catalog.questions
        ],
    }
