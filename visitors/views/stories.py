"""Stories and quotes for the year overview: coordinators (and staff) add, change and delete
short anonymous texts for their location and a date. Never a visitor's name."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from buurtkamer.dates import BoundedDateField
from buurtkamer.models import log_action
from buurtkamer.permissions import Action, location_required

from ..models import Story, StoryKind

LATEST = 50  # the page lists the newest stories; older ones are in the year overview


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["date", "kind", "text"]
        field_classes = {"date": BoundedDateField}
        labels = {
            "date": gettext_lazy("Datum"),
            "kind": gettext_lazy("Soort"),
            "text": gettext_lazy("Tekst"),
        }
        help_texts = {
            "text": gettext_lazy(
                "Kort en anoniem: schrijf geen namen of andere dingen waaraan iemand te "
                "herkennen is."
            ),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        error_messages = {
            "date": {
                "required": gettext_lazy("Vul de datum in."),
                "invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 3-11-2026."),
            },
            "text": {"required": gettext_lazy("Schrijf het verhaal of de uitspraak op.")},
        }

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Deze datum ligt in de toekomst."))
        return date


def _story_of(location, pk):
    return get_object_or_404(Story, pk=pk, location=location)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def stories(request, location):
    form = StoryForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "kind": StoryKind.STORY},
    )
    if request.method == "POST":
        if form.is_valid():
            story = form.save(commit=False)
            story.location = location
            story.created_by = request.user
            story.save()
            log_action(
                actor=request.user, action="story_added", location=location, subject=str(story)
            )
            messages.success(request, _("Het verhaal is opgeslagen."))
            return redirect("visitors:stories", slug=location.slug)
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    latest = (
        Story.objects.filter(location=location)
        .select_related("created_by")
        .order_by("-date", "-pk")[:LATEST]
    )
    return render(
        request,
        "visitors/reports/stories.html",
        {"location": location, "form": form, "stories": latest},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def story_edit(request, location, pk):
    story = _story_of(location, pk)
    form = StoryForm(request.POST or None, instance=story)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            log_action(
                actor=request.user, action="story_changed", location=location, subject=str(story)
            )
            messages.success(request, _("Het verhaal is gewijzigd."))
            return redirect("visitors:stories", slug=location.slug)
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    return render(
        request,
        "visitors/reports/story_edit.html",
        {"location": location, "form": form, "story": story},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def story_delete(request, location, pk):
    story = _story_of(location, pk)
    if request.method == "GET":
        return render(
            request, "visitors/reports/story_delete.html", {"location": location, "story": story}
        )
    log_action(actor=request.user, action="story_deleted", location=location, subject=str(story))
    story.delete()
    messages.success(request, _("Het verhaal is verwijderd."))
    return redirect("visitors:stories", slug=location.slug)
