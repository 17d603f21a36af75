"""Routing: cascade, context compression, budgets, cost, gateway."""
