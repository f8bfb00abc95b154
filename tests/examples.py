"""How many examples each property and fuzz test draws: the number the test gives, times
TEST_EXAMPLES_SCALE (default 1). `make test` draws what fits its ten minutes on a slow 2-core
machine; `make fuzz` runs the same tests with five times as many, a deeper search."""
import os

SCALE = float(os.environ.get("TEST_EXAMPLES_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, round(n * SCALE))
