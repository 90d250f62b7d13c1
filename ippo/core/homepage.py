"""The organisation home page's hooks: each app may have a `home.py` with `tasks(request)` (items for
"For you to do") and optionally `home_page(request)` (a whole page for some roles, e.g. the owner's
dashboard)."""

from __future__ import annotations

import functools


@functools.cache
def home_modules() -> tuple:
    """The apps' `home` modules, found once per process."""
    from importlib import import_module

    from django.apps import apps

    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ippo."):
            continue
        try:
            modules.append(import_module(f"{config.name}.home"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.home":
                raise  # a broken import inside an existing home.py must not be hidden
    return tuple(modules)


def home_tasks(request) -> list[dict]:
    """What this person should do next, gathered from every app that has a `home.py` with
    `tasks(request) -> [{"title": …, "url": …}]` (e.g. an assessment section assigned to them)."""
    tasks = []
    for module in home_modules():
        tasks.extend(module.tasks(request))
    return tasks
