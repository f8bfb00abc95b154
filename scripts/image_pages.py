"""The main pages, signed in as the demo's administrator, under the settings of the shell that runs
this (scripts/image_check.sh: production's): every one must answer, none with an error."""
from django.contrib.auth.models import User
from django.test import Client

from conflicts.models import Flag
from core.help import HELP_PAGES
from engagement.models import Meeting

client = Client(HTTP_HOST="tracker.example.org")
client.force_login(User.objects.get(username="demo-administrator"))
meeting, flag = Meeting.objects.first(), Flag.objects.first()
pages = [
    "/", "/entities/", "/entities/rv-pd/", "/closeness/", "/closeness/rv-oig/rv-pd/", "/closeness/changes/", "/network/",
    "/flags/", f"/flags/{flag.pk}/", "/meetings/", f"/meetings/{meeting.pk}/", "/meetings/new/", "/engagement/coverage/",
    "/engagement/trust/", "/recusals/", "/reports/", "/reports/new/", "/register/", "/scoring/settings/",
    "/scoring/settings/history/", "/data/", "/data/export.zip", "/sources/", "/following/", "/account/password/", "/help/",
    "/api/", "/api/schema/", "/api/docs/", "/api/entities/", "/api/closeness/", "/admin/", "/admin/entities/entity/",
    "/entities/?export=csv", "/closeness/?export=csv", "/flags/?export=csv", "/recusals/?export=csv", "/meetings/?export=csv",
    *(f"/help/{page.slug}/" for page in HELP_PAGES),
]
failed = []
for path in pages:
    response = client.get(path, secure=True)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    if response.status_code != 200:
        failed.append(f"{path}: {response.status_code}")
print(f"pages: {len(pages) - len(failed)} of {len(pages)} answered")
if failed:
    raise SystemExit("pages that did not answer: " + ", ".join(failed))
signed_out = Client(HTTP_HOST="tracker.example.org")
for path in ("/login/", "/account/password/reset/"):
    if signed_out.get(path, secure=True).status_code != 200:
        raise SystemExit(f"{path} signed out: not 200")
health = Client().get("/healthz", HTTP_HOST="127.0.0.1:8000")
if health.status_code != 200:
    raise SystemExit(f"/healthz by IP over HTTP: {health.status_code}")
