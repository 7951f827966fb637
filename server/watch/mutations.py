"""The roster reaches the phone through the pull: the `watch` record kind."""

from server.watch.services import KIND, list_entries, load_entries
from sync.registry import register_kind

register_kind(KIND, load=load_entries, list_all=list_entries)
