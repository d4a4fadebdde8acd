"""``python manage.py shell``: Django's shell, with the session's writes in the audit trail under who ran it.

Every change made in the session shares one audit context naming the operating-system user, so a review's
history says "deploy (with the manage.py shell command) changed ..." rather than naming no one.
"""

import pghistory
from django.core.management.commands import shell

from reviews.management.commands.import_reviews import os_user


class Command(shell.Command):
    def handle(self, **options):
        with pghistory.context(source="manage.py shell", operator=os_user()):
            return super().handle(**options)
