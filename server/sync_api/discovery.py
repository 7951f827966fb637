"""Loading the domain packages' mutation handlers so they register with the sync engine.

Every package `server.<domain>` with a `mutations` module is imported once at start-up; the
module registers its handlers (`sync.registry.register`) and record kinds (`register_kind`).
Adding a field action means adding such a module, never editing the engine or this list.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import server


def load_mutation_modules() -> list[str]:
    """Import every `server.<package>.mutations`; answers their names."""
    loaded = []
    for module in sorted(pkgutil.iter_modules(server.__path__), key=lambda m: m.name):
        if not module.ispkg:
            continue
        name = f"server.{module.name}.mutations"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            loaded.append(name)
    return loaded
