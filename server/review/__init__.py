"""Supervisor review on the web: the queue, the case page, decisions, tasks, exports, audit pages."""
