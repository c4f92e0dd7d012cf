import pytest

from home.demo import DemoSeedError, seed_pages

pytestmark = pytest.mark.django_db


def test_seed_pages_refuses_to_run_before_the_municipalities_exist():
    with pytest.raises(DemoSeedError, match="genk"):
        seed_pages()
