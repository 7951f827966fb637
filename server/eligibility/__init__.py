"""Eligibility: the computation of 低保, 特困 and 临时救助 from a case's finances and the local standard."""
