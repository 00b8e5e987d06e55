"""Marketing: the traders' directory, the newsletter with its campaigns, and news."""
from flask import Blueprint

from blueprints.extensions import csrf
from blueprints.marketing import directory_views, richtext, views

bp = Blueprint("marketing", __name__, template_folder="templates", url_prefix="/<town:tenant>")

# --- the traders' directory ----------------------------------------------------
bp.add_url_rule("/gewerbe", "directory_list", directory_views.directory_list)
bp.add_url_rule("/gewerbe/<int:entry_id>", "directory_entry", directory_views.directory_entry)
bp.add_url_rule("/gewerbe/<int:entry_id>/bild", "directory_picture", directory_views.directory_picture)
bp.add_url_rule("/gewerbe/eintrag/<token>", "trader_edit", directory_views.trader_edit,
                methods=["GET", "POST"])
bp.add_url_rule("/gewerbe/eintrag/<token>/bild", "trader_picture", directory_views.trader_picture)
bp.add_url_rule("/verwaltung/gewerbe", "staff_directory", directory_views.staff_directory)
bp.add_url_rule("/verwaltung/akteure/<int:actor_id>/verzeichnis", "edit_entry",
                directory_views.edit_entry, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/akteure/<int:actor_id>/verzeichnis/veroeffentlichen", "publish_entry",
                directory_views.publish_entry, methods=["POST"])
bp.add_url_rule("/verwaltung/akteure/<int:actor_id>/verzeichnis/link", "send_edit_link",
                directory_views.send_edit_link, methods=["POST"])
bp.add_url_rule("/verwaltung/akteure/<int:actor_id>/verzeichnis/bild", "staff_picture",
                directory_views.staff_picture)


@bp.app_template_global()
def directory_entry_of(actor_id: int):
    """The actor's directory entry or None, for the register's actor page."""
    from blueprints.marketing.directory import entry_of_actor

    return entry_of_actor(actor_id)


# --- newsletter, campaigns and news --------------------------------------------

bp.add_url_rule("/newsletter", "subscribe", views.subscribe, methods=["GET", "POST"])
bp.add_url_rule("/newsletter/bestaetigen/<token>", "confirm_subscription", views.confirm_subscription,
                methods=["GET", "POST"])
bp.add_url_rule("/newsletter/abmelden/<token>", "unsubscribe", views.unsubscribe, methods=["GET", "POST"])
csrf.exempt(views.unsubscribe)  # RFC 8058 one-click: mail clients post without session or token
bp.add_url_rule("/aktuelles", "news_list", views.news_list)
bp.add_url_rule("/aktuelles/<int:post_id>", "news_post", views.news_post)
bp.add_url_rule("/verwaltung/newsletter/", "overview", views.overview)
bp.add_url_rule("/verwaltung/newsletter/kampagnen/neu", "campaign_create", views.campaign_create,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/newsletter/kampagnen/<int:campaign_id>", "campaign", views.campaign)
bp.add_url_rule("/verwaltung/newsletter/kampagnen/<int:campaign_id>/bearbeiten", "campaign_edit",
                views.campaign_edit, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/newsletter/kampagnen/<int:campaign_id>/testversand", "campaign_test",
                views.campaign_test, methods=["POST"])
bp.add_url_rule("/verwaltung/newsletter/kampagnen/<int:campaign_id>/senden", "campaign_send",
                views.campaign_send, methods=["POST"])
bp.add_url_rule("/verwaltung/newsletter/kampagnen/<int:campaign_id>/planung-aufheben",
                "campaign_unschedule", views.campaign_unschedule, methods=["POST"])
bp.add_url_rule("/verwaltung/newsletter/aktuelles/neu", "news_create", views.news_create,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/newsletter/aktuelles/<int:post_id>/bearbeiten", "news_edit", views.news_edit,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/newsletter/aktuelles/<int:post_id>/loeschen", "news_delete",
                views.news_delete, methods=["POST"])
bp.add_app_template_global(views.latest_news, "latest_news")
bp.add_app_template_filter(richtext.to_html, "richtext")
