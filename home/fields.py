"""A StreamField whose block definitions stay out of migrations (STYLE §10).

Wagtail's ``StreamField.deconstruct`` writes every block definition into each migration, so any change
to a block (a label, a help text) creates a migration and old migrations freeze old block trees.
``ContentStreamField`` always builds ``home.blocks.ContentBlock`` itself and deconstructs to its own
import path without the blocks: the database column is plain JSON either way.
"""

from __future__ import annotations

from django.db import models
from wagtail.fields import StreamField

from home.blocks import ContentBlock


class ContentStreamField(StreamField):
    def __init__(self, *args, **kwargs):
        # Migrations written by plain StreamField would pass the block list and lookup: ignore them.
        kwargs.pop("block_lookup", None)
        super().__init__(ContentBlock(), **kwargs)

    def deconstruct(self):
        name, _path, _args, kwargs = models.Field.deconstruct(self)
        return name, "home.fields.ContentStreamField", [], kwargs
