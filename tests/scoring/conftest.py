"""Compile (or load from numba's cache) every engine kernel once per test process, before any test:
a first call that compiles takes seconds on a fresh clone, which would count against the property
tests' per-example deadline (the image build warms the cache the same way)."""
import pytest

from scoring.engine import pair_product


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels():
    pair_product.warm_up()
