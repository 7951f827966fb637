"""The roster reaches the phone through the pull: the `watch` record kind."""

from server.watch.services import KIND, load_entries
from sync.registry import register_kind

register_kind(KIND, load=load_entries)
