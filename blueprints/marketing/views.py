"""Views of the newsletter (subscribe, confirm, unsubscribe), campaigns and news."""
