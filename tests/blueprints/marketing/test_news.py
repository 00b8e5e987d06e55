"""News: posts on the town's home and its news page, carried once by the next campaign;
and the isolation of subscribers, campaigns and news between towns."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from blueprints.marketing import newsletter
from blueprints.marketing.models import Campaign, NewsPost, Subscriber
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.marketing.newsletter_helpers import (confirmed_reader, create_campaign, create_post,
                                                          news_rows, send_now)
from tests.conftest import unique
from tests.isolation import assert_same_id_stays_home, assert_town_closed


def test_the_home_page_shows_the_three_newest_posts_and_the_news_page_all(app, client, towns):
    start = datetime.now(timezone.utc) + timedelta(days=400)  # newer than any other test's posts
    titles = [unique("Meldung ") for _ in range(4)]
    for days, title in enumerate(titles):
        create_post(app, towns.b, title=title, body="Der **Markt** zieht um. <b>nicht fett</b>",
                    published_at=start + timedelta(days=days))
    home = client.get(f"/{towns.b.slug}/").text
    assert [title in home for title in titles] == [False, True, True, True]
    assert home.index(titles[3]) < home.index(titles[1])  # the newest first
    assert "<strong>Markt</strong>" in home and "&lt;b&gt;nicht fett&lt;/b&gt;" in home
    news_page = client.get(f"/{towns.b.slug}/aktuelles").text
    assert all(title in news_page for title in titles)
    assert titles[0] not in client.get(f"/{towns.a.slug}/aktuelles").text


def test_a_post_flagged_for_the_next_campaign_goes_out_once_with_it(mail_app, smtp_server, towns):
    reader = confirmed_reader(mail_app.test_client(), smtp_server, towns.a)
    title = unique("Baustelle am Markt ")
    post_id = create_post(mail_app, towns.a, title=title, body="Ab Montag gesperrt.", in_next_campaign=True)
    first = create_campaign(mail_app, towns.a, subject=unique("Erste "))
    send_now(mail_app, towns.a, first)
    second = create_campaign(mail_app, towns.a, subject=unique("Zweite "))
    send_now(mail_app, towns.a, second)

    mails = {m["Subject"]: m.get_body(preferencelist=("plain",)).get_content()
             for m in smtp_server.messages_to(reader) if m["List-Unsubscribe"]}
    [carrying] = [subject for subject, text in mails.items() if title in text]
    assert carrying.startswith("Erste ") and "Ab Montag gesperrt." in mails[carrying]
    [post] = [row for row in news_rows(mail_app, towns.a) if row.id == post_id]
    assert post.campaign_id == first and post.in_next_campaign is False


def test_a_manager_writes_edits_and_deletes_a_post(client, towns, login_as):
    login_as("manager", towns.a)
    title = unique("Stadtputz ")
    created = client.post(f"/{towns.a.slug}/verwaltung/newsletter/aktuelles/neu",
                          data={"title": title, "body": "Samstag, 10 Uhr"}, follow_redirects=True)
    assert "Gespeichert." in created.text and title in created.text
    [post] = [row for row in news_rows(client.application, towns.a) if row.title == title]
    client.post(f"/{towns.a.slug}/verwaltung/newsletter/aktuelles/{post.id}/bearbeiten",
                data={"title": title + " verschoben", "body": "Sonntag", "in_next_campaign": "y"})
    assert f"{title} verschoben" in client.get(f"/{towns.a.slug}/aktuelles/{post.id}").text
    client.post(f"/{towns.a.slug}/verwaltung/newsletter/aktuelles/{post.id}/loeschen")
    assert client.get(f"/{towns.a.slug}/aktuelles/{post.id}").status_code == 404


def test_a_partner_reads_the_newsletter_area_but_writes_nothing(client, towns, login_as):
    login_as("partner", towns.a)
    assert client.get(f"/{towns.a.slug}/verwaltung/newsletter/").status_code == 200
    assert client.get(f"/{towns.a.slug}/verwaltung/newsletter/kampagnen/neu").status_code == 403
    assert client.post(f"/{towns.a.slug}/verwaltung/newsletter/aktuelles/neu",
                       data={"title": "x"}).status_code == 403


# --- isolation ----------------------------------------------------------------------------------

def test_the_newsletter_staff_pages_of_one_town_are_closed_to_another_towns_manager(app, client, towns,
                                                                                     login_as):
    login_as("manager", towns.a)
    assert assert_town_closed(app, client, towns.b) >= 10
    assert client.get(f"/{towns.b.slug}/verwaltung/newsletter/").status_code == 403


def test_a_campaign_with_the_same_id_stays_in_its_town(app, client, towns, manager_of_both_towns):
    assert_same_id_stays_home(
        client, towns, record_id=880001,
        create=lambda town, record_id, marker: create_campaign(app, town, subject=marker, campaign_id=record_id),
        url_for_record=lambda town, record_id: f"/{town.slug}/verwaltung/newsletter/kampagnen/{record_id}")


def test_a_news_post_with_the_same_id_stays_in_its_town(app, client, towns):
    assert_same_id_stays_home(
        client, towns, record_id=880002,
        create=lambda town, record_id, marker: create_post(app, town, title=marker, post_id=record_id),
        url_for_record=lambda town, record_id: f"/{town.slug}/aktuelles/{record_id}")


def test_a_subscriber_with_the_same_id_and_token_stays_in_its_town(app, client, towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.add(Subscriber(id=record_id, email=f"{marker}@example.org", status="confirmed",
                                      token=f"token-{record_id}"))
            db.session.commit()

    assert_same_id_stays_home(client, towns, record_id=880003, create=create,
                              url_for_record=lambda town, record_id:
                              f"/{town.slug}/newsletter/abmelden/token-{record_id}")
    # Unsubscribing in one town leaves the same token's subscriber in the other untouched.
    client.post(f"/{towns.a.slug}/newsletter/abmelden/token-880003")
    with app.app_context(), tenant_context(towns.b):
        assert newsletter.by_token("token-880003").status == "confirmed"


# --- the demo ----------------------------------------------------------------------------------

def test_the_demo_towns_have_readers_a_draft_campaign_and_news(backend, tmp_path_factory):
    from tests.tenants.test_portability import fresh_app

    with fresh_app(backend, tmp_path_factory.mktemp("newsletter-demo")) as demo:
        for _ in range(2):  # loading again adds nothing
            result = demo.test_cli_runner().invoke(args=["demo", "load"])
            assert result.exit_code == 0, result.output
        client = demo.test_client()
        assert "Neue Ladenflächen in der Innenstadt" in client.get("/stollberg/").text
        registry = demo.extensions["quartier_registry"]
        with demo.app_context(), tenant_context(registry.by_slug("burgstaedt")):
            counts = newsletter.list_counts()
            assert {key: value["confirmed"] for key, value in counts.items()} == \
                {"residents": 2, "traders": 1, "investors": 1}
            assert [c.status for c in db.session.query(Campaign)] == ["draft"]
            assert db.session.query(NewsPost).count() == 2


def test_a_post_without_title_is_refused_and_keeps_its_text(client, towns, login_as):
    login_as("manager", towns.a)
    body = unique("Der Brunnen sprudelt wieder ")
    refused = client.post(f"/{towns.a.slug}/verwaltung/newsletter/aktuelles/neu",
                          data={"title": "  ", "body": body})
    assert refused.status_code == 422 and "Bitte einen Titel angeben." in refused.text
    assert body in refused.text
    assert body not in client.get(f"/{towns.a.slug}/aktuelles").text
