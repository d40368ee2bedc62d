"""Shared kernel: database plumbing, exact types, unit of work, events and outbox, errors, tenancy,
clock and the audit chain. Imports no domain and no web framework."""
