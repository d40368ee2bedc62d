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


class TenantNotFound(NotFound):
    code = "org.tenant_not_found"
    title = "Tenant not found"


class TenantDisabled(InvalidToken):
    """Every token, console session and API key of a disabled tenant stops working at once: a 401 (the
    credentials no longer authenticate anyone; the console goes back to its login page) with its own code."""

    code = "auth.tenant_disabled"
    title = "Tenant disabled"


class TenantDisabledLogin(InvalidCredentials):
    """A sign-in to a disabled tenant (the console's login form shows it as a failed sign-in)."""

    code = "auth.tenant_disabled"
    title = "Tenant disabled"


class TenantRequired(InvalidCredentials):
    """A sign-in without a company on a server that hosts several: usernames are unique per tenant only."""

    code = "auth.tenant_required"
    title = "Company code required"
