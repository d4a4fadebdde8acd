"""Who made a change, as the audit trail records it: the signed-in user as they are named at the time.

pghistory's middleware puts the user's id and the URL in the audit context of every write a request makes;
an id alone would name the user as they are named when the history is read, so a renamed user would be
renamed in their past changes too. This middleware also records their username and the name the history
shows (full name, else username), as they are when the change is made.
"""

import pghistory.middleware


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    def get_context(self, request):
        context = super().get_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
            context["name"] = user.get_full_name() or user.get_username()
        return context
