"""The `visit.record` mutation and the pull's visit records, registered with the sync engine."""

from __future__ import annotations

from server.visits.services import KIND, list_visits, load_visits, record_visit
from sync.registry import register, register_kind

register("visit.record")(record_visit)
register_kind(KIND, load=load_visits, list_all=list_visits)
