"""Errors of the org domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import AuthenticationRequired, Conflict, NotFound


class SiteNotFound(NotFound):
    code = "org.site_not_found"
    title = "Site not found"


class RegionNotFound(NotFound):
    code = "org.region_not_found"
    title = "Region not found"


class UserNotFound(NotFound):
    code = "org.user_not_found"
    title = "User not found"


class ApiKeyNotFound(NotFound):
    code = "org.api_key_not_found"
    title = "API key not found"


class DuplicateCode(Conflict):
    code = "org.duplicate_code"
    title = "Code already used"


class InvalidCredentials(AuthenticationRequired):
    code = "auth.invalid_credentials"
    title = "Invalid credentials"


class InvalidToken(AuthenticationRequired):
    code = "auth.invalid_token"
    title = "Invalid or expired token"
