"""Settings for benchmarks/pages.py only: Safeguard's own settings with a URLconf that adds
a minimal view (the yardstick the pages are measured against)."""

from safeguard.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
