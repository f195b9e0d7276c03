"""Reading the Wiki Education training library: the real corpus, the shipped sample, bad input."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import lms.wikiedu
from lms.sanitise import clean_html, clean_text, markdown_text
from lms.wikiedu import (
    CorpusNotFoundError,
    LibraryImport,
    find_wiki_ed_root,
    read_corpus,
    read_library,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SAMPLE = Path(lms.wikiedu.__file__).parent / "demo_content"

# Measured once on the corpus at commit 1fe5b27 (see the corpus README).
LIBRARIES = 5
MODULES = 73
SLIDES = 748
QUIZZES = 45
UNRESOLVED = 3


@pytest.fixture(scope="module")
def corpus() -> tuple[LibraryImport, ...]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared training corpus is not at {CORPUS}")
    return read_corpus(CORPUS)


@pytest.fixture(scope="module")
def wikidata(corpus) -> LibraryImport:
    return next(i for i in corpus if i.content.slug == "wikidata-professional")


def _slides(imports):
    return [s for i in imports for m in i.content.modules for s in m.slides]


def test_the_whole_corpus_reads_with_exact_counts(corpus):
    assert len(corpus) == LIBRARIES
    assert sum(len(i.content.modules) for i in corpus) == MODULES
    assert len(_slides(corpus)) == SLIDES
    assert sum(1 for s in _slides(corpus) if s.quiz) == QUIZZES
    assert sum(len(i.unresolved) for i in corpus) == UNRESOLVED
    assert [i.content.slug for i in corpus] == sorted(i.content.slug for i in corpus)


def test_the_counts_agree_with_a_plain_reading_of_the_yaml(corpus):
    root = CORPUS / "training_content" / "wiki_ed"
    slide_files = {re.sub(r"^\d+-", "", p.stem): p for p in root.glob("slides/**/*.yml")}
    listed = missing = quizzes = 0
    for library in sorted(root.glob("libraries/*.yml")):
        categories = yaml.safe_load(library.read_text())["categories"]
        slugs = dict.fromkeys(m["slug"] for c in categories for m in c["modules"])
        for slug in slugs:
            module = yaml.safe_load((root / "modules" / f"{slug}.yml").read_text())
            for ref in module["slides"]:
                if ref["slug"] not in slide_files:
                    missing += 1
                    continue
                listed += 1
                quizzes += "assessment" in yaml.safe_load(slide_files[ref["slug"]].read_text())

    assert (listed, quizzes, missing) == (SLIDES, QUIZZES, UNRESOLVED)


def test_the_unresolved_references_name_what_is_missing(corpus):
    unresolved = {i.content.slug: i.unresolved for i in corpus}

    assert unresolved["wikidata-professional"] == (
        "slide 'identifiers-and-databses-together' of module 'databases-and-linked-data' not found",
    )
    assert len(unresolved["instructors"]) == 2


def test_the_wikidata_library_becomes_an_attributed_course(wikidata):
    course = wikidata.content

    assert course.title == "Wikidata Professional Development Training Modules"
    assert (
        course.description == "This set of modules covers the basics of contributing to Wikidata."
    )
    assert course.skills == ("Wikidata",)
    assert (course.language, course.licence) == ("en", "CC BY-SA 4.0")
    assert "Wiki Education" in course.attribution
    assert course.source_url == "https://dashboard.wikiedu.org/training/wikidata-professional"
    assert len(course.modules) == 8


def test_querying_wikidata_has_twelve_slides_and_a_quiz_with_explanations(wikidata):
    module = wikidata.content.module("querying-wikidata")

    assert module.title == "Querying Wikidata: SPARQL"
    assert module.estimated_minutes == 15
    assert module.description.startswith("In this training we will cover... • how to use")
    assert len(module.slides) == 12
    assert module.slides[0].slug == "part-i-querying"
    quiz = module.slide("sparql-quiz").quiz
    assert quiz.question == "How do you retrieve information from the Wikidata Query Service?"
    assert [a.id for a in quiz.answers] == [1, 2, 3, 4]
    assert quiz.correct_answer_id == 3
    assert all(a.explanation for a in quiz.answers)
    assert quiz.answer(3).explanation.startswith("CORRECT! SPARQL is particular")
    assert "<code>" not in quiz.answer(3).explanation


def test_ruby_symbol_keys_in_a_quiz_are_read_as_plain_keys(corpus):
    quiz = next(s.quiz for s in _slides(corpus) if s.slug == "article-title-quiz-v2")

    assert quiz.correct_answer_id == 4
    assert quiz.answer(4).text == "Family structure in the United States"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_every_slide_of_the_corpus_is_sanitised(corpus):
    tags = [t for s in _slides(corpus) for t in _tags(s.content_html)]
    images = [attrs for tag, attrs in tags if tag == "img"]
    links = [attrs for tag, attrs in tags if tag == "a"]

    assert not {tag for tag, _ in tags} & {"script", "style", "iframe", "object"}
    assert not [a for _, attrs in tags for a in attrs if a == "style" or a.startswith("on")]
    assert images
    assert all(i["loading"] == "lazy" and "alt" in i for i in images)
    assert all(i["src"].startswith("https://") for i in images)
    assert all(re.match(r"(https?|mailto):", a["href"]) for a in links if "href" in a)
    assert all(a["rel"] == "noopener noreferrer" for a in links)


def test_sanitising_removes_scripts_handlers_javascript_links_and_styles():
    html = clean_html(
        'Hi <script>alert("x")</script><img src="https://upload.wikimedia.org/a.png" '
        'onerror="alert(1)"> <a href="javascript:alert(1)">bad</a> '
        '<a href=" JaVaScRiPt:alert(1)">worse</a> <p style="color:red" onclick="x()">p</p>'
    )

    assert "<script" not in html
    assert "alert" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript" not in html.lower()
    assert "style=" not in html
    assert '<img src="https://upload.wikimedia.org/a.png" loading="lazy" alt="">' in html


def test_images_stay_remote_lazy_and_get_an_alt():
    html = clean_html(
        "<figure class='alt-layout-70 unknown'>\n"
        "  <img src='  https://upload.wikimedia.org/q.png' />\n"
        "  <figcaption class='image-credit'>You can <b>visualise</b> &amp; map.</figcaption>\n"
        "</figure>\n\n"
        "<img src='https://upload.wikimedia.org/k.png' alt='Kept' width='10' height='x'>\n"
    )
    images = [attrs for tag, attrs in _tags(html) if tag == "img"]

    assert images[0] == {
        "src": "https://upload.wikimedia.org/q.png",
        "loading": "lazy",
        "alt": "You can visualise & map.",
    }
    assert images[1] == {
        "src": "https://upload.wikimedia.org/k.png",
        "alt": "Kept",
        "width": "10",
        "loading": "lazy",
    }
    assert '<figure class="alt-layout-70">' in html


def test_links_keep_safe_schemes_get_rel_and_resolve_against_the_source():
    html = clean_html(
        "[FAQ](https://dashboard.wikiedu.org/faq) <a href='mailto:a@example.org'>mail</a> "
        "<a href='/training/students' target='_blank' class='btn'>back</a> "
        "<a href='data:text/html,x'>data</a>",
        base_url="https://dashboard.wikiedu.org/",
    )
    links = [attrs for tag, attrs in _tags(html) if tag == "a"]

    assert [a.get("href") for a in links] == [
        "https://dashboard.wikiedu.org/faq",
        "mailto:a@example.org",
        "https://dashboard.wikiedu.org/training/students",
        None,
    ]
    assert all(a["rel"] == "noopener noreferrer" for a in links)
    assert "target" not in html
    assert "class" not in html


def test_an_embedded_video_becomes_a_link():
    html = clean_html(
        '<iframe width="420" src="https://www.youtube-nocookie.com/embed/W_a9fBc13b4" '
        "allowfullscreen>fallback</iframe>"
    )

    assert "iframe" not in html
    assert "fallback" not in html
    assert [attrs["href"] for tag, attrs in _tags(html) if tag == "a"] == [
        "https://www.youtube-nocookie.com/embed/W_a9fBc13b4"
    ]


def test_markdown_tables_and_code_survive_without_style_attributes():
    html = clean_html("| a | b |\n|:-:|---|\n| 1 | 2 |\n\n```\n<b>x</b>\n```\n")

    assert '<th align="center">a</th>' in html
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>" in html


def test_clean_text_gives_plain_collapsed_text():
    assert clean_text("  Stage 1: <b>S</b>PARQL &amp;\n <script>x()</script> more ") == (
        "Stage 1: SPARQL & more"
    )
    assert clean_text(None) == ""
    assert markdown_text("Do _not_ read [the policy](https://x.org).\n\n* one\n* two") == (
        "Do not read the policy. • one • two"
    )


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A corpus with a missing module, a missing slide, a broken slide and an empty module."""
    root = tmp_path / "training_content" / "wiki_ed"
    _write(
        root,
        "libraries/tiny.yml",
        "name: Tiny library\nintroduction: A <b>tiny</b> library.\ncategories:\n"
        "  - modules: [{slug: basics}, {slug: ghost}, {slug: basics}, {slug: hollow}]\n",
    )
    _write(
        root,
        "modules/basics.yml",
        "name: Basics\ndescription: The basics.\nestimated_ttc: 1 hour\n"
        "slides: [{slug: hello}, {slug: missing-slide}, {slug: broken}, {slug: quiz}]\n",
    )
    _write(root, "modules/hollow.yml", "name: Hollow\ndescription: ''\nslides: [{slug: nope}]\n")
    _write(root, "slides/1-basics/101-hello.yml", "id: 101\ntitle: Hello\ncontent: Hi *there*\n")
    _write(root, "slides/1-basics/102-broken.yml", "id: 102\ntitle: [unclosed\n")
    _write(
        root,
        "slides/1-basics/103-quiz.yml",
        "id: 103\ntitle: Quiz\ncontent:\nassessment:\n  correct_answer_id: 2\n"
        "  question: Which?\n  answers:\n    - {id: 1, text: This, explanation: No.}\n"
        "    - {id: 2, text: That, explanation: Yes.}\n",
    )
    return tmp_path


def test_missing_modules_and_slides_are_reported_not_fatal(tiny):
    imported = read_library(tiny, tiny / "training_content/wiki_ed/libraries/tiny.yml")

    assert imported.unresolved[0] == "slide 'missing-slide' of module 'basics' not found"
    assert imported.unresolved[1].startswith(
        "slide 'broken' of module 'basics': slides/1-basics/102-broken.yml is not readable YAML"
    )
    assert imported.unresolved[2:] == (
        "module 'ghost' (listed by library 'tiny') not found",
        "slide 'nope' of module 'hollow' not found",
        "module 'hollow' (listed by library 'tiny') has no slides that resolve; skipped",
    )
    course = imported.content
    assert (course.title, course.description) == ("Tiny library", "A tiny library.")
    assert [m.slug for m in course.modules] == ["basics"]
    assert course.modules[0].estimated_minutes == 60
    assert [s.slug for s in course.modules[0].slides] == ["hello", "quiz"]
    assert course.modules[0].slides[0].content_html == "<p>Hi <em>there</em></p>"
    assert course.modules[0].slides[1].quiz.answer(2).explanation == "Yes."


def test_a_malformed_library_is_reported_as_a_course_without_modules(tiny):
    _write(tiny, "training_content/wiki_ed/libraries/bad.yml", "name: [oops\n")

    bad = read_corpus(tiny)[0]

    assert (bad.content.slug, bad.content.modules) == ("bad", ())
    assert bad.unresolved[0].startswith("library 'bad': libraries/bad.yml is not readable YAML")


def test_a_quiz_without_its_correct_answer_is_reported(tiny):
    quiz = tiny / "training_content/wiki_ed/slides/1-basics/103-quiz.yml"
    quiz.write_text(quiz.read_text().replace("correct_answer_id: 2", "correct_answer_id: 9"))

    imported = read_corpus(tiny)[0]

    assert "slide 'quiz' of module 'basics' is malformed" in " ".join(imported.unresolved)
    assert [s.slug for s in imported.content.modules[0].slides] == ["hello"]


def test_a_slug_defined_twice_uses_the_first_file_and_says_so(tiny):
    _write(tiny, "training_content/wiki_ed/slides/2-other/201-hello.yml", "title: Other\n")

    imported = read_corpus(tiny)[0]

    assert imported.content.modules[0].slides[0].title == "Hello"
    assert imported.unresolved[0] == (
        "slide 'hello' of module 'basics' is defined by several files; "
        "used slides/1-basics/101-hello.yml, ignored slides/2-other/201-hello.yml"
    )


def test_the_root_is_found_at_or_below_the_given_folder(tiny):
    wiki_ed = tiny / "training_content" / "wiki_ed"

    assert find_wiki_ed_root(tiny) == wiki_ed
    assert find_wiki_ed_root(tiny / "training_content") == wiki_ed
    assert find_wiki_ed_root(wiki_ed) == wiki_ed


def test_a_missing_corpus_raises_a_clear_error(tmp_path):
    with pytest.raises(CorpusNotFoundError, match="no Wiki Education training content"):
        read_corpus(tmp_path)
    assert issubclass(CorpusNotFoundError, FileNotFoundError)


def test_the_shipped_sample_is_attributed_and_reads_alone():
    notice = (SAMPLE / "wiki_ed" / "NOTICE.md").read_text()
    (imported,) = read_corpus(SAMPLE)

    assert "1fe5b27da8f4e491804f799e5e2e6670229c7604" in notice
    assert "CC BY-SA 4.0" in notice
    assert imported.content.slug == "wikidata-professional"
    assert len(imported.unresolved) == 1


def test_the_shipped_sample_equals_the_wikidata_library_of_the_corpus(wikidata):
    (sample,) = read_corpus(SAMPLE)

    assert sample.content.digest() == wikidata.content.digest()
    assert sample.unresolved == wikidata.unresolved
