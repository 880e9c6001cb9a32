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
share one (``RATELIMIT_STORAGE_URI``), so that a limit holds across all of them. While that
storage does not answer, sign-in goes on: each process counts in its own memory (a guesser
spread over N processes gets N times the attempts), says so in the log, and tries the shared
storage again every ``STORAGE_RETRY_SECONDS``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import current_app, request
from flask_babel import ngettext
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter

from wallchart.extensions import limiter

T = TypeVar("T")

PAIR = "SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT"
ADDRESS = "SIGN_IN_LIMIT_PER_ADDRESS"
ACCOUNT = "SIGN_IN_LIMIT_PER_ACCOUNT"
#: While the shared storage is down, it is tried again this often (a refused connection costs
#: milliseconds, a silent one up to the storage's timeout).
STORAGE_RETRY_SECONDS = 10


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


def _wait(counters: RateLimiter, name: str, *identity: str) -> int | None:
    """Seconds until the counter ``name`` takes another failure, or None if it takes one now."""
    for item, ids in _counters(name, *identity):
        if not counters.test(item, *ids):
            reset = counters.get_window_stats(item, *ids).reset_time
            return max(1, math.ceil(reset - time.time()))
    return None


def _failed_here(counters: RateLimiter, address: str, account: str) -> bool:
    """Whether this address failed on this account lately (within the per-pair windows): only
    such addresses are turned away by the per-account limit."""
    return any(counters.get_window_stats(item, *ids).remaining < item.amount
               for item, ids in _counters(PAIR, address, account))


def sign_in_wait(username: str) -> int | None:
    """Seconds the person must wait before this sign-in attempt is checked, or None."""
    address, account = _address(), _account_key(username)

    def wait(counters: RateLimiter) -> int | None:
        found = _wait(counters, ADDRESS, address) or _wait(counters, PAIR, address, account)
        if found is None and _failed_here(counters, address, account):
            found = _wait(counters, ACCOUNT, account)
        return found

    return _with_counters(wait)


def record_failed_sign_in(username: str) -> None:
    """Count a failure on all three counters (a success is never counted anywhere)."""
    address, account = _address(), _account_key(username)

    def record(counters: RateLimiter) -> None:
        for name, identity in ((ADDRESS, (address,)), (PAIR, (address, account)),
                               (ACCOUNT, (account,))):
            for item, ids in _counters(name, *identity):
                counters.hit(item, *ids)

    _with_counters(record)


class _Fallback:
    """This process's own counters, used while the shared storage does not answer."""

    def __init__(self, strategy: str) -> None:
        self.counters: RateLimiter = STRATEGIES[strategy](MemoryStorage())
        self.down = False
        self.retry_at = 0.0


def _fallback() -> _Fallback:
    extensions = current_app.extensions
    if "wallchart_sign_in_fallback" not in extensions:
        extensions["wallchart_sign_in_fallback"] = _Fallback(
            current_app.config["RATELIMIT_STRATEGY"])
    return extensions["wallchart_sign_in_fallback"]


def _with_counters(use: Callable[[RateLimiter], T]) -> T:
    """``use`` the shared counters, or this process's own while the shared storage is down:
    a dead Redis slows guessing down less across processes, but never stops a sign-in."""
    fallback = _fallback()
    if not fallback.down or time.monotonic() >= fallback.retry_at:
        try:
            result = use(limiter.limiter)
        except StorageError as error:
            if not fallback.down:
                current_app.logger.warning(
                    "Sign-in throttling falls back to counts in this process only: the rate "
                    "limit storage does not answer (%s)", error)
            fallback.down, fallback.retry_at = True, time.monotonic() + STORAGE_RETRY_SECONDS
        else:
            if fallback.down:
                current_app.logger.warning(
                    "Sign-in throttling counts in the shared rate limit storage again")
                fallback.down = False
            return result
    return use(fallback.counters)


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
