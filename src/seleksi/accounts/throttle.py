"""Limits on guessing: passwords, security answers, and whether a NIK is registered.

Decisions worth knowing:

- One `Throttle` row per key, changed by single UPDATE statements (add one while the window
  is open; restart the window once it has ended), so concurrent requests never lose a count
  and the table does not grow with the number of attempts.
- A sign-in or recovery lock is keyed on the account the identifier resolves to: its e-mail
  in any case, its NIK however typed, a staff member's username, all share one count. An
  identifier that matches no account is keyed on its canonical spelling. One bucket shared by
  every unknown identifier would be locked by anyone at will, and "locked" would then answer
  for unknown identifiers only, telling which accounts exist.
- An address never locks anyone out: a proxy or a carrier's NAT puts thousands of people
  behind one. Failures from an address make its forms wait a few seconds after they were
  opened, then also ask a small sum (`Friction`). A person typing a password needs longer
  than the wait; a script pays it on every try, since a passed challenge is spent. No request
  sleeps: the wait is counted from when the form was issued, and an early form is answered
  "send it again in N seconds".
- Registration and a mitra adding a NIK count every try that reaches the population registry
  per NIK and per name + birth date (refused past the limit, whatever address it comes from,
  so a sweep over the digits a mask hides stays slow) and per address (friction).
- With a "counters" Redis cache (the production profile), the counts live in Redis instead,
  under the same hashed keys: one hash per key (count and window end), changed by one Lua
  script, so an add is as atomic as the UPDATE it replaces and the database takes no write per
  failed sign-in. Windows are compared with the application's clock, as in the table; Redis's
  own expiry only drops keys a little after their window ended.
- When Redis fails, that operation counts in the table instead: a limit is never lifted, and
  an address still locks no one out. For the longest window after such a fallback, this
  process adds the table's count to Redis's, so failures counted during the outage still
  count once Redis is back. A process that saw no failure reads Redis only (a guesser gains at
  most one limit's worth per outage from it). `clear` clears both; a clear that did not reach
  Redis is done when Redis answers again. Single-use challenge tokens stay in the table.
"""

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from seleksi.audit.services import audit_record
from seleksi.core.cache import TolerantRedisCache
from seleksi.core.client import address_group

from .backends import canonical_identifier, user_by_identifier
from .crypto import lookup_hash
from .models import Throttle, User

logger = logging.getLogger("seleksi.accounts")

SIGN_IN = "sign_in"
RECOVERY = "recovery"
CHALLENGE_SALT = "seleksi.accounts.challenge"
CHALLENGE_MAX_AGE = timedelta(minutes=30)


# --- buckets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    count: int
    window_ends: datetime | None


def _key(scope: str, value: str) -> str:
    return lookup_hash(f"throttle|{scope}|{value}")


def peek(scope: str, value: str) -> Count:
    key = _key(scope, value)
    counters = _counters()
    if counters is not None:
        found = counters.redis_call(
            "throttle peek", _redis_peek(counters, key), fallback=_fell_back
        )
        if found is not None:
            return _together(found, _table_peek(key)) if _table_counts() else found
    return _table_peek(key)


def add(scope: str, value: str, *, window: timedelta, lock_at: int | None = None) -> Count:
    """One more for this key. When the count reaches `lock_at`, its window restarts, so a
    lock lasts a whole window from the try that caused it."""
    key = _key(scope, value)
    counters = _counters()
    if counters is not None:
        table = _table_peek(key) if _table_counts() else Count(0, None)
        # the window restarts when both together reach the limit
        redis_lock_at = (
            lock_at - table.count if lock_at is not None and lock_at > table.count else None
        )
        added = counters.redis_call(
            "throttle add", _redis_add(counters, key, window, redis_lock_at), fallback=_fell_back
        )
        if added is not None:
            return _together(added, table)
    return _table_add(key, window=window, lock_at=lock_at)


def clear(scope: str, value: str) -> None:
    key = _key(scope, value)
    counters = _counters()
    if counters is not None:
        made = _redis_key(counters, key)
        counters.redis_call(
            "throttle clear",
            lambda client: client.delete(made),
            fallback=_fell_back,
            stale_if_failed=[made],
        )
    Throttle.objects.filter(key=key).delete()


# --- in the table --------------------------------------------------------------------------


def _table_peek(key: str) -> Count:
    row = (
        Throttle.objects.filter(key=key, window_ends__gt=timezone.now())
        .values_list("count", "window_ends")
        .first()
    )
    return Count(*row) if row else Count(0, None)


def _table_add(key: str, *, window: timedelta, lock_at: int | None) -> Count:
    now = timezone.now()
    rows = Throttle.objects.filter(key=key)
    for _retry in range(3):
        if rows.filter(window_ends__gt=now).update(count=F("count") + 1):
            break
        if rows.filter(window_ends__lte=now).update(count=1, window_ends=now + window):
            break
        try:
            with transaction.atomic():
                Throttle.objects.create(key=key, count=1, window_ends=now + window)
            break
        except IntegrityError:
            continue  # a concurrent request created it: count on that row
    if lock_at is not None:
        rows.filter(count=lock_at).update(window_ends=now + window)
    count, window_ends = rows.values_list("count", "window_ends").get()
    return Count(count, window_ends)


# --- in Redis ------------------------------------------------------------------------------

# KEYS[1]: the counter. ARGV: now and the end of a window starting now (microseconds since
# the epoch, as text: Lua's numbers print large integers in exponent form), the count that
# restarts the window ("" for none), and how long Redis keeps the key (milliseconds).
ADD_SCRIPT = """
local ends = redis.call('HGET', KEYS[1], 'e')
local count
if ends and tonumber(ends) > tonumber(ARGV[1]) then
  count = redis.call('HINCRBY', KEYS[1], 'c', 1)
else
  count = 1
  ends = ARGV[2]
  redis.call('HSET', KEYS[1], 'c', 1, 'e', ends)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if ARGV[3] ~= '' and count == tonumber(ARGV[3]) then
  ends = ARGV[2]
  redis.call('HSET', KEYS[1], 'e', ends)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return {count, ends}
"""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Redis keeps a key this long past its window, so a clock a little ahead of the application's
# never drops a count early.
REDIS_MARGIN = timedelta(minutes=1)

_table_counts_until: datetime | None = None


def _counters() -> TolerantRedisCache | None:
    if "counters" not in settings.CACHES:
        return None
    backend = caches["counters"]
    return backend if isinstance(backend, TolerantRedisCache) else None


def _redis_key(counters: TolerantRedisCache, key: str) -> str:
    return counters.make_key(f"throttle:{key}")


def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _moment(microseconds: int | bytes | str) -> datetime:
    return EPOCH + int(microseconds) * MICROSECOND


def _redis_peek(counters: TolerantRedisCache, key: str) -> Callable[[Any], Count]:
    made = _redis_key(counters, key)

    def read(client: Any) -> Count:
        count, ends = client.hmget(made, ["c", "e"])
        if count is None or ends is None or _moment(ends) <= timezone.now():
            return Count(0, None)
        return Count(int(count), _moment(ends))

    return read


def _redis_add(
    counters: TolerantRedisCache, key: str, window: timedelta, lock_at: int | None
) -> Callable[[Any], Count]:
    made = _redis_key(counters, key)

    def count(client: Any) -> Count:
        now = timezone.now()
        keep = (window + REDIS_MARGIN) // timedelta(milliseconds=1)
        arguments = [
            str(_microseconds(now)),
            str(_microseconds(now + window)),
            "" if lock_at is None else str(lock_at),
            str(keep),
        ]
        added, ends = client.register_script(ADD_SCRIPT)(keys=[made], args=arguments)
        return Count(int(added), _moment(ends))

    return count


def _fell_back() -> None:
    """Remembers that the table holds counts Redis lacks, for as long as they can matter."""
    global _table_counts_until
    longest = max(settings.SELEKSI_LOGIN_LOCK_MINUTES, settings.SELEKSI_IDENTITY_WINDOW_MINUTES)
    _table_counts_until = timezone.now() + timedelta(minutes=longest)


def _table_counts() -> bool:
    return _table_counts_until is not None and timezone.now() < _table_counts_until


def _together(redis: Count, table: Count) -> Count:
    ends = [moment for moment in (redis.window_ends, table.window_ends) if moment is not None]
    return Count(redis.count + table.count, max(ends) if ends else None)


def fallback_forget() -> None:
    """Forgets that this process ever counted in the table instead (for tests)."""
    global _table_counts_until
    _table_counts_until = None


def prune(*, now: datetime | None = None) -> int:
    """Removes every row whose window has ended; they count nothing any more."""
    deleted, _kinds = Throttle.objects.filter(window_ends__lte=now or timezone.now()).delete()
    return deleted


# --- challenges --------------------------------------------------------------------------


@dataclass(frozen=True)
class Friction:
    """What a form from a busy address must carry: a minimum age, and an answered sum."""

    wait_seconds: int = 0
    ask: bool = False

    @property
    def applies(self) -> bool:
        return self.wait_seconds > 0 or self.ask

    @classmethod
    def for_pressure(cls, pressure: int, *, slow_from: int, ask_from: int) -> "Friction":
        if pressure < slow_from:
            return cls(0, pressure >= ask_from)
        wait = min(settings.SELEKSI_LOGIN_MAX_WAIT_SECONDS, 1 + (pressure - slow_from) // 5)
        return cls(wait, pressure >= ask_from)


@dataclass(frozen=True)
class Challenge:
    """A signed, single-use form token: when it was issued and, when asked, a small sum."""

    token: str
    question: tuple[int, int] | None

    @property
    def label(self) -> str:
        if self.question is None:
            return ""
        first, second = self.question
        return _("For your security: how much is %(first)d + %(second)d?") % {
            "first": first,
            "second": second,
        }


def challenge_new(*, ask: bool) -> Challenge:
    question = (secrets.randbelow(9) + 1, secrets.randbelow(9) + 1) if ask else None
    payload = {
        "n": secrets.token_urlsafe(12),
        "t": timezone.now().timestamp(),
        "q": list(question) if question else None,
    }
    return Challenge(signing.dumps(payload, salt=CHALLENGE_SALT), question)


def _challenge_payload(token: str) -> dict[str, Any] | None:
    try:
        payload = signing.loads(token, salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


@dataclass(frozen=True)
class Refusal:
    """Why a form was not processed: the message to show, the HTTP status, and the challenge
    the form must carry next (the posted one again while the person only has to wait)."""

    message: str
    status: int
    keep: Challenge | None = None


def _spend(nonce: str, issued: datetime) -> bool:
    try:
        with transaction.atomic():
            Throttle.objects.create(
                key=_key("challenge", nonce), count=1, window_ends=issued + CHALLENGE_MAX_AGE
            )
    except IntegrityError:
        return False
    return True


def challenge_check(token: str, answer: str, friction: Friction) -> Refusal | None:
    if not friction.applies:
        return None
    payload = _challenge_payload(token)
    if payload is None:
        return _challenge_refusal(wrong=False)
    issued = datetime.fromtimestamp(float(payload["t"]), tz=UTC)
    question = (int(payload["q"][0]), int(payload["q"][1])) if payload.get("q") else None
    if friction.ask and question is None:
        return _challenge_refusal(wrong=False)
    ready = issued + timedelta(seconds=friction.wait_seconds)
    now = timezone.now()
    if now < ready:
        seconds = math.ceil((ready - now).total_seconds())
        message = _(
            "For your security, this form can be sent %(seconds)d seconds after it was "
            "opened. Wait a moment and send it again."
        ) % {"seconds": seconds}
        return Refusal(message, 400, keep=Challenge(token, question))
    if not _spend(str(payload["n"]), issued):
        return _challenge_refusal(wrong=False)
    if friction.ask and question and answer.strip() != str(sum(question)):
        return _challenge_refusal(wrong=True)
    return None


def _challenge_refusal(*, wrong: bool) -> Refusal:
    if wrong:
        return Refusal(
            _("The answer to the sum is not right. Answer the new sum below and send again."),
            400,
        )
    return Refusal(_("For your security, answer the sum below and send the form again."), 400)


# --- sign-in and recovery ----------------------------------------------------------------


def lock_window() -> timedelta:
    return timedelta(minutes=settings.SELEKSI_LOGIN_LOCK_MINUTES)


def lock_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Too many failed attempts. For your security this is locked for %(minutes)d minutes, "
        "until %(time)s. If you forgot your password, recover it instead."
    ) % {"minutes": settings.SELEKSI_LOGIN_LOCK_MINUTES, "time": local.strftime("%H:%M")}


def account_bucket(user: User | None, identifier: str) -> str:
    """What a lock counts: the account, or the canonical spelling of an unknown identifier
    (hashed: the session and the table never hold a NIK)."""
    if user is not None:
        return f"account:{user.pk}"
    return "unknown:" + lookup_hash(canonical_identifier(identifier))


def login_friction(address: str) -> Friction:
    pressure = peek("address", address_group(address)).count
    return Friction.for_pressure(
        pressure,
        slow_from=settings.SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS,
        ask_from=settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS,
    )


def login_challenge(address: str) -> Challenge:
    """The challenge a sign-in or recovery form from this address carries now."""
    return challenge_new(ask=login_friction(address).ask)


@dataclass(frozen=True)
class Guess:
    """One try at a password or at the security answers, about to be checked."""

    kind: str
    user: User | None
    bucket: str
    address: str
    refusal: Refusal | None


def guess_start(
    *, kind: str, user: User | None, bucket: str, address: str, token: str, answer: str
) -> Guess:
    """Refuses the try, before anything is checked, when its account is locked or the form
    does not carry what its address owes; otherwise lets it through."""
    count = peek(kind, bucket)
    if count.count >= settings.SELEKSI_LOGIN_MAX_FAILURES and count.window_ends:
        refusal: Refusal | None = Refusal(lock_message(count.window_ends), 429)
    else:
        refusal = challenge_check(token, answer, login_friction(address))
    return Guess(kind, user, bucket, address, refusal)


def sign_in_start(*, identifier: str, address: str, token: str, answer: str) -> Guess:
    user = user_by_identifier(identifier)
    return guess_start(
        kind=SIGN_IN,
        user=user,
        bucket=account_bucket(user, identifier),
        address=address,
        token=token,
        answer=answer,
    )


def guess_failed(guess: Guess) -> str | None:
    """Counts the failure against the account and the address; the lock message when this
    failure locked the account."""
    add("address", address_group(guess.address), window=lock_window())
    limit = settings.SELEKSI_LOGIN_MAX_FAILURES
    count = add(guess.kind, guess.bucket, window=lock_window(), lock_at=limit)
    if count.count < limit or count.window_ends is None:
        return None
    if count.count == limit:
        logger.warning(
            "%s locked until %s for account %s",
            guess.kind,
            count.window_ends.isoformat(),
            guess.user.pk if guess.user else "(unknown)",
        )
        if guess.user is not None:
            audit_record(
                actor=None,
                action=f"account.{guess.kind}_locked",
                subject=guess.user,
                reason=f"{limit} failed attempts",
            )
    return lock_message(count.window_ends)


def guess_succeeded(guess: Guess) -> None:
    clear(guess.kind, guess.bucket)


def account_unlock(user: User) -> None:
    """A new password ends the sign-in and recovery locks of its account."""
    for kind in (SIGN_IN, RECOVERY):
        clear(kind, account_bucket(user, ""))


# --- NIK lookups -------------------------------------------------------------------------


def _person(full_name: str, birth_date: date) -> str:
    name = " ".join("".join(c for c in full_name.casefold() if c.isalnum() or c.isspace()).split())
    return f"{name}|{birth_date.isoformat()}"


def identity_friction(address: str) -> Friction:
    limit = settings.SELEKSI_IDENTITY_TRIES_PER_ADDRESS
    pressure = peek("identity-address", address_group(address)).count
    return Friction.for_pressure(pressure, slow_from=limit, ask_from=limit)


def identity_challenge(address: str) -> Challenge:
    return challenge_new(ask=identity_friction(address).ask)


def identity_try(
    *, address: str, nik: str, full_name: str, birth_date: date, token: str, answer: str
) -> Refusal | None:
    """Counts one try of a NIK against the population registry and the accounts, or refuses
    it. Past the limit for this NIK or this name and birth date, refused until the window
    ends; from a busy address, the form must carry its challenge."""
    friction = identity_friction(address)
    refusal = challenge_check(token, answer, friction)
    if refusal is not None:
        return refusal
    window = timedelta(minutes=settings.SELEKSI_IDENTITY_WINDOW_MINUTES)
    keys = (("identity-nik", nik), ("identity-person", _person(full_name, birth_date)))
    for scope, value in keys:
        count = peek(scope, value)
        if count.count >= settings.SELEKSI_IDENTITY_TRIES and count.window_ends:
            local = timezone.localtime(count.window_ends)
            message = _(
                "Too many tries with this NIK or with this name and date of birth. For your "
                "security, try again after %(time)s. If someone else may be using your NIK, "
                "contact the helpdesk."
            ) % {"time": local.strftime("%H:%M")}
            return Refusal(message, 429)
    for scope, value in keys:
        add(scope, value, window=window)
    add("identity-address", address_group(address), window=window)
    return None


def nik_check_over_limit(address: str) -> bool:
    """Counts one as-you-type NIK check from this address; whether it went past its limit."""
    count = add("nik-check", address_group(address), window=lock_window())
    return count.count > settings.SELEKSI_NIK_CHECKS_PER_ADDRESS


# --- recovery questions ------------------------------------------------------------------


def decoy_point(bucket: str) -> float:
    """A stable number in [0, 1) for an identifier, to draw its decoy questions with."""
    digest = hmac.new(lookup_hash("decoy").encode(), bucket.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
