"""The cache on Redis (core/cache.py): it only counts rate limits, so while Redis cannot be
reached it answers as an empty cache and the limits let requests through, where every API
request, password reset and survey answer was a server error."""
import pytest
from django.core.cache import cache, caches

from core.cache import RedisCacheEmptyWhileDown
from tests.core.test_workers import a_port_that_refuses
from tests.worker import REDIS_URL


def redis_cache_at(location: str) -> dict:
    return {"default": {"BACKEND": "core.cache.RedisCacheEmptyWhileDown", "LOCATION": location,
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache_at(f"redis://127.0.0.1:{a_port_that_refuses()}/0")  # the cache handler is reset


def test_redis_down_answers_as_an_empty_cache_saying_so(redis_down, caplog):
    assert type(caches["default"]) is RedisCacheEmptyWhileDown
    cache.set("a", 1)
    assert cache.get("a") is None and cache.get("a", "default") == "default"
    assert cache.add("a", 1) is False and cache.has_key("a") is False and cache.touch("a") is False
    assert cache.get_many(["a", "b"]) == {} and cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    with pytest.raises(ValueError):  # as for a key not there
        cache.incr("a")
    cache.delete_many(["a"])
    assert cache.delete("a") is False and cache.clear() is False
    assert "the cache (Redis) cannot be reached, get answered as by an empty cache" in caplog.text


def test_redis_up_is_a_cache(settings):
    settings.CACHES = redis_cache_at(REDIS_URL)
    cache.delete("counted")
    assert cache.add("counted", 1, 60) is True and cache.incr("counted") == 2 and cache.get("counted") == 2
    cache.delete("counted")


@pytest.mark.django_db
def test_with_redis_down_the_api_and_the_rate_limited_pages_still_answer(redis_down, client_as):
    client = client_as("city_staff")
    assert client.get("/api/entities/").status_code == 200  # DRF's throttle counts in the cache
    # limited by django-ratelimit, which lets it through when it cannot count (RATELIMIT_FAIL_OPEN)
    assert client.post("/account/password/reset/", {"email": "someone@example.org"}).status_code == 302
