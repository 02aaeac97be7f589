"""`django.contrib.admin` with the console's own site (`..site.ConsoleSite`) as `admin.site`.
Kept apart from the site: an app config is imported before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    default_site = "seleksi.console.site.ConsoleSite"
