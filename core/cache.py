"""The cache backend for CACHE_URL=redis://... The cache only counts rate limits here (API requests,
password resets, survey answers), so while Redis cannot be reached it answers as an empty cache
that keeps nothing, logged, where Django's raised: every API request, password reset and survey
answer was a server error until Redis came back. With RATELIMIT_FAIL_OPEN the limits then let
requests through (config/settings.py)."""
import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimedOut

logger = logging.getLogger(__name__)


class RedisCacheEmptyWhileDown(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis cannot be reached."""

    def _or(self, fallback, operation, *args):
        try:
            return operation(*args)
        except (RedisUnreachable, RedisTimedOut) as exc:
            logger.warning("the cache (Redis) cannot be reached, %s answered as by an empty cache: %s", operation.__name__, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        counted = self._or(None, super().incr, key, delta, version)
        if counted is None:  # as for a key not there, which is what an empty cache holds
            raise ValueError(f"Key '{key}' not found: the cache cannot be reached")
        return counted

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        return self._or(False, super().clear)
