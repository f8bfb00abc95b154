from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.roles import ADMINISTRATOR, ROLES
from interchange.reading import files_from_directory
from interchange.services import dataset_import
from scoring.services import recompute

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
# Demo accounts for a local try-out only; never load the demo on a public server.
DEMO_USERS = {role: (f"demo-{role.replace('_', '-')}", f"riverton-{role.replace('_', '-')}-demo") for role in ROLES}


class Command(BaseCommand):
    help = "Load the Riverton demo data set, score it as of today, and create one demo user per role."

    def handle(self, **options):
        result = dataset_import(files=files_from_directory(DEMO_DIR))
        if not result.ok:
            raise CommandError("\n".join(str(p) for p in result.problems))
        for name, counts in result.counts.items():
            self.stdout.write(f"{name}: {counts}")
        snapshot = recompute(as_of=timezone.localdate(), triggered_by="load_demo")
        self.stdout.write(f"Scored {snapshot.pairs_current} pairs as of {snapshot.as_of}; {snapshot.flags_raised} flags raised.")
        self.stdout.write("\nDemo users (role: username / password):")
        for role, (username, password) in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = role == ADMINISTRATOR  # administrators use the Django admin too
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:14} {username} / {password}")
