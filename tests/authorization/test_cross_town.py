"""Nothing of one town is reached from another: every town model, every id and token in a URL.

The caller is a manager of both towns, who may see everything in each; the
only thing that can refuse is the town in the URL. Each route that names a
record is asked for in Stollberg with the id (or token) of Burgstädt's record
of that kind. Burgstädt's ids start at 770001, where Stollberg has nothing,
so each 404 means "not in this town", never "no such id anywhere". Public
routes are asked anonymously too.

Records shown only inside another's page (a unit's status history, an
application's steps) are reached through that page, so the table COVERAGE
names, for every town table, the routes that reach its rows; a new model
without a line there fails the test.
"""
from __future__ import annotations

import re

import pytest

from tests.authorization.conftest import sign_in
from tests.authorization.test_matrix import routes, url_of
from tests.authorization.world import AWAY, HOME, MANAGER_OF_BOTH, PEOPLE, SHARED_ID

# URL arguments that name no record of a town (they are the same in every town).
NOT_RECORDS = {"tenant", "filename", "kind", "key", "step", "lang", "slug"}

# Every town table → the endpoints through which its rows are reached.
COVERAGE: dict[str, tuple[str, ...]] = {
    "actors": ("actors.show", "actors.edit", "actors.log_contact"),
    "actor_contacts": ("actors.complete_follow_up",),
    "agreement_templates": ("interim_use.agreement_template",),  # one per town: test_singletons
    "agreements": ("interim_use.agreement_pdf", "interim_use.approve_agreement", "api.get_agreement",
                   "api.update_agreement", "api.approve_agreement", "api.delete_agreement"),
    "application_attachments": ("interim_use.document",),
    "application_events": ("interim_use.application", "interim_use.portal"),  # inside its application
    "applications": ("interim_use.application", "interim_use.take_step", "interim_use.reject",
                     "interim_use.draw_up_agreement", "interim_use.edit_own", "interim_use.download_own",
                     "interim_use.withdraw_own", "interim_use.delete_own", "interim_use.confirm",
                     "api.get_application", "api.list_matches", "api.list_excluded_units",
                     "api.update_application", "api.delete_application"),
    "attachments": ("vacancies.public_photo", "vacancies.staff_photo", "vacancies.public_floor_plan",
                    "vacancies.staff_floor_plan", "vacancies.report_photo", "vacancies.location_download",
                    "interim_use.document", "events.image", "marketing.directory_picture",
                    "marketing.staff_picture", "marketing.trader_picture"),
    "call_criteria": ("interim_use.staff_call", "interim_use.score_call"),  # inside its call
    "call_entries": ("interim_use.staff_call", "interim_use.score_call"),
    "calls": ("interim_use.staff_call", "interim_use.public_call", "interim_use.score_call"),
    "directory_edit_links": ("marketing.trader_edit", "marketing.trader_picture"),
    "directory_entries": ("marketing.directory_entry", "marketing.directory_picture",
                          "marketing.edit_entry", "marketing.publish_entry", "marketing.send_edit_link"),
    "districts": ("api.get_district", "api.update_district", "api.delete_district"),
    "event_registrations": ("events.check_in", "events.confirm_registration",
                            "events.cancel_registration", "api.get_registration",
                            "api.update_registration", "api.delete_registration"),
    "event_series": ("events.event", "events.edit"),  # inside its events
    "events": ("events.event", "events.event_feed", "events.image", "events.register", "events.edit",
               "events.registration_list", "events.registration_pdf", "api.get_event",
               "api.create_registration", "api.list_registrations", "api.update_event",
               "api.delete_event"),
    "footfall_counts": ("vacancies.location", "vacancies.edit_location"),  # test_singletons
    "jury_members": ("interim_use.score_call",),
    "jury_scores": ("interim_use.score_call",),
    "location_downloads": ("vacancies.location_download",),
    "location_profiles": ("vacancies.location", "vacancies.edit_location"),  # test_singletons
    "mail_batches": ("mail.show_batch", "mail.batch_progress", "mail.resend_batch"),
    "match_weights": ("interim_use.weights",),  # test_singletons
    "news_posts": ("marketing.news_post", "marketing.news_edit", "marketing.news_delete"),
    "newsletter_campaigns": ("marketing.campaign", "marketing.campaign_edit", "marketing.campaign_test",
                             "marketing.campaign_send", "marketing.campaign_unschedule"),
    "newsletter_subscribers": ("marketing.confirm_subscription", "marketing.unsubscribe"),
    "newsletter_subscriptions": ("marketing.confirm_subscription", "marketing.unsubscribe"),
    "pages": ("town.impressum", "town.datenschutz", "town.edit_page"),  # test_singletons
    "town_outbox": ("mail.show", "mail.resend"),
    "town_outbox_attachments": ("mail.show",),  # inside its mail
    "unit_enquiries": ("vacancies.show",),  # inside its unit
    "unit_imports": ("vacancies.import_show", "vacancies.import_progress"),
    "unit_photos": ("vacancies.public_photo", "vacancies.staff_photo"),
    "unit_status_changes": ("vacancies.show",),  # inside its unit
    "units": ("vacancies.listed_unit", "vacancies.expose", "vacancies.show", "vacancies.edit",
              "vacancies.change_status", "vacancies.upload_photo", "vacancies.upload_floor_plan",
              "vacancies.enquire", "api.get_unit", "api.update_unit", "api.delete_unit"),
    "vacancy_reports": ("vacancies.report_photo", "vacancies.accept_report", "vacancies.reject_report"),
}


# A signed link names its town inside: in another town it is an invalid link (400), as a forged one is.
SIGNED_LINKS = {"interim_use.confirm"}
# API writes validate their body before they look anything up: these get a valid one.
VALID_BODIES = {"api.create_registration": {"name": "Probe", "email": "probe@example.org",
                                            "consent": True},
                "api.update_application": {"status": "in_review"}}


def record_routes(app):
    """(endpoint, method, rule) of every town route whose URL names a record."""
    for endpoint, method, rule in routes(app):
        if "tenant" in rule.arguments and rule.arguments - NOT_RECORDS:
            yield endpoint, method, rule


def test_every_town_table_says_how_its_rows_are_reached(app):
    from tenants.db import tenant_tables

    tables = {table.name for table in tenant_tables()}
    assert not tables - set(COVERAGE), f"Town tables without a line in COVERAGE: {sorted(tables - set(COVERAGE))}"
    assert not set(COVERAGE) - tables, f"COVERAGE names no such tables: {sorted(set(COVERAGE) - tables)}"
    endpoints = set(app.view_functions)
    unknown = {endpoint for reached in COVERAGE.values() for endpoint in reached} - endpoints
    assert not unknown, f"COVERAGE names endpoints that do not exist: {sorted(unknown)}"


def test_every_route_that_names_a_record_is_probed(app):
    """Each such route appears in COVERAGE, so no new route escapes the probe below."""
    probed = {endpoint for reached in COVERAGE.values() for endpoint in reached}
    unprobed = sorted({endpoint for endpoint, _, _ in record_routes(app)} - probed)
    assert not unprobed, f"Routes naming a record that no COVERAGE line lists: {unprobed}"


def _away_values(world, caller_email):
    """Burgstädt's records under Stollberg's URL: only the town in the URL differs."""
    return {**world.values(AWAY), "static_file": "quartier.css",
            "own_token_id": world.tokens_of[caller_email]}


# The caller of each probe, and the matrix column whose routes that caller may use.
PROBE_CALLERS = {"manager_of_both": (MANAGER_OF_BOTH, "manager"),
                 "applicant": (PEOPLE["applicant"], "applicant"),
                 "anonymous": (None, "anonymous")}


@pytest.mark.parametrize("caller", PROBE_CALLERS)
def test_a_record_of_one_town_is_not_found_in_another(caller, copy_of_world, world_database):
    """Every route naming a record that the caller may use, in Stollberg, with Burgstädt's record:
    404, on pages and API alike. The applicant asks for their own application in Burgstädt under
    Stollberg's portal URL; the anonymous visitor tries every public route."""
    from tests.authorization.matrix import MATRIX, OK

    person, column = PROBE_CALLERS[caller]
    app = copy_of_world(f"cross_{caller}")
    client = app.test_client()
    if person is not None:
        sign_in(client, person)
    values = _away_values(world_database.world, (person or MANAGER_OF_BOTH).email)
    leaks, tried = [], 0
    for endpoint, method, rule in record_routes(app):
        row = MATRIX[(endpoint, method)]
        if row.expected.of(column) != OK:
            continue  # refused before any record is looked up: the matrix proves that
        url = url_of(rule, values, row.values)
        assert f"/{HOME}/" in url  # Stollberg's URL, Burgstädt's record
        body = {} if method == "GET" else ({"json": VALID_BODIES.get(endpoint, {})}
                                           if "/api/v1" in url else {"data": {}})
        response = client.open(url, method=method, **body)
        tried += 1
        refused = {400, 404} if endpoint in SIGNED_LINKS else {404}
        if response.status_code not in refused:
            leaks.append(f"{method} {url} ({endpoint}) → {response.status_code}")
    assert tried >= 10
    assert not leaks, f"{len(leaks)} of {tried} requests reached another town's record:\n" + "\n".join(leaks)


# Where each marker of Burgstädt would show up in Stollberg, were the towns mixed up: pages of
# a town's singletons, and pages of records whose id both towns have (world.SHARED_ID).
MARKED_PAGES = {
    "agreement_template": "/verwaltung/zwischennutzung/vorlage",
    "location_profile": "/standort",
    "footfall": "/verwaltung/standort",
    "impressum": "/impressum",
    "status_change": f"/verwaltung/leerstand/{SHARED_ID}",
    "enquiry": f"/verwaltung/leerstand/{SHARED_ID}",
    "application_step": f"/verwaltung/zwischennutzung/{SHARED_ID}",
}


def test_a_towns_own_pages_never_show_another_towns_records(copy_of_world, world_database):
    """Stollberg's pages lack what only Burgstädt holds, and Burgstädt's show it (so the probe can fail)."""
    app = copy_of_world("markers")
    client = app.test_client()
    sign_in(client, MANAGER_OF_BOTH)
    markers = world_database.world.markers
    assert set(markers) == set(MARKED_PAGES)
    for name, path in MARKED_PAGES.items():
        home, away = (client.get(f"/{town}{path}") for town in (HOME, AWAY))
        assert home.status_code == 200 and away.status_code == 200, (name, home.status_code, away.status_code)
        assert markers[name] in away.text, f"{AWAY}{path} does not show its own {name}"
        assert markers[name] not in home.text, f"{HOME}{path} shows {AWAY}'s {name}"


def test_a_towns_matching_weights_are_its_own(copy_of_world):
    app = copy_of_world("weights")
    client = app.test_client()
    sign_in(client, MANAGER_OF_BOTH)
    weights = {town: re.search(r'<input[^>]*name="area"[^>]*>', client.get(
        f"/{town}/verwaltung/zwischennutzung/gewichtung").text)[0] for town in (HOME, AWAY)}
    assert 'value="9"' in weights[AWAY] and 'value="9"' not in weights[HOME]
