"""Front-end views for claims."""

urlpatterns = []
