from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs):
    # Permissions of every app exist only after migrate; re-syncing each time keeps the groups exact.
    from partners.services import roles_ensure

    roles_ensure()


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and users"

    def ready(self):
        post_migrate.connect(_ensure_roles, dispatch_uid="partners.ensure_roles")
