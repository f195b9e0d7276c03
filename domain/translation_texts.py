"""The texts of a course version a translator fills in, each named by its part; the
translation form's fields carry these names, and a refused translation names the part at fault."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from domain.content import CourseContent, Slide
from domain.translations import CourseTranslation


@dataclass(frozen=True)
class TranslatableText:
    """One text of a course version (or of a translation), named by `part` as the form field
    that translates it: "title", "modules.basics.description", "modules.basics.slides.what.
    quiz.answers.2.explanation"."""

    part: str
    kind: str  # title, description, content_html, question, answer or explanation
    text: str
    module: str | None = None
    slide: str | None = None
    answer_id: int | None = None


def translatable_texts(course: CourseContent | CourseTranslation) -> Iterator[TranslatableText]:
    """Every non-empty text, in reading order; a translation has the original's shape, so
    this walks both."""
    texts = [TranslatableText("title", "title", course.title)]
    texts.append(TranslatableText("description", "description", course.description))
    for module in course.modules:
        m = f"modules.{module.slug}"
        texts.append(TranslatableText(f"{m}.title", "title", module.title, module.slug))
        texts.append(
            TranslatableText(f"{m}.description", "description", module.description, module.slug)
        )
        for slide in module.slides:
            texts += _slide_texts(f"{m}.slides.{slide.slug}", module.slug, slide)
    return (t for t in texts if t.text.strip())


def _slide_texts(prefix: str, module: str, slide) -> list[TranslatableText]:
    here = {"module": module, "slide": slide.slug}
    texts = [
        TranslatableText(f"{prefix}.title", "title", slide.title, **here),
        TranslatableText(f"{prefix}.content_html", "content_html", slide.content_html, **here),
    ]
    if slide.quiz is not None:
        texts.append(
            TranslatableText(f"{prefix}.quiz.question", "question", slide.quiz.question, **here)
        )
        for a in slide.quiz.answers:
            answer = f"{prefix}.quiz.answers.{a.id}"
            texts.append(
                TranslatableText(f"{answer}.text", "answer", a.text, **here, answer_id=a.id)
            )
            texts.append(
                TranslatableText(
                    f"{answer}.explanation", "explanation", a.explanation, **here, answer_id=a.id
                )
            )
    return texts


def texts_by_part(course: CourseContent | CourseTranslation) -> dict[str, str]:
    return {t.part: t.text for t in translatable_texts(course)}


def carried_over(
    earlier: CourseTranslation, earlier_original: CourseContent, original: CourseContent
) -> dict[str, str]:
    """The texts of an earlier version's translation whose original text `original` kept, by
    part: a start for translating the new version, published only when someone saves it."""
    before, translated = texts_by_part(earlier_original), texts_by_part(earlier)
    return {
        part: translated[part]
        for part, text in texts_by_part(original).items()
        if part in translated and before.get(part) == text
    }


def translation_data(fields: Mapping[str, str], original: CourseContent) -> dict:
    """What a translation form sent, by part, in the shape `CourseTranslation.of` reads: the
    course's title and description, and every module or slide with any text filled in."""

    def text(part: str) -> str:
        return fields.get(part, "")

    modules = []
    for module in original.modules:
        m = f"modules.{module.slug}"
        slides = [_slide_data(text, f"{m}.slides.{s.slug}", s) for s in module.slides]
        own = {"title": text(f"{m}.title"), "description": text(f"{m}.description")}
        slides = [s for s in slides if s is not None]
        if slides or any(v.strip() for v in own.values()):
            modules.append({"slug": module.slug, **own, "slides": slides})
    return {"title": text("title"), "description": text("description"), "modules": modules}


def _slide_data(text: Callable[[str], str], prefix: str, slide: Slide) -> dict | None:
    data = {
        "slug": slide.slug,
        "title": text(f"{prefix}.title"),
        "content_html": text(f"{prefix}.content_html"),
    }
    filled = [data["title"], data["content_html"]]
    if slide.quiz is not None:
        answers = [
            {
                "id": a.id,
                "text": text(f"{prefix}.quiz.answers.{a.id}.text"),
                "explanation": text(f"{prefix}.quiz.answers.{a.id}.explanation"),
            }
            for a in slide.quiz.answers
        ]
        data["quiz"] = {"question": text(f"{prefix}.quiz.question"), "answers": answers}
        filled += [
            data["quiz"]["question"],
            *(a[k] for a in answers for k in ("text", "explanation")),
        ]
    return data if any(t.strip() for t in filled) else None
