"""Fixtures of the WordPress adapter's tests; the machinery is in ``wordpress_support.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest
from wordpress_support import (
    REQUIRED,
    SeededPost,
    WordPress,
    make_review,
    missing_packages,
    running_wordpress,
    seed_reviewer,
)

from commentcare import Comment, Review


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    """A real WordPress on 127.0.0.1 with a seeded post, for the whole session.

    It skips where Debian's packages are missing, and fails there instead when
    COMMENTCARE_REQUIRE_WORDPRESS=1 (as in CI), so that CI cannot go green by skipping.
    """
    missing = missing_packages()
    if missing:
        reason = (
            f"WordPress is not installed here (missing: {', '.join(missing)}); "
            "scripts/wordpress_up.sh installs wordpress php-cli php-mysql mariadb-server"
        )
        if REQUIRED:
            pytest.fail(f"COMMENTCARE_REQUIRE_WORDPRESS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with running_wordpress(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture
def seeded(wordpress: WordPress) -> SeededPost:
    """A fresh post with one held comment of each class, for a test that changes them."""
    return wordpress.seed_post()


@pytest.fixture
def reviewer() -> Callable[[Iterable[Comment]], Iterator[Review]]:
    """Reviews seeded comments by the class they were seeded as, without the model."""
    return seed_reviewer


@pytest.fixture
def review_factory() -> Callable[..., Review]:
    return make_review
