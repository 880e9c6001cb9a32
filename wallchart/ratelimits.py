"""Rate limits that slow password guessing down without letting anyone lock a real user out.

Only *failed* sign-ins are counted, in three ways (limits in ``config.DEFAULT_LIMITS``):

- per address and account, tight: one machine guessing one account's password;
- per address, looser: one machine trying password after password across many accounts;
- per account, from everywhere: many machines guessing one account. An account past this limit
  is not closed; it only stops taking attempts from addresses that already failed on it. So an
  attacker hammering ``admin`` from any number of addresses gets one guess per address, while the
  real admin, signing in from an address of their own, still gets in.

An attempt over a limit is refused before the password is checked: the answer is the same
whether the password was right, so a refusal tells a guesser nothing.

The counts live in Flask-Limiter's storage: memory in one process, Redis when several processes
share one (``RATELIMIT_STORAGE_URI``), so that a limit holds across all of them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator

from flask import current_app, request
from flask_babel import ngettext
from limits import RateLimitItem, parse_many

from .extensions import limiter

PAIR = "SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT"
ADDRESS = "SIGN_IN_LIMIT_PER_ADDRESS"
ACCOUNT = "SIGN_IN_LIMIT_PER_ACCOUNT"


def _address() -> str:
    """The client's address; behind ``WALLCHART_PROXY_COUNT`` proxies, ProxyFix has set it."""
    return request.remote_addr or "unknown"


def _account_key(username: str) -> str:
    """A fixed-length key for a typed name: any text, of any length, is a safe storage key."""
    return hashlib.sha256(username.encode()).hexdigest()[:32]


def _counters(name: str, *identity: str) -> Iterator[tuple[RateLimitItem, tuple[str, ...]]]:
    """Each limit of the setting ``name`` with the storage identifiers of its counter."""
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    for item in parse_many(current_app.config[name]):
        yield item, (prefix, "sign-in", name, *identity)


def _wait(name: str, *identity: str) -> int | None:
    """Seconds until the counter ``name`` takes another failure, or None if it takes one now."""
    for item, ids in _counters(name, *identity):
        if not limiter.limiter.test(item, *ids):
            reset = limiter.limiter.get_window_stats(item, *ids).reset_time
            return max(1, math.ceil(reset - time.time()))
    return None


def _failed_here(address: str, account: str) -> bool:
    """Whether this address failed on this account lately (within the per-pair windows): only
    such addresses are turned away by the per-account limit."""
    return any(limiter.limiter.get_window_stats(item, *ids).remaining < item.amount
               for item, ids in _counters(PAIR, address, account))


def sign_in_wait(username: str) -> int | None:
    """Seconds the person must wait before this sign-in attempt is checked, or None."""
    address, account = _address(), _account_key(username)
    wait = _wait(ADDRESS, address) or _wait(PAIR, address, account)
    if wait is None and _failed_here(address, account):
        wait = _wait(ACCOUNT, account)
    return wait


def record_failed_sign_in(username: str) -> None:
    """Count a failure on all three counters (a success is never counted anywhere)."""
    address, account = _address(), _account_key(username)
    for name, identity in ((ADDRESS, (address,)), (PAIR, (address, account)),
                           (ACCOUNT, (account,))):
        for item, ids in _counters(name, *identity):
            limiter.limiter.hit(item, *ids)


def setup_limit() -> str:
    """The setup page's limit per address, read from the app's config when a request comes
    (the route's decorator runs at import, before there is a config)."""
    return current_app.config["SETUP_LIMIT_PER_ADDRESS"]


def wait_message(seconds: int) -> str:
    """The refusal in the person's language, in whole minutes (to the nearest, at least one)."""
    minutes = max(1, round(seconds / 60))
    return ngettext("Too many attempts. Please try again in %(num)d minute.",
                    "Too many attempts. Please try again in %(num)d minutes.", minutes)


def seconds_to_wait() -> int:
    """For a request Flask-Limiter refused: seconds until its limit lets the next one through."""
    breached = limiter.current_limit
    reset = breached.reset_at if breached else time.time() + 60
    return max(1, math.ceil(reset - time.time()))
