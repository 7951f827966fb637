"""Casework: the routes of the casework packages, gathered for create_app()."""
