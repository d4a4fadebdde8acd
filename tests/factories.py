"""factory_boy factories for the domain. Boards come from the shipped reference data."""

import datetime
import hashlib

import factory
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone

from reviews.models import Action, Board, Child, Document, Evaluation, Finding, Recommendation, Review
from tests.pdfs import pdf_bytes


def board(gss_code="E08000025"):
    """A board from the reference data (Birmingham unless told otherwise)."""
    return Board.objects.get(gss_code=gss_code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted == "admin":
            self.is_superuser = self.is_staff = True
            self.save()
        elif extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def boards(self, create, extracted, **kwargs):
        for gss in extracted or []:
            board(gss).members.add(self)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    reference = factory.Sequence(lambda n: f"SCR-{n:05d}")
    board = factory.LazyFunction(board)
    title = factory.Sequence(lambda n: f"Review of services to Child {n}")
    incident_date = datetime.date(2008, 1, 10)
    decision_date = datetime.date(2008, 2, 1)
    completed_date = datetime.date(2008, 6, 1)
    submitted_date = datetime.date(2008, 6, 10)
    status = Review.Status.SUBMITTED


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    review = factory.SubFactory(ReviewFactory)
    pseudonym = factory.Sequence(lambda n: f"Child {chr(65 + n % 26)}")
    sex = Child.Sex.FEMALE
    age_band = Child.AgeBand.UNDER_1
    outcome = Child.Outcome.DIED
    known_to_social_care = True


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    review = factory.SubFactory(ReviewFactory)
    category = Finding.Category.WEAK_MANAGEMENT
    agency = "police"
    description = "Supervision of the case was not recorded."


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    review = factory.SubFactory(ReviewFactory, status=Review.Status.EVALUATED)
    sequence = 1
    received_date = datetime.date(2008, 7, 1)
    completed_date = datetime.date(2008, 9, 1)
    judgement = Evaluation.Judgement.ADEQUATE


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Agencies should share information about a child's home circumstances within 24 hours."
    agency = ""


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action (not started, due 31 March 2009) of a recommendation of a submitted review."""

    class Meta:
        model = Action

    recommendation = factory.SubFactory(RecommendationFactory)
    number = factory.Sequence(lambda n: n + 1)
    description = "Agree a protocol for sharing information at the first referral."
    owner_agency = "childrens_social_care"
    due_date = datetime.date(2009, 3, 31)
    status = Action.Status.NOT_STARTED


class DocumentFactory(factory.django.DjangoModelFactory):
    """An executive summary of a review: a real one-page PDF in the documents storage."""

    class Meta:
        model = Document

    review = factory.SubFactory(ReviewFactory)
    kind = Document.Kind.EXECUTIVE_SUMMARY
    title = "Executive summary"
    filename = "executive-summary.pdf"
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)

    @factory.lazy_attribute
    def file(self):
        return ContentFile(pdf_bytes(), name="executive-summary.pdf")

    @factory.lazy_attribute
    def size(self):
        return self.file.size

    @factory.lazy_attribute
    def sha256(self):
        return hashlib.sha256(self.file.read()).hexdigest()
