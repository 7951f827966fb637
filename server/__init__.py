"""Doorstep (非接触入户): the Litestar server."""

import os

# Piccolo finds its configuration through this variable; the default would be a module at the
# current directory, which an installed `doorstep` does not have.
os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
