"""Front-end views for meetings."""

urlpatterns = []
