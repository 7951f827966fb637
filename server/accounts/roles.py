"""The four roles and the area level each one is bound to."""

from __future__ import annotations

from server.i18n import N_

GRID_WORKER = "grid_worker"
STREET_SUPERVISOR = "street_supervisor"
DISTRICT_OFFICER = "district_officer"
ADMIN = "admin"

ROLES = (GRID_WORKER, STREET_SUPERVISOR, DISTRICT_OFFICER, ADMIN)

# The level of the home area a role is given: a grid worker's is a community, and so on.
ROLE_LEVEL = {
    GRID_WORKER: "community",
    STREET_SUPERVISOR: "street",
    DISTRICT_OFFICER: "district",
    ADMIN: "city",
}

ROLE_LABEL = {
    GRID_WORKER: N_("网格员"),
    STREET_SUPERVISOR: N_("镇街审核人员"),
    DISTRICT_OFFICER: N_("区民政局"),
    ADMIN: N_("管理员"),
}

# Who may invite whom: a role may invite its own rank and below (admins anyone).
ROLE_RANK = {GRID_WORKER: 0, STREET_SUPERVISOR: 1, DISTRICT_OFFICER: 2, ADMIN: 3}
