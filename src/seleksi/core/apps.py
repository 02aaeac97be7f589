from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "seleksi.core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Every select's empty choice, in the page's language, in the portal and the console
        # alike: Django 6.1's "- Select an option -" has no Indonesian translation, and Django
        # reads this label each time a select is built.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("— Choose —")
