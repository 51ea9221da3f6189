"""RSS 2.0 and Atom feeds of the articles of one article index page."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from cms.templatetags.seo import absolute

FEED_LENGTH = 20


class ArticlesRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.seo_title or self.index_page.title

    def link(self):
        return absolute(self.index_page.get_url(self.request))

    def description(self):
        return self.index_page.search_description or self.index_page.intro

    subtitle = description

    def feed_url(self):
        return absolute(self.request.path)

    def items(self):
        return self.index_page.articles().select_related("author")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return absolute(item.get_url(self.request))

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        moment = datetime.datetime.combine(item.date, datetime.time(8, 0))
        return timezone.make_aware(moment)

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.author.name if item.author else None

    def item_categories(self, item):
        return [item.category.name] if item.category else []

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = self.index_page.locale.language_code
        return feed


class ArticlesAtomFeed(ArticlesRssFeed):
    feed_type = Atom1Feed
