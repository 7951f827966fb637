"""Lets the `piccolo` command line run from the repository root (e.g. `piccolo migrations new cases --auto`)."""

from server.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
