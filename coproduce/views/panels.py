"""Front-end views for panels."""

urlpatterns = []
