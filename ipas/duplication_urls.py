"""Routes of duplication reports, consultation and imports (included by ipas/urls.py, namespace "ipas")."""

urlpatterns: list = []
