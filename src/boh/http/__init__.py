"""Shared web plumbing below the domains: auth dependencies, secured routers, problem+json errors,
pagination, request ids, logging, metrics and templating."""
