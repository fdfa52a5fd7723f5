"""The names of the kinds of activity in nl, en and fy (see buurtkamer/translated.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Category


@register(Category)
class CategoryNames(TranslationOptions):
    fields = ("name",)
    required_languages = ("nl",)
    empty_values = {"name": None}  # an empty English or Frisian name is NULL: never a clash
