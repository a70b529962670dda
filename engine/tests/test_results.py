"""After a search the page opens at its results, whose heading takes focus and is described by the count."""

from __future__ import annotations

from conftest import Page, Served

from local_data_app.testing import get


def test_the_search_form_opens_the_answer_at_the_results(served: Served) -> None:
    page = Page(get(served.base + "/").text)
    (form,) = page.find("form", id="search")
    assert form["action"] == "/#results"
    assert page.find("div", id="results")


def test_the_results_heading_takes_focus_and_is_described_by_the_count(served: Served) -> None:
    page = Page(get(served.base + "/?Category=Unisex&near=53.45,-2.3").text)
    (heading,) = page.find("h2", id="heading-toilets")
    assert heading["tabindex"] == "-1"
    (count,) = page.find("p", id=heading["aria-describedby"])
    assert count["class"] == "count"
    assert "Showing 1 to 8 of 8, nearest first." in page.text


def test_with_a_mistake_to_mend_the_page_opens_at_the_error_summary(served: Served) -> None:
    answer = get(served.base + "/?Category=Nowhere")
    page = Page(answer.text)
    assert answer.status == 400
    assert page.find("div", **{"class": "govuk-error-summary error-summary", "tabindex": "-1"})
    assert not page.find("div", id="results")  # so the address's #results leaves the page at its top
