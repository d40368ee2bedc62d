"""Request dependencies: who is calling (``current_principal``; what they may do is checked by
boh.http.routing.SecureRoute) and the unit of work for the request (``get_uow``).

Authentication itself belongs to the org domain; web/app.py plugs its ``Authenticator`` into
``app.state.authenticator`` so that this layer depends on the protocol only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from boh.http.csrf import UNSAFE_METHODS, check_cookie_request, refuse_cross_origin
from boh.kernel.errors import AuthenticationRequired
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork

SESSION_COOKIE = "boh_session"


class Authenticator(Protocol):
    def from_bearer(self, token: str) -> Principal: ...

    def from_api_key(self, key: str) -> Principal: ...


def session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def credentials(request: Request) -> tuple[str, str] | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return "bearer", auth[7:].strip()
    key = request.headers.get("x-api-key")
    if key:
        return "api_key", key.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return "cookie", cookie
    return None


def known_principal(request: Request) -> Principal | None:
    """The caller, when it is known without database I/O (authenticated earlier in this request, or an API key
    this process authenticated moments ago); None: call ``current_principal`` in a worker thread."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    creds = credentials(request)
    peek = getattr(request.app.state.authenticator, "cached_api_key", None)
    if creds is None or creds[0] != "api_key" or peek is None:
        return None
    principal: Principal | None = peek(creds[1])
    if principal is not None:
        request.state.principal = principal
    return principal


def current_principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    creds = credentials(request)
    if creds is None:
        raise AuthenticationRequired("send a bearer token (Authorization header) or an API key (X-API-Key)")
    authenticator: Authenticator = request.app.state.authenticator
    kind, value = creds
    principal = authenticator.from_api_key(value) if kind == "api_key" else authenticator.from_bearer(value)
    if kind == "cookie" and request.method in UNSAFE_METHODS:
        # the browser sends the session cookie by itself: a change must prove it comes from the console
        refuse_cross_origin(request, require=True)
        check_cookie_request(request, principal)  # boh.http.csrf
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


@contextmanager
def request_uow(request: Request, *, read_only: bool = False) -> Iterator[UnitOfWork]:
    """The request's unit of work (call in a worker thread: authenticating may read the database).
    ``read_only``: its connection runs in autocommit, so a read costs no BEGIN and ROLLBACK round trips
    (each statement then sees its own snapshot: for reads that need no consistency between statements)."""
    principal = current_principal(request)
    with UnitOfWork(session_factory(request), principal, getattr(request.state, "request_id", None)) as uow:
        if read_only:
            uow.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield uow


def get_uow(request: Request) -> Iterator[UnitOfWork]:
    with request_uow(request) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
