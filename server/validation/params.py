"""Typed path parameters shared by the controllers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

INT4_MAX = 2_147_483_647

# The id of a row with an integer key: 1 … 2³¹−1 (PostgreSQL's integer). A larger number is a 400,
# not an overflow in the database driver (a 500 on PostgreSQL).
RowId = Annotated[int, PathParameter(ge=1, le=INT4_MAX)]
