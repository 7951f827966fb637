"""Evidence of non-contact home visits: verified uploads attached to a case, and serving them."""
