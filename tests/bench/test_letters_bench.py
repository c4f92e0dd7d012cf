"""``python -m bench --only letters`` (``bench.letters``) at a tiny size: it runs, makes exactly its
letters through the product's batch, prints both rates and their ratio, and leaves nothing behind. Not
how fast: that is the benchmark's own run (docs/performance.md)."""

import re

import pytest

from bench import letters
from eloket.models import Dossier, Letter, LetterBatch, Organisation

pytestmark = pytest.mark.django_db


def test_the_benchmark_prints_letters_per_second_and_its_ratio_and_cleans_up(capsys):
    assert letters.main(letters=4)

    out = capsys.readouterr().out
    assert "FAILED" not in out
    match = re.search(
        r"letters: ([\d,]+) letters/s .* floor .*: ([\d,]+)/s .* ratio ours/floor ([\d.]+)", out
    )
    assert match, out
    assert float(match.group(3)) > 0
    assert not Organisation.objects.filter(slug=letters.PREFIX).exists()
    assert not (Dossier.objects.exists() or Letter.objects.exists() or LetterBatch.objects.exists())
