"""The names of the two lists in nl, en and fy (see buurtkamer/translated.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import CameVia, ReferralTarget


@register([CameVia, ReferralTarget])
class NameInEachLanguage(TranslationOptions):
    fields = ("name",)
    required_languages = ("nl",)
    empty_values = {"name": None}  # an empty English or Frisian name is NULL: never a clash
