"""Replenishment: order suggestions and the policy simulation (see manifest)."""
