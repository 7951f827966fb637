"""Deferred paperwork: the signatures a decision taken without contact leaves to collect later."""
