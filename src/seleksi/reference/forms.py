"""Form fields over the reference lists, for registration and profile forms."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import EducationLevel, Regency
from .selectors import regencies_grouped


class RegencyGroupIterator(ModelChoiceIterator):  # type: ignore[type-arg]
    """Regencies grouped by province, read when the select is rendered, not when a form
    class is declared."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from regencies_grouped()


class RegencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A regency or city (kabupaten/kota), as a select with one <optgroup> per province, so
    it works without JavaScript. `reference/_regency_field.html` adds a search box."""

    iterator = RegencyGroupIterator

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Regency.objects.all())
        kwargs.setdefault("label", _("Regency or city"))
        kwargs.setdefault("empty_label", _("Choose a regency or city"))
        super().__init__(**kwargs)


class EducationLevelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A level of education (jenjang pendidikan), lowest first."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", EducationLevel.objects.order_by("order"))
        kwargs.setdefault("label", _("Education level"))
        kwargs.setdefault("empty_label", _("Choose an education level"))
        super().__init__(**kwargs)
