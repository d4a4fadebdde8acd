"""Saved views: an inspector names the register's current filters; the same FilterSet checks them."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from reviews.models import Review, SavedView
from reviews.register.choices import PAGING_PARAMS, SORT_CHOICES
from reviews.register.filters import ReviewFilter, clean_query
from reviews.register.selected import selected_filters


class SavedViewForm(forms.Form):
    """Name the register's current filters; the query string is checked by the register's FilterSet."""

    name = forms.CharField(
        label="Name this view",
        max_length=100,
        error_messages={
            "required": "Enter a name for this view",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    query_string = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args, owner, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if SavedView.objects.filter(owner=self.owner, name=name).exists():
            raise ValidationError("You already have a saved view with this name")
        return name

    def clean_query_string(self):
        query = clean_query(QueryDict(self.cleaned_data.get("query_string", "")), drop=PAGING_PARAMS)
        filterset = self._filterset(query)
        if not filterset.is_valid():
            problems = [str(error) for errors in filterset.form.errors.values() for error in errors]
            raise ValidationError("These filters cannot be saved: " + "; ".join(problems))
        return query.urlencode()

    def save(self):
        return SavedView.objects.create(
            owner=self.owner, name=self.cleaned_data["name"], query_string=self.cleaned_data["query_string"]
        )

    def filter_summary(self):
        """The filters this view would save, as (heading, [labels]) for the page."""
        raw = self.data.get("query_string", "") if self.is_bound else self.initial.get("query_string", "")
        query = clean_query(QueryDict(raw), drop=PAGING_PARAMS)
        filterset = self._filterset(query)
        summary = [(heading, [label for label, _ in tags]) for heading, tags in selected_filters(filterset, query)]
        if filterset.is_valid() and query.get("o"):
            summary.append(("Sorted by", [dict(SORT_CHOICES)[filterset.sort_key]]))
        return summary

    def _filterset(self, query):
        return ReviewFilter(query, queryset=Review.objects.none(), user=self.owner)
