"""Who may call what: the expected outcome of every route for each kind of caller.

This table is written by hand, from the product's rules (CONTRACT.md: roles),
not read from the code under test: `test_matrix.py` holds the app to it. A
route without a row fails the test, so every new module declares here who
may use each of its routes.

Callers, in Stollberg: anonymous · applicant (of Stollberg, with an own
application) · partner (of Stollberg, juror of its call) · other_manager (a
manager of Burgstädt only) · manager (of Stollberg only) · platform_admin
(signed in with the second factor).

Outcomes: OK (reached the view: 2xx, a redirect that is not to the login, or
a form's 4xx answer such as 422), LOGIN (401, or a redirect to /login),
FORBIDDEN (403), HIDDEN (404: the record does not exist for this caller).
"""
from __future__ import annotations

from dataclasses import dataclass, field

OK, LOGIN, FORBIDDEN, HIDDEN = "ok", "login", "forbidden", "hidden"
CALLERS = ("anonymous", "applicant", "partner", "other_manager", "manager", "platform_admin")


@dataclass(frozen=True)
class Expected:
    """One outcome per caller, in the order of CALLERS."""

    name: str
    outcomes: tuple[str, str, str, str, str, str]

    def of(self, caller: str) -> str:
        return self.outcomes[CALLERS.index(caller)]


#                         anonymous applicant  partner    other_mgr  manager    platform_admin
PUBLIC = Expected("public", (OK, OK, OK, OK, OK, OK))
SIGNED_IN = Expected("signed in", (LOGIN, OK, OK, OK, OK, OK))
TOWN_VIEW = Expected("town.view", (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK))
TOWN_MANAGE = Expected("town.manage", (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK))
TOWN_APPROVE = Expected("town.approve", (LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK))
TOWN_MEMBER = Expected("a role in the town", (LOGIN, OK, OK, FORBIDDEN, OK, OK))
PLATFORM = Expected("platform", (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK))
# The applicant's own application in the portal: nobody else's account knows it.
OWN_APPLICATION = Expected("own application", (LOGIN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN))
# The API's application: its author, and the town's staff.
AUTHOR_OR_STAFF = Expected("author or staff", (LOGIN, OK, OK, HIDDEN, OK, OK))
# The jury's scoring page exists for its members alone (the partner is Stollberg's juror).
JUROR = Expected("juror", (LOGIN, HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN))


@dataclass(frozen=True)
class Row:
    expected: Expected
    values: dict[str, str] = field(default_factory=dict)  # URL argument → key of the world's values


def row(expected: Expected, **values: str) -> Row:
    return Row(expected, values)


MATRIX: dict[tuple[str, str], Row] = {
    # --- global pages --------------------------------------------------------------------
    ("core.index", "GET"): row(PUBLIC),
    ("core.healthz", "GET"): row(PUBLIC),
    ("core.readyz", "GET"): row(PUBLIC),
    ("core.set_language", "GET"): row(PUBLIC),
    ("static", "GET"): row(PUBLIC, filename="static_file"),
    ("accounts.login", "GET"): row(PUBLIC),
    ("accounts.login", "POST"): row(PUBLIC),
    ("accounts.two_factor", "GET"): row(PUBLIC),
    ("accounts.two_factor", "POST"): row(PUBLIC),
    ("accounts.two_factor_setup", "GET"): row(PUBLIC),
    ("accounts.two_factor_setup", "POST"): row(PUBLIC),
    ("accounts.logout", "POST"): row(PUBLIC),
    ("accounts.register", "GET"): row(PUBLIC),
    ("accounts.register", "POST"): row(PUBLIC),
    ("accounts.confirm_email", "GET"): row(PUBLIC, token="confirm_token"),
    ("accounts.resend_confirmation", "GET"): row(PUBLIC),
    ("accounts.resend_confirmation", "POST"): row(PUBLIC),
    ("accounts.forgot_password", "GET"): row(PUBLIC),
    ("accounts.forgot_password", "POST"): row(PUBLIC),
    ("accounts.reset_password", "GET"): row(PUBLIC, token="reset_token"),
    ("accounts.reset_password", "POST"): row(PUBLIC, token="reset_token"),
    ("accounts.account", "GET"): row(SIGNED_IN),
    ("accounts.account_profile", "POST"): row(SIGNED_IN),
    ("accounts.account_password", "POST"): row(SIGNED_IN),
    ("accounts.create_token", "POST"): row(SIGNED_IN),
    ("accounts.revoke_token", "POST"): row(SIGNED_IN, token_id="own_token_id"),
    ("accounts.logout_everywhere", "POST"): row(SIGNED_IN),
    ("interim_use.portal", "GET"): row(SIGNED_IN),
    ("interim_use.edit_own", "GET"): row(OWN_APPLICATION, application_id="own_application_id"),
    ("interim_use.download_own", "GET"): row(OWN_APPLICATION, application_id="own_application_id"),
    ("interim_use.withdraw_own", "POST"): row(OWN_APPLICATION, application_id="own_application_id"),
    ("interim_use.delete_own", "POST"): row(OWN_APPLICATION, application_id="own_application_id"),
    ("platform.index", "GET"): row(PLATFORM),
    ("platform.users", "GET"): row(PLATFORM),
    ("platform.grant_membership", "POST"): row(PLATFORM),
    ("platform.revoke_membership", "POST"): row(PLATFORM),
    ("platform.outbox", "GET"): row(PLATFORM),
    ("platform.outbox_mail", "GET"): row(PLATFORM, mail_id="account_mail_id"),
    ("platform.edit_town", "GET"): row(PLATFORM),
    ("platform.edit_town", "POST"): row(PLATFORM),

    # --- a town's public pages ---------------------------------------------------------------
    ("town.home", "GET"): row(PUBLIC),
    ("town.impressum", "GET"): row(PUBLIC),
    ("town.datenschutz", "GET"): row(PUBLIC),
    ("vacancies.listing", "GET"): row(PUBLIC),
    ("vacancies.listed_unit", "GET"): row(PUBLIC),
    ("vacancies.expose", "GET"): row(PUBLIC),
    ("vacancies.public_photo", "GET"): row(PUBLIC),
    ("vacancies.public_floor_plan", "GET"): row(PUBLIC),
    ("vacancies.enquire", "POST"): row(PUBLIC),
    ("vacancies.report", "GET"): row(PUBLIC),
    ("vacancies.report", "POST"): row(PUBLIC),
    ("vacancies.location", "GET"): row(PUBLIC),
    ("vacancies.location_download", "GET"): row(PUBLIC),
    ("interim_use.apply", "GET"): row(PUBLIC),
    ("interim_use.step", "GET"): row(PUBLIC),
    ("interim_use.step", "POST"): row(PUBLIC),
    ("interim_use.thanks", "GET"): row(PUBLIC),
    ("interim_use.confirm", "GET"): row(PUBLIC, token="guest_token"),
    ("interim_use.public_calls", "GET"): row(PUBLIC),
    ("interim_use.public_call", "GET"): row(PUBLIC),
    ("events.calendar", "GET"): row(PUBLIC),
    ("events.feed", "GET"): row(PUBLIC),
    ("events.event", "GET"): row(PUBLIC),
    ("events.event_feed", "GET"): row(PUBLIC),
    ("events.image", "GET"): row(PUBLIC),
    ("events.register", "POST"): row(PUBLIC),
    ("events.confirm_registration", "GET"): row(PUBLIC, token="registration_token"),
    ("events.cancel_registration", "GET"): row(PUBLIC, token="registration_token"),
    ("events.cancel_registration", "POST"): row(PUBLIC, token="registration_token"),
    ("marketing.news_list", "GET"): row(PUBLIC),
    ("marketing.news_post", "GET"): row(PUBLIC),
    ("marketing.directory_list", "GET"): row(PUBLIC),
    ("marketing.directory_entry", "GET"): row(PUBLIC),
    ("marketing.directory_picture", "GET"): row(PUBLIC),
    ("marketing.trader_edit", "GET"): row(PUBLIC, token="trader_token"),
    ("marketing.trader_edit", "POST"): row(PUBLIC, token="trader_token"),
    ("marketing.trader_picture", "GET"): row(PUBLIC, token="trader_token"),
    ("marketing.subscribe", "GET"): row(PUBLIC),
    ("marketing.subscribe", "POST"): row(PUBLIC),
    ("marketing.confirm_subscription", "GET"): row(PUBLIC, token="subscriber_token"),
    ("marketing.confirm_subscription", "POST"): row(PUBLIC, token="subscriber_token"),
    ("marketing.unsubscribe", "GET"): row(PUBLIC, token="subscriber_token"),
    ("marketing.unsubscribe", "POST"): row(PUBLIC, token="subscriber_token"),

    # --- the staff area ------------------------------------------------------------------------
    ("town.dashboard", "GET"): row(TOWN_VIEW),
    ("town.districts", "GET"): row(TOWN_VIEW),
    ("town.create_district", "POST"): row(TOWN_MANAGE),
    ("town.edit_page", "GET"): row(TOWN_MANAGE),
    ("town.edit_page", "POST"): row(TOWN_MANAGE),
    ("actors.index", "GET"): row(TOWN_VIEW),
    ("actors.show", "GET"): row(TOWN_VIEW),
    ("actors.create", "GET"): row(TOWN_MANAGE),
    ("actors.create", "POST"): row(TOWN_MANAGE),
    ("actors.edit", "GET"): row(TOWN_MANAGE),
    ("actors.edit", "POST"): row(TOWN_MANAGE),
    ("actors.log_contact", "POST"): row(TOWN_MANAGE),
    ("actors.follow_ups", "GET"): row(TOWN_VIEW),
    ("actors.complete_follow_up", "POST"): row(TOWN_MANAGE),
    ("marketing.edit_entry", "GET"): row(TOWN_MANAGE, actor_id="entry_actor_id"),
    ("marketing.edit_entry", "POST"): row(TOWN_MANAGE, actor_id="entry_actor_id"),
    ("marketing.staff_picture", "GET"): row(TOWN_VIEW, actor_id="entry_actor_id"),
    ("marketing.send_edit_link", "POST"): row(TOWN_MANAGE, actor_id="entry_actor_id"),
    ("marketing.publish_entry", "POST"): row(TOWN_MANAGE, actor_id="entry_actor_id"),
    ("marketing.staff_directory", "GET"): row(TOWN_VIEW),
    ("vacancies.register", "GET"): row(TOWN_VIEW),
    ("vacancies.show", "GET"): row(TOWN_VIEW),
    ("vacancies.create", "GET"): row(TOWN_MANAGE),
    ("vacancies.create", "POST"): row(TOWN_MANAGE),
    ("vacancies.edit", "GET"): row(TOWN_MANAGE),
    ("vacancies.edit", "POST"): row(TOWN_MANAGE),
    ("vacancies.change_status", "POST"): row(TOWN_MANAGE),
    ("vacancies.upload_photo", "POST"): row(TOWN_MANAGE),
    ("vacancies.staff_photo", "GET"): row(TOWN_VIEW),
    ("vacancies.upload_floor_plan", "POST"): row(TOWN_MANAGE),
    ("vacancies.staff_floor_plan", "GET"): row(TOWN_VIEW),
    ("vacancies.export", "GET"): row(TOWN_VIEW),
    ("vacancies.import_upload", "GET"): row(TOWN_MANAGE),
    ("vacancies.import_upload", "POST"): row(TOWN_MANAGE),
    ("vacancies.import_show", "GET"): row(TOWN_MANAGE),
    ("vacancies.import_show", "POST"): row(TOWN_MANAGE),
    ("vacancies.import_progress", "GET"): row(TOWN_MANAGE),
    ("vacancies.reports", "GET"): row(TOWN_VIEW),
    ("vacancies.report_photo", "GET"): row(TOWN_VIEW),
    ("vacancies.accept_report", "POST"): row(TOWN_MANAGE),
    ("vacancies.reject_report", "POST"): row(TOWN_MANAGE),
    ("vacancies.edit_location", "GET"): row(TOWN_MANAGE),
    ("vacancies.edit_location", "POST"): row(TOWN_MANAGE),
    ("vacancies.add_footfall", "POST"): row(TOWN_MANAGE),
    ("vacancies.add_location_download", "POST"): row(TOWN_MANAGE),
    ("interim_use.applications", "GET"): row(TOWN_VIEW),
    ("interim_use.application", "GET"): row(TOWN_VIEW),
    ("interim_use.take_step", "POST"): row(TOWN_MANAGE),
    ("interim_use.reject", "POST"): row(TOWN_MANAGE),
    ("interim_use.document", "GET"): row(TOWN_VIEW),
    ("interim_use.draw_up_agreement", "POST"): row(TOWN_MANAGE, application_id="agreement_application_id"),
    ("interim_use.agreement_pdf", "GET"): row(TOWN_VIEW),
    ("interim_use.approve_agreement", "POST"): row(TOWN_APPROVE),
    ("interim_use.weights", "GET"): row(TOWN_MANAGE),
    ("interim_use.weights", "POST"): row(TOWN_MANAGE),
    ("interim_use.agreement_template", "GET"): row(TOWN_MANAGE),
    ("interim_use.agreement_template", "POST"): row(TOWN_MANAGE),
    ("interim_use.staff_calls", "GET"): row(TOWN_VIEW),
    ("interim_use.staff_call", "GET"): row(TOWN_VIEW),
    ("interim_use.create_call", "GET"): row(TOWN_MANAGE),
    ("interim_use.create_call", "POST"): row(TOWN_MANAGE),
    ("interim_use.score_call", "GET"): row(JUROR),
    ("interim_use.score_call", "POST"): row(JUROR),
    ("events.staff_list", "GET"): row(TOWN_VIEW),
    ("events.create", "GET"): row(TOWN_MANAGE),
    ("events.create", "POST"): row(TOWN_MANAGE),
    ("events.edit", "GET"): row(TOWN_MANAGE),
    ("events.edit", "POST"): row(TOWN_MANAGE),
    ("events.registration_list", "GET"): row(TOWN_VIEW),
    ("events.registration_pdf", "GET"): row(TOWN_VIEW),
    ("events.check_in", "POST"): row(TOWN_MANAGE),
    ("marketing.overview", "GET"): row(TOWN_VIEW),
    ("marketing.news_create", "GET"): row(TOWN_MANAGE),
    ("marketing.news_create", "POST"): row(TOWN_MANAGE),
    ("marketing.news_edit", "GET"): row(TOWN_MANAGE),
    ("marketing.news_edit", "POST"): row(TOWN_MANAGE),
    ("marketing.news_delete", "POST"): row(TOWN_MANAGE),
    ("marketing.campaign_create", "GET"): row(TOWN_MANAGE),
    ("marketing.campaign_create", "POST"): row(TOWN_MANAGE),
    ("marketing.campaign", "GET"): row(TOWN_VIEW),
    ("marketing.campaign_edit", "GET"): row(TOWN_MANAGE),
    ("marketing.campaign_edit", "POST"): row(TOWN_MANAGE),
    ("marketing.campaign_test", "POST"): row(TOWN_MANAGE),
    ("marketing.campaign_send", "POST"): row(TOWN_MANAGE),
    ("marketing.campaign_unschedule", "POST"): row(TOWN_MANAGE),
    ("mail.outbox", "GET"): row(TOWN_VIEW),
    ("mail.show", "GET"): row(TOWN_VIEW),
    ("mail.resend", "POST"): row(TOWN_MANAGE),
    ("mail.show_batch", "GET"): row(TOWN_VIEW),
    ("mail.batch_progress", "GET"): row(TOWN_VIEW),
    ("mail.resend_batch", "POST"): row(TOWN_MANAGE),

    # --- the town's JSON API ---------------------------------------------------------------------
    ("api.openapi", "GET"): row(PUBLIC),
    ("api.me", "GET"): row(TOWN_MEMBER),
    ("api.list_districts", "GET"): row(PUBLIC),
    ("api.get_district", "GET"): row(PUBLIC),
    ("api.create_district", "POST"): row(TOWN_MANAGE),
    ("api.update_district", "PATCH"): row(TOWN_MANAGE),
    ("api.list_units", "GET"): row(PUBLIC),
    ("api.get_unit", "GET"): row(PUBLIC),
    ("api.create_unit", "POST"): row(TOWN_MANAGE),
    ("api.update_unit", "PATCH"): row(TOWN_MANAGE),
    ("api.create_application", "POST"): row(PUBLIC),
    ("api.list_applications", "GET"): row(TOWN_MEMBER),
    ("api.get_application", "GET"): row(AUTHOR_OR_STAFF, application_id="own_application_id"),
    ("api.list_matches", "GET"): row(TOWN_VIEW),
    ("api.list_excluded_units", "GET"): row(TOWN_VIEW),
    ("api.list_agreements", "GET"): row(TOWN_VIEW),
    ("api.list_events", "GET"): row(PUBLIC),
    ("api.get_event", "GET"): row(PUBLIC),
    ("api.create_registration", "POST"): row(PUBLIC),
    ("api.list_registrations", "GET"): row(TOWN_VIEW),
    ("api.delete_district", "DELETE"): row(TOWN_MANAGE),
    ("api.delete_unit", "DELETE"): row(TOWN_MANAGE),
    ("api.update_application", "PATCH"): row(TOWN_MANAGE),
    ("api.delete_application", "DELETE"): row(TOWN_MANAGE),
    ("api.get_agreement", "GET"): row(TOWN_VIEW),
    ("api.create_agreement", "POST"): row(TOWN_MANAGE),
    ("api.update_agreement", "PATCH"): row(TOWN_MANAGE),
    ("api.approve_agreement", "POST"): row(TOWN_APPROVE),
    ("api.delete_agreement", "DELETE"): row(TOWN_MANAGE),
    ("api.create_event", "POST"): row(TOWN_MANAGE),
    ("api.update_event", "PATCH"): row(TOWN_MANAGE),
    ("api.delete_event", "DELETE"): row(TOWN_MANAGE),
    ("api.get_registration", "GET"): row(TOWN_VIEW),
    ("api.update_registration", "PATCH"): row(TOWN_MANAGE),
    ("api.delete_registration", "DELETE"): row(TOWN_MANAGE),
}
