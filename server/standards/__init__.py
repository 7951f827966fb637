"""Local assistance standards as data, per area and effective date (低保标准, 特困倍数, …)."""
