"""pytest plugin (`-p tests.engines.sqlite`): the suite on a fresh SQLite file."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="doorstep-test-sqlite-")
os.environ["DOORSTEP_HOME"] = _home
os.environ.pop("DATABASE_URL", None)
os.environ["DOORSTEP_TEST_ENGINE"] = "sqlite"
