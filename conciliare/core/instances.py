"""Model instances from values a query already read, without another query."""

from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

M = TypeVar("M", bound=Model)


def loaded_instance(model: type[M], **values: Any) -> M:
    """An instance as if read from the database with only these fields; the others are deferred
    (reading one is a query, as with `.only()`). Keys are attribute names: `organization_id`, not
    `organization`."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    if len(names) != len(values):
        raise TypeError(f"not concrete fields of {model.__name__}: {sorted(set(values) - set(names))}")
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])
