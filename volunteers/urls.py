from . import urls_feeds, urls_profiles, urls_roster

app_name = "volunteers"

urlpatterns = urls_roster.urlpatterns + urls_profiles.urlpatterns + urls_feeds.urlpatterns
