"""The teacher's kit: glossary and its links, objectives, the course's date, teachers' notes and
the lesson maps with their text alternatives, in English and Polish."""

import html
import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes.course import maps
from quizzes.course.alphabet import byte_filing, sort_key
from quizzes.course.rendering import Glossary, render_markdown
from quizzes.models import Course, GlossaryTerm, Lesson, SourceExcerpt, TeacherNote

from .factories import (
    GlossaryTermFactory,
    LessonFactory,
    SourceExcerptFactory,
    TeacherNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "course.yaml"
LANGUAGES = ["en", "pl"]
TERM_LINK = re.compile(r'<a href="/(en|pl)/glossary/#term-([a-z0-9-]+)" class="term">(.*?)</a>')


@pytest.fixture
def course(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


def prose(page: str) -> str:
    """The lesson body as rendered, without its headings and figures (never linked)."""
    body = page.split('<div class="prose"', 1)[1].split("</div>\n  ", 1)[0]  # the article's end
    body = re.sub(r"<h[1-6]>.*?</h[1-6]>", " ", body, flags=re.S)
    return re.sub(r"<figure\b.*?</figure>", " ", body, flags=re.S)


def plain(fragment: str) -> str:
    """Text of an HTML fragment, leaving out the text of links other than glossary links."""
    fragment = re.sub(r'<a href="(?!/(?:en|pl)/glossary/)[^"]*"[^>]*>.*?</a>', " ", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def form_pattern(form: str) -> re.Pattern:
    """A term's form as the lessons may write it: `*` any ending, any case."""
    words = [re.escape(word).replace(r"\*", r"\w*") for word in form.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


# The glossary --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_glossary_page_lists_every_term_with_its_definition(course, client, language):
    page = client.get(f"/{language}/glossary/").content.decode()
    terms = GlossaryTerm.objects.all()
    assert terms.count() >= 15
    for term in terms:
        assert f'<dt id="term-{term.slug}"><dfn>' in page
        assert html.escape(getattr(term, f"term_{language}")) in page
        assert html.escape(getattr(term, f"definition_{language}")) in page
    for slug in ("invoke", "consensus", "north-atlantic-council", "defence-planning-committee",
                 "saceur", "awacs", "sortie", "decoy-drone", "voivodeship", "eastern-flank",
                 "attribution"):  # fmt: skip
        assert terms.filter(slug=slug).exists(), slug


def test_the_glossary_is_in_each_languages_alphabetical_order(course, client):
    for language in LANGUAGES:
        page = client.get(f"/{language}/glossary/").content.decode()
        shown = re.findall(r"<dfn[^>]*>(.*?)</dfn>", page)
        assert shown == sorted(shown, key=lambda word: sort_key(html.unescape(word), language))
    polish = client.get("/pl/glossary/").content.decode()
    assert polish.index("wskazanie źródła") > polish.index("województwo")


def test_polish_words_sort_by_the_polish_alphabet():
    words = ["Świętokrzyskie", "łódzkie", "Zachodniopomorskie", "lubuskie", "Śląskie", "Opolskie"]
    assert sorted(words, key=lambda w: sort_key(w, "pl")) == [
        "lubuskie", "łódzkie", "Opolskie", "Śląskie", "Świętokrzyskie", "Zachodniopomorskie",
    ]  # fmt: skip


def test_in_english_accented_letters_are_filed_under_their_plain_ones():
    names = ["Żak", "Zięba", "Łącka", "Lis", "Ćwik", "Cichy", "Ölaf", "Nowak", "Zielinski"]
    assert sorted(names, key=lambda w: sort_key(w, "en")) == [
        "Cichy", "Ćwik", "Łącka", "Lis", "Nowak", "Ölaf", "Żak", "Zięba", "Zielinski",
    ]  # fmt: skip
    # In Polish, Ł and Ż are letters of their own, and Ö (not Polish) is filed under O.
    assert sorted(names, key=lambda w: sort_key(w, "pl")) == [
        "Cichy", "Ćwik", "Lis", "Łącka", "Nowak", "Ölaf", "Zielinski", "Zięba", "Żak",
    ]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_lesson_links_the_first_use_of_each_term_to_the_glossary(course, client, language):
    """Every term a lesson's body uses is linked once, at its first use (headings, figures and
    other links left alone), to its entry on the glossary page of the reader's language."""
    terms = {term.slug: term for term in GlossaryTerm.objects.all()}
    linked_somewhere = set()
    for lesson in Lesson.objects.published():
        page = client.get(f"/{language}/lessons/{lesson.slug}/").content.decode()
        body = prose(page)
        links = [(m.start(), m.group(1), m.group(2), m.group(3)) for m in TERM_LINK.finditer(body)]
        slugs = [slug for _, _, slug, _ in links]
        assert len(slugs) == len(set(slugs)), (lesson.slug, slugs)  # each term once
        for start, link_language, slug, text in links:
            assert link_language == language
            patterns = [form_pattern(form) for form in terms[slug].forms_written]
            assert any(p.fullmatch(html.unescape(text)) for p in patterns), (slug, text)
            before = plain(TERM_LINK.sub(lambda m: m.group(3), body[:start]))
            assert not any(p.search(before) for p in patterns), (lesson.slug, slug, "not first")
        text = plain(TERM_LINK.sub(lambda m: m.group(3), body))
        for slug, term in terms.items():
            if any(form_pattern(form).search(text) for form in term.forms_written):
                assert slug in slugs, (lesson.slug, slug, "used but not linked")
        linked_somewhere |= set(slugs)
    assert linked_somewhere == set(terms)  # every term is used in some lesson


def test_every_link_to_the_glossary_has_its_entry(course, client):
    glossary = client.get("/en/glossary/").content.decode()
    for lesson in Lesson.objects.published():
        page = client.get(lesson.get_absolute_url()).content.decode()
        for _, slug, _ in TERM_LINK.findall(page):
            assert f'id="term-{slug}"' in glossary


def test_terms_are_not_linked_in_headings_links_or_twice():
    glossary = Glossary([("/g#term-consensus", ["consensus", "konsensus*"])])
    rendered = render_markdown(
        "## Consensus\n\n[consensus](https://example.org) and Consensus, then consensus.",
        glossary=glossary,
    )
    assert "<h2>Consensus</h2>" in rendered
    assert '<a href="https://example.org">consensus</a>' in rendered
    assert rendered.count('class="term"') == 1
    assert '<a href="/g#term-consensus" class="term">Consensus</a>, then consensus.' in rendered
    polish = render_markdown("W drodze konsensusu.", glossary=glossary)
    assert '<a href="/g#term-consensus" class="term">konsensusu</a>' in polish


def test_an_authors_glossary_edit_reaches_the_lessons_at_once(client):
    lesson = LessonFactory(body="Allies decide by unanimity.")
    assert 'class="term"' not in client.get(lesson.get_absolute_url()).content.decode()
    GlossaryTermFactory(slug="unanimity", term="unanimity")
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert '<a href="/en/glossary/#term-unanimity" class="term">unanimity</a>' in page


def test_a_term_written_by_an_author_is_escaped_on_the_glossary_page(client):
    GlossaryTermFactory(term="<script>alert(1)</script>", definition="<b>bold</b>")
    page = client.get(reverse("quizzes:glossary")).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# Objectives and the course's date ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_lesson_opens_with_its_learning_objectives(course, client, language):
    heading = {"en": "After this lesson you can", "pl": "Po tej lekcji potrafisz"}[language]
    for lesson in Lesson.objects.all():
        objectives = [
            line for line in getattr(lesson, f"objectives_{language}").splitlines() if line
        ]
        assert len(objectives) >= 3, lesson.slug
        page = client.get(f"/{language}/lessons/{lesson.slug}/").content.decode()
        section = page.split('<section class="objectives"', 1)[1].split("</section>", 1)[0]
        assert heading in section
        assert section.count("<li>") == len(objectives)
        for objective in objectives:
            assert html.escape(objective) in section
        assert page.index('class="objectives"') < page.index('<div class="prose"')


def test_objectives_are_one_per_line_without_list_marks():
    lesson = LessonFactory(objectives="- say what Article 4 says;\n\n* count the invocations.\n")
    assert lesson.objective_list == ["say what Article 4 says;", "count the invocations."]


def test_the_course_date_is_shown_on_the_lesson_list_and_every_lesson(course, client):
    assert Course.objects.get().as_of == date(2026, 12, 1)
    for url in ["/en/", "/pl/", *(f"/pl/lessons/{s}/" for s in Lesson.objects.values_list(
        "slug", flat=True))]:  # fmt: skip
        page = client.get(url).content.decode()
        assert '<time datetime="2026-12-01">' in page, url
    assert "Stan faktów na dzień" in client.get("/pl/").content.decode()
    assert "Facts checked as of" in client.get("/en/").content.decode()


def test_a_teachers_change_of_the_date_reaches_learners(course, learner_client):
    learner_client.get("/en/")  # cached
    course_row = Course.objects.get()
    course_row.as_of = date(2027, 1, 15)
    course_row.save()
    assert '<time datetime="2027-01-15">' in learner_client.get("/en/").content.decode()


# Teachers' notes ------------------------------------------------------------------------------


@pytest.fixture
def noted_lesson(db):
    lesson = LessonFactory(slug="noted", body="## Text\n\nAbout consultation.")
    TeacherNoteFactory(
        lesson=lesson, discussion="Is a promise to talk weak?", activity="**Run a Council.**"
    )
    SourceExcerptFactory(lesson=lesson, text="Our commitment to Article 5 is ironclad.")
    SourceExcerptFactory(
        lesson=lesson,
        source="NATO Update, 2 October 2001",
        text="NATO said the attacks came from abroad.",
        is_quotation=False,
    )
    return lesson


def test_teachers_see_the_lessons_notes_and_excerpts(noted_lesson, teacher_client):
    page = teacher_client.get(noted_lesson.get_absolute_url()).content.decode()
    notes = page.split('<aside class="teacher-notes"', 1)[1].split("</aside>", 1)[0]
    assert "For teachers" in notes and "Is a promise to talk weak?" in notes
    assert "<strong>Run a Council.</strong>" in notes  # Markdown
    assert "<blockquote><p>Our commitment to Article 5 is ironclad.</p></blockquote>" in notes
    assert "In summary:</span> NATO said the attacks came from abroad." in notes
    assert 'href="https://www.eurasiareview.com/" rel="noopener noreferrer"' in notes
    assert "our translation" not in notes  # English quotations read in English


def test_students_and_visitors_never_see_teachers_notes(noted_lesson, teacher_client):
    teacher_client.get(noted_lesson.get_absolute_url())  # a teacher's visit first
    learner = Client()
    learner.force_login(UserFactory())
    staff_without_the_role = Client()
    staff_without_the_role.force_login(UserFactory(is_staff=True))
    for client in (learner, Client(), staff_without_the_role):
        for language in LANGUAGES:
            response = client.get(f"/{language}/lessons/{noted_lesson.slug}/")
            assert response.status_code == 200
            page = response.content.decode()
            assert "teacher-notes" not in page
            assert "Is a promise to talk weak?" not in page
            assert "ironclad" not in page


def test_a_superuser_sees_the_notes_too(noted_lesson):
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.org", "a-pass-123"))
    assert "teacher-notes" in admin.get(noted_lesson.get_absolute_url()).content.decode()


def test_a_quotation_read_in_polish_is_marked_as_our_translation(course, teacher_client):
    page = teacher_client.get("/pl/lessons/final-review/").content.decode()
    notes = page.split('<aside class="teacher-notes"', 1)[1].split("</aside>", 1)[0]
    assert "Dla nauczyciela" in notes
    assert "Nasze zobowiązanie wynikające z art. 5 jest niezachwiane." in notes
    assert (
        notes.count("(nasze tłumaczenie)")
        == SourceExcerpt.objects.filter(lesson__slug="final-review", is_quotation=True).count()
    )


def test_every_lesson_of_the_course_has_notes_and_excerpts_in_both_languages(course):
    for lesson in Lesson.objects.all():
        note = TeacherNote.objects.get(lesson=lesson)
        for field in ("discussion_en", "discussion_pl", "activity_en", "activity_pl"):
            assert getattr(note, field).strip(), (lesson.slug, field)
        excerpts = SourceExcerpt.objects.filter(lesson=lesson)
        assert excerpts.count() >= 2, lesson.slug
        for excerpt in excerpts:
            assert excerpt.text_en and excerpt.text_pl and excerpt.source_pl, excerpt.pk
            assert excerpt.url.startswith("https://")


def test_quotations_in_the_kit_are_the_words_the_fact_sheet_or_a_stored_source_gives(course):
    """Only these passages are quoted word for word (docs/CONTENT.md says where each was read);
    everything else is a summary in our own words."""
    quoted = {
        "If it is determined that this attack was directed from abroad against the United "
        "States, it shall be regarded as an action covered by Article 5 of the Washington Treaty.",
        "This is the second time in two weeks that the North Atlantic Council has met under "
        "Article 4.",
        "On 10 September, the Council held consultations in response to the large-scale "
        "violation of Polish airspace by Russian drones.",
        "Russia bears full responsibility for these actions, which are escalatory, risk "
        "miscalculation and endanger lives. They must stop.",
        "Our commitment to Article 5 is ironclad.",
    }
    texts = set(SourceExcerpt.objects.filter(is_quotation=True).values_list("text_en", flat=True))
    assert texts == quoted
    content = (ROOT / "docs" / "CONTENT.md").read_text()
    for url in SourceExcerpt.objects.values_list("url", flat=True):
        assert url in content, url


def test_teachers_edit_the_kit_in_the_admin(course, teacher_client, teacher):
    for permission in ("change_glossaryterm", "add_teachernote", "change_sourceexcerpt",
                       "change_course"):  # fmt: skip
        assert teacher.has_perm(f"quizzes.{permission}"), permission
    lesson = Lesson.objects.get(slug="article-4-consultation")
    page = teacher_client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="objectives_pl"' in content
    assert 'name="teacher_note-0-discussion_pl"' in content
    assert 'name="excerpts-0-text_en"' in content
    term = GlossaryTerm.objects.get(slug="consensus")
    assert teacher_client.get(reverse("admin:quizzes_glossaryterm_changelist")).status_code == 200
    page = teacher_client.get(reverse("admin:quizzes_glossaryterm_change", args=[term.pk]))
    assert page.status_code == 200 and 'name="forms_pl"' in page.content.decode()
    assert teacher_client.get(reverse("admin:quizzes_course_add")).status_code == 403  # one row
    response = teacher_client.post(
        reverse("admin:quizzes_course_change", args=[Course.objects.get().pk]),
        {"as_of": "2027-02-01"},
    )
    assert response.status_code == 302
    assert Course.objects.get().as_of == date(2027, 2, 1)


# Maps ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(maps.MAPS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_map_block_renders_the_drawing_over_its_text_alternative(name, language):
    the_map = maps.MAPS[name]
    with translation.override(language):
        figure = render_markdown(f"```map {name}\n```")
        caption, labels = str(the_map.caption), {k: str(v) for k, v in the_map.labels.items()}
        key = [(str(item.label), str(item.places)) for item in the_map.key]
    assert figure.startswith(f'<figure class="map" id="map-{name}"><figcaption>')
    assert html.escape(caption) in figure
    svg = figure.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.startswith(' class="map-drawing" aria-hidden="true" focusable="false"')
    # The drawing's labels are in the reader's language ...
    for label_key, text in re.findall(r'data-label="([^"]+)">([^<]*)<', svg):
        assert html.unescape(text) == labels[label_key]
    # ... and the key below says in words what the drawing shows.
    key_html = figure.split('<ul class="map-key">', 1)[1].split("</ul>", 1)[0]
    assert key_html.count("<li>") == len(key)
    for label, places in key:
        assert html.escape(label) in key_html and html.escape(places) in key_html
    assert 'href="https://www.naturalearthdata.com/"' in figure.split('class="map-credit"')[1]


def test_a_map_blocks_title_line_becomes_its_caption():
    figure = render_markdown("```map article-6\ntitle: The map of <Article 6>\n```")
    assert "<figcaption>The map of &lt;Article 6&gt;</figcaption>" in figure


def test_an_unknown_map_says_which_maps_exist():
    rendered = render_markdown("```map <script>\n```\n\n```map nowhere\n```")
    assert "<script>" not in rendered
    assert "There is no map called &quot;nowhere&quot;" in rendered
    assert "article-6, eastern-flank, poland-2025" in rendered


def test_the_keys_name_every_ally_requester_and_voivodeship_the_drawings_show():
    """The text alternative carries the drawing's information: the 32 allies of Article 6's
    map, the eight 2022 requesters and the two of 2025, and all sixteen voivodeships."""
    with translation.override("en"):
        article_6 = " ".join(str(item.places) for item in maps.ARTICLE_6.key[:1])
        allies = re.split(r", | and ", article_6.split(", with allies")[0])
        assert len(allies) + 1 == 32  # Turkey has its own entry
        flank = " ".join(f"{item.label} {item.places}" for item in maps.EASTERN_FLANK.key)
        for country in ("Bulgaria", "Czech Republic", "Estonia", "Latvia", "Lithuania",
                        "Poland", "Romania", "Slovakia"):  # fmt: skip
            assert country in flank
        named = " ".join(
            str(item.places) for item in maps.POLAND_2025.key if item.swatch != "marker"
        )
        for voivodeship in maps.VOIVODESHIPS.values():
            assert str(voivodeship) in named, voivodeship
    with translation.override("pl"):
        named = " ".join(str(item.places) for item in maps.POLAND_2025.key).lower()
        for voivodeship in maps.VOIVODESHIPS.values():
            assert str(voivodeship) in named, voivodeship


@pytest.mark.parametrize("name", sorted(maps.MAPS))
def test_the_stored_drawings_are_small_and_styled_only_by_classes(name):
    svg = (ROOT / "quizzes" / "course" / "maps" / f"{name}.svg").read_text()
    assert len(svg.encode()) < 24 * 1024, "simplify the map further (scripts/make-maps)"
    assert "style" not in svg and "<script" not in svg and "fill=" not in svg
    for element in re.findall(r"<(?:path|rect|g)\b[^>]*>|<text\b[^>]*data-label[^>]*>", svg):
        assert 'class="' in element, element
    assert set(re.findall(r'data-label="([^"]+)"', svg)) <= set(maps.MAPS[name].labels)


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("article-4-versus-article-5", "article-6"),
        ("article-4-through-history", "eastern-flank"),
        ("september-2025-drone-incident", "poland-2025"),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_course_places_each_map_in_its_lesson(course, client, slug, name, language):
    page = client.get(f"/{language}/lessons/{slug}/").content.decode()
    assert page.count(f'<figure class="map" id="map-{name}">') == 1
    assert page.count('<figure class="map"') == 1


def test_byte_filing_writes_letters_beyond_a_to_z_so_bytes_sort_as_the_alphabet():
    polish = byte_filing("pl")
    assert polish == {
        "ą": "a{", "ć": "c{", "ę": "e{", "ł": "l{", "ń": "n{", "ó": "o{", "ś": "s{",
        "ź": "z{", "ż": "z|",
    }  # fmt: skip
    assert byte_filing("en")["ł"] == "l" and byte_filing("en")["ż"] == "z"
    words = ["lis", "łata", "lż", "zebra", "źdźbło", "żak", "az", "ąb"]

    def filed(word):
        return "".join(polish.get(c, c) for c in word)

    assert sorted(words, key=filed) == sorted(words, key=lambda w: sort_key(w, "pl"))
