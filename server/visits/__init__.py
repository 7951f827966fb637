"""Non-contact home visits (非接触入户调查): how, by whom and what was found."""
