"""Front-end views for profiles."""

urlpatterns = []
