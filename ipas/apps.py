from django.apps import AppConfig


class IpasConfig(AppConfig):
    name = "ipas"
    verbose_name = "iPAs, activities and funding"
