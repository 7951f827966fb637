"""Household finances per case: incomes by kind, assets, deductible expenses, circumstances."""
