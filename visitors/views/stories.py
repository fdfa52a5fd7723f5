"""Stories and quotes for the year overview: coordinators (and staff) add, change and delete
short anonymous texts for their location and a date. Never a visitor's name."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from buurtkamer.dates import BoundedDateField
from buurtkamer.once import OnceFormMixin, repeat_response, submitted_once
from buurtkamer.permissions import Action, location_required

from .. import services
from ..models import Story, StoryKind

LATEST = 50  # the page lists the newest stories; older ones are in the year overview


class StoryForm(forms.ModelForm):
    """A story's date, kind and text (changing one)."""

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


class NewStoryForm(OnceFormMixin, StoryForm):
    """Adding a story: sent once (buurtkamer/once.py)."""


def _story_of(location, pk):
    return get_object_or_404(Story, pk=pk, location=location)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def stories(request, location):
    form = NewStoryForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "kind": StoryKind.STORY},
    )
    if request.method == "POST":
        if form.is_valid():
            list_url = reverse("visitors:stories", kwargs={"slug": location.slug})
            with submitted_once(request, form.submission_key_value) as claim:
                if claim.earlier:
                    return repeat_response(request, claim.earlier, list_url)
                story = services.add_story(
                    story=form.save(commit=False), location=location, user=request.user
                )
                claim.made(list_url, story)
            messages.success(request, _("Het verhaal is opgeslagen."))
            return redirect(list_url)
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
            services.change_story(story=form.save(commit=False), user=request.user)
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
    services.delete_story(story=story, user=request.user)
    messages.success(request, _("Het verhaal is verwijderd."))
    return redirect("visitors:stories", slug=location.slug)
