"""Dashboards for streets and districts, and the day's upward report."""
