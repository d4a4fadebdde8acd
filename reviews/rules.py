"""Who may do what to one review: ``rules`` predicates and object permissions (loaded by rules' autodiscovery).

Use them together with the one scoped entry point: fetch the review through
``access_review(request.user, pk)`` (another board's review is then a 404, never a 403), and ask
``request.user.has_perm(<permission>, review)`` before showing or doing an action (403 when refused).

Object permissions (each needs the review as the object):

- ``reviews.view_review_obj``: read the review, its evaluations and its history: exactly the reviews
  ``Review.objects.for_user(user)`` returns.
- ``reviews.change_review_obj``: edit it: board staff (``reviews.change_review``) of its lead board, while it is
  a draft.
- ``reviews.submit_review_obj``: submit it to Ofsted: board staff (``reviews.submit_review``) of its lead
  board, while it is a draft.
- ``reviews.evaluate_review_obj``: record an evaluation: inspectors (``reviews.evaluate_review``), once it
  has been submitted.
- ``reviews.view_history_obj``: read its audit trail: whoever may read the review (SPEC section 2).

Superusers pass every check (Django's ``User.has_perm``), as the admin does.

Predicates, for views and templates: ``is_board_staff``, ``is_inspector``, ``is_manager``, ``is_admin``
(user only); ``is_member_of_review_board``, ``is_member_of_contributing_board``, ``is_draft``,
``is_submitted``, ``is_visible_to_user`` (user and review).
"""

import rules

from reviews import roles


def _has(permission):
    """A predicate: the user holds ``permission`` through their role (a model permission, no object)."""

    @rules.predicate(name=f"has_{permission}")
    def predicate(user):
        return user.has_perm(permission)

    return predicate


def _is(role):
    """A predicate: the user's role is ``role``, known from the permissions they hold (``roles.role_of``),
    so it asks the database nothing the page's own permission checks do not."""

    @rules.predicate(name=f"is_{role}")
    def predicate(user):
        return user.is_authenticated and roles.role_of(user) == role

    return predicate


is_board_staff = _is(roles.BOARD_STAFF)
is_inspector = _is(roles.INSPECTOR)
is_manager = _is(roles.MANAGER)
is_admin = rules.is_superuser


@rules.predicate
def is_member_of_review_board(user, review):
    """The user belongs to the review's lead board."""
    if review is None or not user.is_authenticated:
        return False
    return review.board.members.filter(pk=user.pk).exists()


@rules.predicate
def is_member_of_contributing_board(user, review):
    """The user belongs to a board that contributed to the review (a review spanning more than one area)."""
    if review is None or not user.is_authenticated:
        return False
    return review.other_boards.filter(members=user).exists()


@rules.predicate
def is_draft(user, review):
    """The review has not been submitted to Ofsted yet."""
    return review is not None and review.status == review.Status.DRAFT


@rules.predicate
def is_submitted(user, review):
    """The review has reached Ofsted (submitted or evaluated)."""
    return review is not None and review.status != review.Status.DRAFT


@rules.predicate
def is_visible_to_user(user, review):
    """The review is one ``Review.objects.for_user(user)`` returns: the single definition of who reads what."""
    if review is None:
        return False
    return type(review).objects.for_user(user).filter(pk=review.pk).exists()


can_change_reviews = _has("reviews.change_review")
can_submit_reviews = _has("reviews.submit_review")
can_evaluate_reviews = _has("reviews.evaluate_review")
# Documents (SPEC section 10): upload, replace and delete go together, for the lead board at any status.
can_change_documents = _has("reviews.add_document") & _has("reviews.change_document") & _has("reviews.delete_document")

rules.add_perm("reviews.view_review_obj", is_visible_to_user)
rules.add_perm("reviews.view_history_obj", is_visible_to_user)
rules.add_perm("reviews.change_review_obj", can_change_reviews & is_draft & is_member_of_review_board)
rules.add_perm("reviews.submit_review_obj", can_submit_reviews & is_draft & is_member_of_review_board)
rules.add_perm("reviews.evaluate_review_obj", can_evaluate_reviews & is_submitted)
rules.add_perm("reviews.change_documents_obj", can_change_documents & is_member_of_review_board)
